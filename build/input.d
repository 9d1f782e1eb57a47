build/input.o: src/input.c src/input.h src/err.h src/bytes.h src/tmpdir.h
src/input.h:
src/err.h:
src/bytes.h:
src/tmpdir.h:
