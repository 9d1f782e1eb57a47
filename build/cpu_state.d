build/cpu_state.o: src/cpu_state.c src/cpu_state.h src/err.h
src/cpu_state.h:
src/err.h:
