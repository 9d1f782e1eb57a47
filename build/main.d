build/main.o: src/main.c
