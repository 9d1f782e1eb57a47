build/in_raw.o: src/in_raw.c src/snapshot.h src/cpu_state.h src/err.h \
 src/input.h src/ram_image.h
src/snapshot.h:
src/cpu_state.h:
src/err.h:
src/input.h:
src/ram_image.h:
