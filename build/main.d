build/main.o: src/main.c src/outfile.h src/err.h src/report.h \
 src/session.h src/mpipl_tables.h src/ram_image.h src/overlay.h \
 src/progress.h src/sim.h src/cpu_state.h src/snapshot.h src/input.h
src/outfile.h:
src/err.h:
src/report.h:
src/session.h:
src/mpipl_tables.h:
src/ram_image.h:
src/overlay.h:
src/progress.h:
src/sim.h:
src/cpu_state.h:
src/snapshot.h:
src/input.h:
