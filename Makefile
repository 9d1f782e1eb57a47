SHELL := /bin/bash
# mpiplsim - offline MPIPL (fadump) simulator for QEMU powernv snapshots
# Non-recursive; objects in build/ (STYLE.md §9).

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share
MANDIR    ?= $(DATADIR)/man
SCHEMADIR ?= $(DATADIR)/mpiplsim/schemas
DESTDIR   ?=
VERSION   := 0.1.0

# pkg-config runs once per make: every result below is a simple (:=) variable
PKG_CONFIG ?= pkg-config
PKGS      := libelf zlib jansson
OPT_PKGS  := $(shell $(PKG_CONFIG) --exists lzo2 && echo lzo2) \
             $(shell $(PKG_CONFIG) --exists snappy && echo snappy)
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) $(OPT_PKGS))
PKG_LIBS  := $(shell $(PKG_CONFIG) --libs $(PKGS) $(OPT_PKGS))
# Debian bookworm's libfdt-dev ships no libfdt.pc: use it when present, else -lfdt
FDT_CFLAGS := $(shell $(PKG_CONFIG) --cflags libfdt 2>/dev/null)
FDT_LIBS  := $(shell $(PKG_CONFIG) --libs libfdt 2>/dev/null || echo -lfdt)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

CC        ?= cc
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
             -Wmissing-prototypes -Wvla -Wpointer-arith -Wcast-qual -Wno-format-nonliteral
# warnings are errors only when asked (.ci/run passes WERROR=1), like git's DEVELOPER build
ifeq ($(WERROR),1)
CFLAGS    += -Werror
endif
CPPFLAGS  += -Isrc -D_GNU_SOURCE -DMPIPLSIM_VERSION='"$(VERSION)"' -MMD -MP \
             $(PKG_CFLAGS) $(FDT_CFLAGS) \
             $(if $(filter lzo2,$(OPT_PKGS)),-DHAVE_LZO) \
             $(if $(filter snappy,$(OPT_PKGS)),-DHAVE_SNAPPY)
LDLIBS    += $(PKG_LIBS) $(FDT_LIBS) -lm

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

# libFuzzer targets, one per parser (tests/fuzz/fuzz_*.c); see `fuzz` below. Every source is
# compiled once into $(FUZZ_B)/obj with the fuzz flags; each target links those objects.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_B       := build/fuzz
FUZZ_CFLAGS  := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(FUZZ_B)/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_OBJS    := $(patsubst src/%.c,$(FUZZ_B)/obj/%.o,$(filter-out src/cli/%,$(SRCS)))

# Real fixtures (../shared/fixtures and its master/), decompressed once, sparse.
FIXTURES  ?= $(abspath ../shared/fixtures)
FXDIR     := $(B)/fixtures
FXFILES   := $(FXDIR)/crash.raw $(FXDIR)/crash.mig $(FXDIR)/crash.elf $(FXDIR)/crash.kdump \
             $(FXDIR)/precrash.mig \
             $(FXDIR)/master/crash.raw $(FXDIR)/master/crash.mig $(FXDIR)/master/crash.kdump \
             $(FXDIR)/linux-6.12/crash.raw $(FXDIR)/linux-6.12/crash.mig \
             $(FXDIR)/p10-2chip/crash.mig

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
	$(Q)$(CC) $(CPPFLAGS) $(CHECK_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/tests/check_%: $(B)/tests/check_%.o $(THELPERS) $(LIBOBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

$(FXDIR)/%: $(FIXTURES)/%.gz
	@mkdir -p $(dir $@)
	gzip -dc $< | cp --sparse=always /dev/stdin $@.tmp && mv $@.tmp $@

fixtures: $(FXFILES)

# Guests made on this machine by ../shared/tools/make-real-fixture.sh, too big to commit
# (about 5 minutes each, root for apt); tests/extra_guests.sh SKIPs without them.
FXEXTRA   ?= $(B)/fixtures-extra
fixtures-extra:
	@mkdir -p $(FXEXTRA)
	[ -f $(FXEXTRA)/p10-2x2/out/crash.mig ] || MACHINE=powernv10 MEM=2G \
		SMP="4,cores=2,threads=1" VMLINUX_PREBUILT=$(FIXTURES)/vmlinux.xz \
		$(FIXTURES)/../tools/make-real-fixture.sh $(FXEXTRA)/p10-2x2

# Snapshots of a running fadump guest written by QEMU 10.0 (tests/qemu10.sh SKIPs without).
FXQEMU10  ?= $(B)/qemu10
QEMU10DIR ?= $(B)/qemu-trixie
fixtures-qemu10:
	[ -x $(QEMU10DIR)/bin/qemu-system-ppc64 ] || $(FIXTURES)/../tools/qemu-trixie.sh $(QEMU10DIR)
	[ -f $(FXQEMU10)/running.mapped ] || tools/qemu10-snapshots \
		--qemu $(QEMU10DIR)/bin/qemu-system-ppc64 --out $(FXQEMU10)

TESTENV   = export MPIPLSIM_FIXTURES=$(abspath $(FXDIR)) MPIPLSIM=$(abspath $(B)/mpiplsim) \
		MPIPLSIM_SHARED=$(FIXTURES)

# Each #include "STAGE/x.h" must name the file's own stage or one below it.
layers:
	@tools/check-layers.sh $(STAGES)

# No circle of calls between modules: who needs whose symbols, from the built objects.
calls: $(B)/mpiplsim
	@tools/check-calls $(B)

# The shell tests make check runs, and the guests whose vmcore the debuggers read
# (tests/clients.sh; v7.0 is the top fixture folder). make asan runs the shell tests only:
# the clients read the same vmcore bytes, which cli.sh and golden.sh already produce under ASan.
CHECK_SCRIPTS ?= cli golden dmesg progress_tmux faults hostile
CHECK_CLIENTS ?= v7.0 master linux-6.12 p10-2chip

# Check suites, then the command-line, golden (with JSON schemas) and progress tests. Each
# program ends with "N passed, N failed, N skipped" (tests/lib.sh, check_run() in
# tests/lib_fixture.c); a test that cannot run is counted as skipped, never as passed.
check: layers calls check-py $(B)/mpiplsim $(TBINS) fixtures
	@set -e; $(TESTENV); \
	for t in $(TBINS); do echo "== $$t"; $(VALGRIND) $$t; done; \
	for t in $(CHECK_SCRIPTS); do echo "== tests/$$t.sh"; tests/$$t.sh; done; \
	for g in $(CHECK_CLIENTS); do echo "== tests/clients.sh ($$g)"; \
		tests/clients.sh $(FXDIR)/$${g#v7.0} $(FIXTURES)/$${g#v7.0}; done; \
	if [ -n "$(CHECK_CLIENTS)" ]; then \
		echo "== tests/extra_guests.sh"; MPIPLSIM_EXTRA=$(abspath $(FXEXTRA)) tests/extra_guests.sh; \
		echo "== tests/qemu10.sh"; MPIPLSIM_QEMU10=$(abspath $(FXQEMU10)) tests/qemu10.sh; fi

# Rewrite tests/golden/ from the current build (review git diff, say why in the commit).
golden: $(B)/mpiplsim fixtures
	@$(TESTENV); tests/golden.sh --update

asan:
	$(MAKE) B=build/asan FXDIR=$(FXDIR) CC=clang \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" CHECK_CLIENTS= check

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

SCHEMAS   := $(wildcard schemas/*.schema.json)

install: mpiplsim
	install -D -m 0755 mpiplsim $(DESTDIR)$(BINDIR)/mpiplsim
	install -D -m 0644 man/mpiplsim.1 $(DESTDIR)$(MANDIR)/man1/mpiplsim.1
	install -d $(DESTDIR)$(SCHEMADIR)
	install -m 0644 $(SCHEMAS) $(DESTDIR)$(SCHEMADIR)

# what install put there, and the schema folders if nothing else is in them
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mpiplsim $(DESTDIR)$(MANDIR)/man1/mpiplsim.1 \
		$(addprefix $(DESTDIR)$(SCHEMADIR)/,$(notdir $(SCHEMAS)))
	for d in $(DESTDIR)$(SCHEMADIR) $(dir $(DESTDIR)$(SCHEMADIR)); do \
		[ ! -d $$d ] || rmdir --ignore-fail-on-non-empty $$d; done

bench: mpiplsim fixtures
	tools/bench.sh
	nice tools/bench-dense.sh

# libFuzzer targets, one per parser (tests/fuzz/fuzz_*.c), each run FUZZ_SECONDS
# from its seeds; a crash stops make with the input saved as build/fuzz/crash-*.

$(FUZZ_B)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(CPPFLAGS) -c -o $@ $<

$(FUZZ_B)/obj/tests/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(CPPFLAGS) -c -o $@ $<

$(FUZZ_B)/%: $(FUZZ_B)/obj/tests/%.o $(FUZZ_OBJS)
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^ $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_BINS); do n=$${t##*/fuzz_}; \
		mkdir -p build/fuzz/corpus-$$n; echo "== fuzz $$n for $(FUZZ_SECONDS) s"; \
		$$t -max_total_time=$(FUZZ_SECONDS) -max_len=131072 -print_final_stats=1 \
			-artifact_prefix=build/fuzz/crash-$$n- build/fuzz/corpus-$$n \
			tests/fuzz/seeds/$$n 2>&1 | grep -E "^stat::number_of_executed_units|ERROR|SUMMARY" ; \
		test $${PIPESTATUS[0]} -eq 0; done

# the real capture kernel booted on the post-MPIPL image (part of test: v7.0 and linux-6.12;
# check-boot-all adds p10-2chip and master; SKIP without QEMU)
check-boot check-boot-all: $(B)/mpiplsim fixtures
	@$(TESTENV); tests/capture_boot.sh $(if $(filter check-boot-all,$@),v7.0 linux-6.12 p10-2chip master)

# tools/capture-boot's pure helpers (part of check)
check-py:
	python3 -m unittest tests/test_capture_boot.py

# the real debuggers on the vmcore of both guests (also part of check; SKIP where missing)
check-clients: $(B)/mpiplsim fixtures
	MPIPLSIM=$(abspath $(B)/mpiplsim) tests/clients.sh $(FXDIR) $(FIXTURES)
	MPIPLSIM=$(abspath $(B)/mpiplsim) tests/clients.sh $(FXDIR)/master $(FIXTURES)/master
	MPIPLSIM=$(abspath $(B)/mpiplsim) tests/clients.sh $(FXDIR)/linux-6.12 $(FIXTURES)/linux-6.12
	MPIPLSIM=$(abspath $(B)/mpiplsim) tests/clients.sh $(FXDIR)/p10-2chip $(FIXTURES)/p10-2chip

clean:
	rm -rf build mpiplsim

.PHONY: all layers calls check check-py check-boot check-boot-all check-clients golden test asan \
	valgrind install uninstall bench clean fixtures fixtures-extra fixtures-qemu10 fuzz fuzz-build \
	fuzz-regress
.SECONDARY:
-include $(wildcard $(B)/*/*.d $(B)/tests/*.d $(FUZZ_B)/obj/*/*.d)

# mig bench helper: tests/mig_extract.c, a plain program (not a Check suite)
$(B)/tests/mig_extract: $(B)/tests/mig_extract.o $(LIBOBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench-mig: $(B)/tests/mig_extract fixtures
	tools/bench-mig.sh

.PHONY: bench-mig
