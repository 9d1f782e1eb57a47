SHELL := /bin/bash
# mpiplsim - offline MPIPL (fadump) simulator for QEMU powernv snapshots
# Non-recursive; objects in build/ (STYLE.md §9).

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DESTDIR   ?=
VERSION   := 0.1.0

PKGS      := libelf zlib jansson
# Debian bookworm's libfdt-dev ships no libfdt.pc: use it when present, else -lfdt
FDT_CFLAGS := $(shell pkg-config --cflags libfdt 2>/dev/null)
FDT_LIBS  := $(shell pkg-config --libs libfdt 2>/dev/null || echo -lfdt)
CHECK_PKG := check
OPT_PKGS  := $(shell pkg-config --exists lzo2 && echo lzo2) \
             $(shell pkg-config --exists snappy && echo snappy)

CC        ?= cc
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
             -Wmissing-prototypes -Wvla -Wpointer-arith -Wno-format-nonliteral
ifneq ($(WERROR),0)
CFLAGS    += -Werror
endif
CPPFLAGS  += -Isrc -D_GNU_SOURCE -DMPIPLSIM_VERSION='"$(VERSION)"' -MMD -MP \
             $(shell pkg-config --cflags $(PKGS) $(OPT_PKGS)) $(FDT_CFLAGS) \
             $(if $(filter lzo2,$(OPT_PKGS)),-DHAVE_LZO) \
             $(if $(filter snappy,$(OPT_PKGS)),-DHAVE_SNAPPY)
LDLIBS    += $(shell pkg-config --libs $(PKGS) $(OPT_PKGS)) $(FDT_LIBS) -lm

B         ?= build
# One folder per pipeline stage, lowest first (STYLE.md §1); a module includes only
# its own stage and those below it (`make layers` checks).
STAGES    := core input tables sim output compare report cli
SRCS      := $(foreach s,$(STAGES),$(wildcard src/$(s)/*.c))
OBJS      := $(patsubst src/%.c,$(B)/%.o,$(SRCS))
LIBOBJS   := $(filter-out $(B)/cli/%.o,$(OBJS))
TSRCS     := $(wildcard tests/check_*.c)
TBINS     := $(patsubst tests/%.c,$(B)/tests/%,$(TSRCS))
THELPERS  := $(patsubst tests/%.c,$(B)/tests/%.o,$(wildcard tests/lib*.c))

# libFuzzer targets, one per parser (tests/fuzz/fuzz_*.c); see `fuzz` below
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

# Real fixtures (../shared/fixtures and its master/), decompressed once, sparse.
FIXTURES  ?= $(abspath ../shared/fixtures)
FXDIR     := $(B)/fixtures
FXFILES   := $(FXDIR)/crash.raw $(FXDIR)/crash.mig $(FXDIR)/crash.elf $(FXDIR)/crash.kdump \
             $(FXDIR)/precrash.mig \
             $(FXDIR)/master/crash.raw $(FXDIR)/master/crash.mig $(FXDIR)/master/crash.kdump

all: mpiplsim

mpiplsim: $(B)/mpiplsim
	cp $< $@

# V=1 shows the commands
Q         := $(if $(V),,@)

$(B)/mpiplsim: $(OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(CPPFLAGS) $(shell pkg-config --cflags $(CHECK_PKG)) $(CFLAGS) -c -o $@ $<

$(B)/tests/check_%: $(B)/tests/check_%.o $(THELPERS) $(LIBOBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs $(CHECK_PKG))

$(FXDIR)/%: $(FIXTURES)/%.gz
	@mkdir -p $(dir $@)
	gzip -dc $< | cp --sparse=always /dev/stdin $@.tmp && mv $@.tmp $@

fixtures: $(FXFILES)

TESTENV   = export MPIPLSIM_FIXTURES=$(abspath $(FXDIR)) MPIPLSIM=$(abspath $(B)/mpiplsim) \
		MPIPLSIM_SHARED=$(FIXTURES)

# Each #include "STAGE/x.h" must name the file's own stage or one below it.
layers:
	@tools/check-layers.sh $(STAGES)

# No circle of calls between modules: who needs whose symbols, from the built objects.
calls: $(B)/mpiplsim
	@tools/check-calls $(B)

# Check suites, then the command-line, golden (with JSON schemas) and progress tests.
check: layers $(B)/mpiplsim $(TBINS) fixtures
	@set -e; $(TESTENV); \
	for t in $(TBINS); do echo "== $$t"; $(VALGRIND) $$t; done; \
	tests/cli.sh; \
	tests/golden.sh; \
	tests/progress_tmux.sh; \
	tests/faults.sh; \
	tests/clients.sh $(FXDIR) $(FIXTURES); \
	tests/clients.sh $(FXDIR)/master $(FIXTURES)/master

# Rewrite tests/golden/ from the current build (review git diff, say why in the commit).
golden: $(B)/mpiplsim fixtures
	@$(TESTENV); tests/golden.sh --update

asan:
	$(MAKE) B=build/asan FXDIR=$(FXDIR) CC=clang \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" check

# every Check suite under valgrind (memcheck, leaks are errors); CK_FORK=no so
# that valgrind sees the tests themselves
valgrind: $(TBINS) fixtures
	@set -e; export MPIPLSIM_FIXTURES=$(abspath $(FXDIR)) MPIPLSIM_SHARED=$(FIXTURES) CK_FORK=no; \
	for t in $(TBINS); do echo "== valgrind $$t"; \
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			$$t; done

# every seed and every input that once crashed a fuzz target, replayed through it
fuzz-regress: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_BINS); do n=$${t##*/fuzz_}; \
		for d in tests/fuzz/seeds/$$n tests/fuzz/regress/$$n; do \
			[ -d $$d ] || continue; echo "== $$t $$d"; \
			$$t -runs=0 $$d/* 2>&1 | grep -E "ERROR|SUMMARY|Executed" | tail -1; \
			test $${PIPESTATUS[0]} -eq 0; done; done

# All tests, as CI runs them: functional, sanitizers, valgrind, fuzz regressions.
test: check
	$(MAKE) check-boot
	$(MAKE) asan
	$(MAKE) valgrind
	$(MAKE) fuzz-regress

install: mpiplsim
	install -D -m 0755 mpiplsim $(DESTDIR)$(BINDIR)/mpiplsim
	install -D -m 0644 man/mpiplsim.1 $(DESTDIR)$(MANDIR)/man1/mpiplsim.1

bench: mpiplsim fixtures
	tools/bench.sh
	nice tools/bench-dense.sh

# libFuzzer targets, one per parser (tests/fuzz/fuzz_*.c), each run FUZZ_SECONDS
# from its seeds; a crash stops make with the input saved as build/fuzz/crash-*.

build/fuzz/%: tests/fuzz/%.c $(filter-out src/cli/%,$(SRCS))
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$(filter-out -MMD -MP,$(CPPFLAGS)) $^ -o $@ $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_BINS); do n=$${t##*/fuzz_}; \
		mkdir -p build/fuzz/corpus-$$n; echo "== fuzz $$n for $(FUZZ_SECONDS) s"; \
		$$t -max_total_time=$(FUZZ_SECONDS) -max_len=131072 -print_final_stats=1 \
			-artifact_prefix=build/fuzz/crash-$$n- build/fuzz/corpus-$$n \
			tests/fuzz/seeds/$$n 2>&1 | grep -E "^stat::number_of_executed_units|ERROR|SUMMARY" ; \
		test $${PIPESTATUS[0]} -eq 0; done

# the real capture kernel booted on the post-MPIPL image (also part of check; SKIP without QEMU)
check-boot: $(B)/mpiplsim fixtures
	MPIPLSIM=$(abspath $(B)/mpiplsim) MPIPLSIM_FIXTURES=$(abspath $(FXDIR)) \
		MPIPLSIM_SHARED=$(FIXTURES) tests/capture_boot.sh

# the real debuggers on the vmcore of both guests (also part of check; SKIP where missing)
check-clients: $(B)/mpiplsim fixtures
	MPIPLSIM=$(abspath $(B)/mpiplsim) tests/clients.sh $(FXDIR) $(FIXTURES)
	MPIPLSIM=$(abspath $(B)/mpiplsim) tests/clients.sh $(FXDIR)/master $(FIXTURES)/master

clean:
	rm -rf build mpiplsim

.PHONY: all layers check check-boot check-clients golden test asan valgrind install bench clean \
	fixtures fuzz fuzz-build fuzz-regress
.SECONDARY:
-include $(wildcard $(B)/*/*.d $(B)/tests/*.d)

# mig bench helper: tests/mig_extract.c, a plain program (not a Check suite)
$(B)/tests/mig_extract: $(B)/tests/mig_extract.o $(LIBOBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench-mig: $(B)/tests/mig_extract fixtures
	tools/bench-mig.sh

.PHONY: bench-mig
