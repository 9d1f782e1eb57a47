build/in_elf.o: src/in_elf.c src/snapshot.h src/cpu_state.h src/err.h \
 src/input.h src/ram_image.h
src/snapshot.h:
src/cpu_state.h:
src/err.h:
src/input.h:
src/ram_image.h:
