build/bytes.o: src/bytes.c src/bytes.h
src/bytes.h:
