build/ram_image.o: src/ram_image.c src/ram_image.h src/err.h
src/ram_image.h:
src/err.h:
