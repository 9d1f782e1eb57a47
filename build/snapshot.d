build/snapshot.o: src/snapshot.c src/snapshot.h src/cpu_state.h src/err.h \
 src/input.h src/ram_image.h src/bytes.h
src/snapshot.h:
src/cpu_state.h:
src/err.h:
src/input.h:
src/ram_image.h:
src/bytes.h:
