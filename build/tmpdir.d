build/tmpdir.o: src/tmpdir.c src/tmpdir.h
src/tmpdir.h:
