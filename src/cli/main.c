/*
 * main.c - the command line: argv, stdout, stderr and exit codes live here
 * only (STYLE.md §7). `mpiplsim [run] SNAPSHOT -o POST.img`, `mpiplsim inspect
 * SNAPSHOT`, `mpiplsim compare A B`. Exit: 0 ok, 1 bad input, 2 usage, 3 I/O.
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/text.h"
#include "tables/crashed_kernel.h"
#include "output/outfile.h"
#include "report/elf_describe.h"
#include "report/report.h"
#include "output/session.h"

static void print_version(FILE *out, struct argp_state *st);
void (*argp_program_version_hook)(FILE *, struct argp_state *) = print_version;
const char *argp_program_bug_address = "the project's issue tracker";

enum {
	OPT_VMCORE = 0x100, OPT_CPU_STATE, OPT_NO_REGISTERS, OPT_PROFILE, OPT_FORMAT,
	OPT_OPAL_BASE, OPT_SPIRAH, OPT_MDST, OPT_MDDT, OPT_MDRT, OPT_PDA, OPT_FSYNC, OPT_JSON,
	OPT_VMCORE_PIDS, OPT_EMULATE, OPT_FIRMWARE, OPT_FIRMWARE_OUT,
};

struct cli {
	struct run_options run;
	const char *cmd;
	const char *args[2];
	int n_args;
	int profile;		/* --profile, -1 if not given */
	bool emulate;		/* --emulate qemu-v2 */
	struct report_meta meta;	/* warnings kept for --json */
};

/* --version: what this build reads (snapshot-formats.md §1) and which skiboot layouts. */
static void print_version(FILE *out, struct argp_state *st)
{
	(void)st;
	fprintf(out, "mpiplsim %s\n"
		"input formats: raw (pmemsave), mig (QEMU migration stream), elf "
		"(dump-guest-memory, vmcore), kdump (dump-guest-memory -z/-l/-s: zlib%s%s); "
		"any of them gzip-compressed\n"
		"skiboot layouts: v7.0 (legacy SPIRA in front of SPIRA-H), master (SPIRA-H only), "
		"others found through SPIRA-H or given with --spirah/--mdst/--mddt\n"
		"kernel log: the lockless printk ring buffer of Linux 5.10 and later, ppc64\n",
		MPIPLSIM_VERSION,
#ifdef HAVE_LZO
		", lzo",
#else
		"",
#endif
#ifdef HAVE_SNAPPY
		", snappy"
#else
		""
#endif
		);
}

static void on_warning(void *ctx, const char *msg)
{
	struct cli *c = ctx;

	if (c->run.json) {
		char **w = realloc(c->meta.warnings, (c->meta.n_warnings + 1) * sizeof(*w));
		char *m = strdup(msg);

		if (w && m) {
			w[c->meta.n_warnings++] = m;
			c->meta.warnings = w;
		} else {
			free(m);
			if (w)
				c->meta.warnings = w;
		}
	}
	if (!c->run.quiet)
		text_line(stderr, "mpiplsim: warning: ", msg);	/* escaped: text.h */
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *s == '-' ? -1 : 0;
}

/*
 * Address options (--opal-base, --spirah, --mdst, --mddt, --mdrt, --proc-dump)
 * name guest real addresses, all below REAL_ADDR_LIMIT (2^62, mpipl_tables.h).
 */
static void check_guest_addr(struct argp_state *st, const char *arg, uint64_t v)
{
	if (v >= REAL_ADDR_LIMIT)
		argp_error(st, "'%s' is beyond any guest real address (below 0x%" PRIx64 ")", arg,
			   REAL_ADDR_LIMIT);
}

static const struct argp_option input_options[] = {
	{ "format", OPT_FORMAT, "FMT", 0, "Force the snapshot format: raw, mig, elf, kdump "
	  "(default: detected from the content)", 1 },
	{ "cpu-state", OPT_CPU_STATE, "FILE", 0, "Take the vCPU registers from FILE, another "
	  "snapshot of the same moment (for raw input)", 1 },
	{ "opal-base", OPT_OPAL_BASE, "ADDR", 0, "Relocated OPAL base (default 0x30000000)", 1 },
	{ "spirah", OPT_SPIRAH, "ADDR", 0, "SPIRA-H address, instead of searching for it", 1 },
	{ "mdst", OPT_MDST, "ADDR", 0, "MDST address when there is no SPIRA-H", 1 },
	{ "mddt", OPT_MDDT, "ADDR", 0, "MDDT address when there is no SPIRA-H", 1 },
	{ "mdrt", OPT_MDRT, "ADDR", 0, "MDRT address when there is no SPIRA-H", 1 },
	{ "proc-dump", OPT_PDA, "ADDR", 0, "Processor dump area address when there is no "
	  "SPIRA-H", 1 },
	{ "quiet", 'q', NULL, 0, "No warnings, no progress", 3 },
	{ "verbose", 'v', NULL, 0, "Explain each decision on stderr", 3 },
	{ 0 }
};

static const struct argp_option run_options[] = {
	{ "output", 'o', "FILE", 0, "Write the post-MPIPL RAM image (sparse) to FILE", 0 },
	{ "vmcore", OPT_VMCORE, "FILE", 0, "Write the ELF vmcore the capture kernel would "
	  "present as /proc/vmcore", 0 },
	{ "vmcore-pids", OPT_VMCORE_PIDS, "zero|pir", 0, "pr_pid of the NT_PRSTATUS notes: "
	  "zero as Linux does (default), or the PIR (for gdb)", 0 },
	{ "profile", OPT_PROFILE, "NAME", 0, "Register profile of the thread records: "
	  "hostboot (default), linux-min, qemu-v2", 2 },
	{ "no-registers", OPT_NO_REGISTERS, NULL, 0, "Write an empty thread area on purpose", 2 },
	{ "emulate", OPT_EMULATE, "qemu-v2", 0, "Reproduce what the posted QEMU MPIPL series "
	  "would leave in memory, its bugs included (implies --profile qemu-v2)", 2 },
	{ "fsync", OPT_FSYNC, NULL, 0, "fsync each output and its directory", 2 },
	{ "firmware", OPT_FIRMWARE, "LID", 0, "The skiboot image QEMU loads (-bios), read only; "
	  "with --firmware-out", 2 },
	{ "firmware-out", OPT_FIRMWARE_OUT, "FILE", 0, "Write a copy of --firmware holding what "
	  "hostboot writes into the payload image (processor dump area, SPIRA-H MDRT count), "
	  "for booting the capture kernel on the -o image", 2 },
	{ 0 }
};

/* Known to inspect and compare only to say that they do not apply (issue 14). */
#define RUN_ONLY_OPTIONS \
	{ "output", 'o', "FILE", OPTION_HIDDEN, NULL, 0 }, \
	{ "vmcore", OPT_VMCORE, "FILE", OPTION_HIDDEN, NULL, 0 }, \
	{ "vmcore-pids", OPT_VMCORE_PIDS, "zero|pir", OPTION_HIDDEN, NULL, 0 }, \
	{ "fsync", OPT_FSYNC, NULL, OPTION_HIDDEN, NULL, 0 }, \
	{ "firmware", OPT_FIRMWARE, "LID", OPTION_HIDDEN, NULL, 0 }, \
	{ "firmware-out", OPT_FIRMWARE_OUT, "FILE", OPTION_HIDDEN, NULL, 0 }

static const struct argp_option inspect_options[] = {
	{ "json", OPT_JSON, NULL, 0, "One JSON document on stdout", 0 },
	{ "profile", OPT_PROFILE, "NAME", 0, "Register profile to plan with", 2 },
	{ "no-registers", OPT_NO_REGISTERS, NULL, 0, "Plan without registers", 2 },
	{ "emulate", OPT_EMULATE, "qemu-v2", 0, "Plan as the posted QEMU MPIPL series does", 2 },
	RUN_ONLY_OPTIONS,
	{ 0 }
};

static const struct argp_option compare_options[] = {
	{ "json", OPT_JSON, NULL, 0, "One JSON document on stdout", 0 },
	RUN_ONLY_OPTIONS,
	{ "profile", OPT_PROFILE, "NAME", OPTION_HIDDEN, NULL, 0 },
	{ "no-registers", OPT_NO_REGISTERS, NULL, OPTION_HIDDEN, NULL, 0 },
	{ "emulate", OPT_EMULATE, "qemu-v2", OPTION_HIDDEN, NULL, 0 },
	{ 0 }
};

/* An option given to a command it does not apply to: its name for the message. */
static const char *option_name(int key)
{
	static const struct { int key; const char *name; } names[] = {
		{ 'o', "-o" }, { OPT_VMCORE, "--vmcore" }, { OPT_VMCORE_PIDS, "--vmcore-pids" },
		{ OPT_FSYNC, "--fsync" }, { OPT_FIRMWARE, "--firmware" },
		{ OPT_FIRMWARE_OUT, "--firmware-out" }, { OPT_PROFILE, "--profile" },
		{ OPT_NO_REGISTERS, "--no-registers" }, { OPT_EMULATE, "--emulate" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].key == key)
			return names[i].name;
	return NULL;
}

static error_t parse_common(int key, char *arg, struct argp_state *st)
{
	struct cli *c = st->input;
	uint64_t *addr = NULL;
	int v;

	switch (key) {
	case OPT_FORMAT:
		v = snap_format_parse(arg);
		if (v < 0)
			argp_error(st, "unknown format '%s' (raw, mig, elf, kdump)", arg);
		c->run.format = v;
		return 0;
	case OPT_CPU_STATE:
		c->run.cpu_state = arg;
		return 0;
	case OPT_PROFILE:
		v = profile_parse(arg);
		if (v < 0)
			argp_error(st, "unknown profile '%s' (hostboot, linux-min, qemu-v2)", arg);
		c->profile = v;
		return 0;
	case OPT_NO_REGISTERS:
		c->run.sim.no_registers = true;
		return 0;
	case OPT_EMULATE:
		if (strcmp(arg, "qemu-v2"))
			argp_error(st, "--emulate takes qemu-v2");
		c->emulate = true;
		return 0;
	case 'q':
		c->run.quiet = true;
		return 0;
	case 'v':
		c->run.verbose++;
		return 0;
	case OPT_OPAL_BASE: addr = &c->run.opal_base; break;
	case OPT_SPIRAH: addr = &c->run.ovr.spirah; break;
	case OPT_MDST: addr = &c->run.ovr.mdst; break;
	case OPT_MDDT: addr = &c->run.ovr.mddt; break;
	case OPT_MDRT: addr = &c->run.ovr.mdrt; break;
	case OPT_PDA: addr = &c->run.ovr.pda; break;
	case ARGP_KEY_ARG:
		if (c->n_args >= (c->cmd && !strcmp(c->cmd, "compare") ? 2 : 1))
			argp_error(st, "too many arguments");
		c->args[c->n_args++] = arg;
		return 0;
	case ARGP_KEY_END:
		if (c->n_args < (c->cmd && !strcmp(c->cmd, "compare") ? 2 : 1))
			argp_error(st, "missing SNAPSHOT");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	if (parse_u64(arg, addr))
		argp_error(st, "'%s' is not an address", arg);
	check_guest_addr(st, arg, *addr);
	return 0;
}

/* Options that contradict each other are usage errors, whatever their order (issue 14). */
static void check_contradictions(struct cli *c, struct argp_state *st)
{
	struct run_options *r = &c->run;

	if (r->sim.no_registers && r->cpu_state)
		argp_error(st, "--no-registers and --cpu-state contradict each other: the first "
			   "writes no registers, the second says where to take them from");
	if (c->emulate && c->profile >= 0 && c->profile != PROFILE_QEMU_V2)
		argp_error(st, "--emulate qemu-v2 writes the qemu-v2 register profile, not "
			   "--profile %s", profile_name(c->profile));
	if (c->emulate) {
		r->sim.mode = MODE_QEMU_V2;
		r->sim.profile = PROFILE_QEMU_V2;
	} else if (c->profile >= 0) {
		r->sim.profile = c->profile;
	}
}

static error_t parse_run(int key, char *arg, struct argp_state *st)
{
	struct cli *c = st->input;

	switch (key) {
	case 'o':
		c->run.output = arg;
		return 0;
	case OPT_VMCORE:
		c->run.vmcore = arg;
		return 0;
	case OPT_VMCORE_PIDS:
		if (strcmp(arg, "pir") && strcmp(arg, "zero"))
			argp_error(st, "--vmcore-pids takes zero or pir");
		c->run.vmcore_pids_pir = !strcmp(arg, "pir");
		return 0;
	case OPT_FSYNC:
		c->run.fsync = true;
		return 0;
	case OPT_FIRMWARE:
		c->run.firmware = arg;
		return 0;
	case OPT_FIRMWARE_OUT:
		c->run.firmware_out = arg;
		return 0;
	case ARGP_KEY_INIT:
		st->child_inputs[0] = st->input;
		return 0;
	case ARGP_KEY_END:
		check_contradictions(c, st);
		if (!c->run.firmware != !c->run.firmware_out)
			argp_error(st, "--firmware and --firmware-out go together");
		if (!c->run.output && !c->run.vmcore && !c->run.firmware_out)
			argp_error(st, "nothing to write: give -o POST.img, --vmcore FILE and/or "
				   "--firmware-out FILE (or use 'inspect')");
		break;
	}
	return parse_common(key, arg, st);
}

static error_t parse_inspect(int key, char *arg, struct argp_state *st)
{
	struct cli *c = st->input;

	switch (key) {
	case OPT_JSON:
		c->run.json = true;
		return 0;
	case ARGP_KEY_INIT:
		st->child_inputs[0] = st->input;
		return 0;
	case 'o': case OPT_VMCORE: case OPT_VMCORE_PIDS: case OPT_FSYNC: case OPT_FIRMWARE:
	case OPT_FIRMWARE_OUT:
		argp_error(st, "%s does not apply to %s, which writes nothing", option_name(key),
			   c->cmd);
		return 0;
	case ARGP_KEY_END:
		check_contradictions(c, st);
		break;
	}
	return parse_common(key, arg, st);
}

static error_t parse_compare(int key, char *arg, struct argp_state *st)
{
	struct cli *c = st->input;

	switch (key) {
	case OPT_PROFILE: case OPT_NO_REGISTERS: case OPT_EMULATE:
		argp_error(st, "%s does not apply to compare", option_name(key));
		return 0;
	case ARGP_KEY_END:	/* an input option, parsed by the input group */
		if (c->run.cpu_state)
			argp_error(st, "--cpu-state does not apply to compare");
		break;
	}
	return parse_inspect(key, arg, st);
}

static const struct argp input_argp = { input_options, parse_common, NULL, NULL, NULL, NULL,
					NULL };
static const struct argp_child children[] = { { &input_argp, 0, "Input:", 1 }, { 0 } };

static const struct argp run_argp = {
	run_options, parse_run, "SNAPSHOT",
	"Simulate the MPIPL of a QEMU powernv snapshot taken at the crash and write what "
	"memory holds when the capture kernel boots.\v"
	"SNAPSHOT is a QEMU migration stream, a dump-guest-memory ELF or kdump file, or raw "
	"RAM (pmemsave), optionally gzip-compressed.\n\n"
	"Other commands:\n"
	"  mpiplsim inspect SNAPSHOT [--json]   show the tables, CPUs and decisions\n"
	"  mpiplsim compare A B [--json]        compare two post-MPIPL images\n"
	"  mpiplsim dmesg SNAPSHOT              the crashed kernel's log\n\n"
	"Exit status: 0 success, 1 bad input, 2 usage error, 3 I/O error.",
	children, NULL, NULL,
};

static const struct argp inspect_argp = {
	inspect_options, parse_inspect, "SNAPSHOT",
	"Show the snapshot's OPAL tables, CPUs and the simulation's decisions without "
	"writing anything.", children, NULL, NULL,
};

static const struct argp compare_argp = {
	compare_options, parse_compare, "A B",
	"Compare two post-MPIPL images (any input format) by meaning: SPIRA-H result, MDRT "
	"entries, processor dump area, thread records register by register, each preserved "
	"range and the rest of RAM. Each difference names the row of the hostboot vs QEMU v2 "
	"table it matches ([D6], ...).\vExit status: 0 equal, 1 different, 2 trouble (a "
	"missing or bad file, a usage error), as cmp and diff.", children, NULL, NULL,
};

/* Layers below name no option (STYLE.md §1): the hint an error carries is worded here. */
static struct mperr *add_hint(struct mperr *err)
{
	static const char *const hint[] = {
		[MPERR_HINT_REGISTERS] = ": give --cpu-state FILE (another snapshot of the same "
					 "moment) or --no-registers",
		[MPERR_HINT_OPAL_BASE] = " (--opal-base, or give the table addresses)",
		[MPERR_HINT_TABLE_ADDRS] = " (--mdst, --mddt, --mdrt, --proc-dump)",
		[MPERR_HINT_FORMAT] = "; --format FMT forces one",
	};
	size_t n;

	if (!err || err->hint <= MPERR_HINT_NONE ||
	    (size_t)err->hint >= sizeof(hint) / sizeof(hint[0]))
		return err;
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, "%s", hint[err->hint]);
	err->hint = MPERR_HINT_NONE;	/* worded once */
	return err;
}

/* --- mpiplsim dmesg: the kernel log, as makedumpfile --dump-dmesg prints it --- */

static const struct argp_option dmesg_options[] = { { 0 } };

static error_t parse_dmesg(int key, char *arg, struct argp_state *st)
{
	if (key == ARGP_KEY_INIT) {
		st->child_inputs[0] = st->input;
		return 0;
	}
	return parse_common(key, arg, st);
}

static const struct argp dmesg_argp = {
	dmesg_options, parse_dmesg, "SNAPSHOT",
	"Print the crashed kernel's log from its printk ring buffer (Linux 5.10 and later), "
	"found through VMCOREINFO alone, one line per record as makedumpfile --dump-dmesg "
	"writes them. SNAPSHOT is any input (a vmcore, /proc/vmcore of a capture kernel, "
	"a post-MPIPL image too). VMCOREINFO comes from the ELF input's note, else from "
	"the address fadump's crash info header gives, else from a search of RAM; -v says "
	"which.", children, NULL, NULL,
};

static int report_error(struct mperr *err);

static struct mperr *dmesg_load(struct cli *c, struct snapshot *snap, struct crashed_kernel *k)
{
	struct mpipl_tables t;
	struct mperr *err;
	bool tables;

	/* a vmcore has no MPIPL tables: that only rules out the crash info header */
	err = mpipl_tables_load(&snap->ram, c->run.opal_base, &c->run.ovr, &t, NULL);
	tables = !err;
	mperr_free(err);
	err = ck_load(k, snap, tables ? &t : NULL);
	if (!err && !k->have_vi)
		err = mperr_input("no VMCOREINFO: %s", k->vi_why);
	if (!err && !k->have_log)
		err = mperr_input("kernel log: %s", k->log_why);
	return mperr_in_file(err, c->args[0]);
}

static int cmd_dmesg(struct cli *c, const struct warn_sink *w)
{
	struct snapshot snap;
	struct crashed_kernel k;
	struct mperr *err = snapshot_open(&snap, c->args[0], c->run.format, w);
	bool opened = !err;

	memset(&k, 0, sizeof(k));
	if (!err)
		err = dmesg_load(c, &snap, &k);

	if (!err && c->run.verbose)
		fprintf(stderr, "mpiplsim: %s: Linux %s, VMCOREINFO at %s0x%" PRIx64 " from %s; "
			"printk ring buffer at 0x%016" PRIx64 ": %zu records, ids 0x%" PRIx64
			"..0x%" PRIx64 "\n", TEXT_ESC(c->args[0]), TEXT_ESC(k.vi.release),
			k.vi.source == VMCI_ELF_NOTE ? "file offset " : "", k.vi.where,
			vmci_source_name(k.vi.source), k.log.prb_va, k.log.n, k.log.tail_id,
			k.log.head_id);
	if (!err)
		report_dmesg(stdout, &k.log);
	ck_free(&k);
	if (opened)
		snapshot_close(&snap);
	return report_error(err);
}

static int report_error(struct mperr *err)
{
	char buf[1024];
	int kind;

	if (!err)
		return 0;
	fflush(stdout);		/* what was printed comes first, also on one terminal */
	add_hint(err);
	mperr_format(err, buf, sizeof(buf));
	text_line(stderr, "mpiplsim: ", buf);	/* one line, escaped: text.h */
	kind = err->kind;
	mperr_free(err);
	return kind;
}

/* Before anything is read: no output replaces an input, another output or a non-file. */
static struct mperr *check_paths(const struct run_options *r)
{
	const struct named_path out[] = {
		{ "-o", r->output },
		{ "--vmcore", r->vmcore },
		{ "--firmware-out", r->firmware_out },
	};
	const struct named_path in[] = {
		{ "the snapshot", r->snapshot }, { "the --cpu-state snapshot", r->cpu_state },
		{ "the --firmware image", r->firmware },
	};

	return outfile_check(out, 3, in, 3);
}

static int cmd_run(struct cli *c, const struct warn_sink *w)
{
	struct session s;
	struct mperr *err;

	c->run.snapshot = c->args[0];
	err = check_paths(&c->run);
	if (err)
		return report_error(err);
	err = session_open(&s, &c->run, w);
	if (err && c->run.verbose)
		report_snapshot_verbose(stderr, c->run.snapshot, &s.snap);
	if (!err)
		err = session_plan(&s);
	if (!err && c->run.verbose)
		report_plan_verbose(stderr, &s);
	if (!err)
		err = session_write(&s);
	if (!err && c->run.verbose && c->run.vmcore)
		report_vmcore_hint(stderr, &s);
	if (!err && s.pr.enabled)
		report_summary(stderr, &s);
	session_close(&s);
	return report_error(err);
}

static int cmd_inspect(struct cli *c, const struct warn_sink *w)
{
	struct session s;
	struct mperr *err;

	c->run.snapshot = c->args[0];
	c->run.inspect = true;
	err = session_open(&s, &c->run, w);
	if (err && c->run.verbose)
		report_snapshot_verbose(stderr, c->run.snapshot, &s.snap);
	if (!err) {
		struct mperr *plan_err = add_hint(session_plan(&s));

		if (!plan_err && s.kernel.crash_recorded) {
			/* without it the note number is left out; the run would say why */
			mperr_free(session_find_crash_note(&s));
		}
		report_inspect(stdout, &s, plan_err, c->run.json, &c->meta);
		if (!plan_err && c->run.verbose)
			report_plan_verbose(stderr, &s);
		err = plan_err;
		/* an ELF snapshot (a vmcore too): its segments and notes as the file has them */
		if (!c->run.json && s.snap.format == SNAP_ELF) {
			struct mperr *derr;

			printf("\nELF file %s:\n", TEXT_ESC(c->args[0]));
			derr = vmcore_describe_fd(stdout, s.snap.in.fd, c->args[0]);
			err = err ? (mperr_free(derr), err) : derr;
		}
	}
	session_close(&s);
	return report_error(err);
}

static int cmd_compare(struct cli *c, const struct warn_sink *w)
{
	struct cmp_session s;
	struct mperr *err = cmp_session_run(&s, c->args[0], c->args[1], c->run.format,
					    c->run.opal_base, &c->run.ovr, w);
	int status;

	for (int i = 0; c->run.verbose && i < 2; i++)	/* zeroed if never opened: silent */
		report_snapshot_verbose(stderr, s.path[i], &s.snap[i]);
	for (int i = 0; !err && c->run.verbose && i < 2; i++)
		report_tables_verbose(stderr, s.path[i], &s.t[i], &c->run.ovr);
	if (!err)
		report_compare(stdout, &s, c->run.json, &c->meta);
	/* cmp and diff's convention: trouble of any kind is 2, never taken for "different" */
	status = err ? (report_error(err), 2) : !cmp_equal(&s.r);
	cmp_session_close(&s);
	return status;
}

/* -v, -vv, -q, --verbose, --quiet: accepted before the command too (`mpiplsim -v inspect X`) */
static bool is_global_option(const char *a)
{
	if (!strcmp(a, "--verbose") || !strcmp(a, "--quiet"))
		return true;
	return a[0] == '-' && a[1] && strspn(a + 1, "vq") == strlen(a + 1);
}

static const struct argp *command_argp(const char *a)
{
	return !strcmp(a, "inspect") ? &inspect_argp : !strcmp(a, "compare") ? &compare_argp :
	       !strcmp(a, "dmesg") ? &dmesg_argp : !strcmp(a, "run") ? &run_argp : NULL;
}

int main(int argc, char **argv)
{
	static char name[] = "mpiplsim";	/* in every message, whatever path ran us */
	struct cli c;
	struct warn_sink w = { on_warning, &c };
	const struct argp *which = &run_argp;
	int k = 1, status;

	memset(&c, 0, sizeof(c));
	c.run.opal_base = SKIBOOT_BASE;
	c.profile = -1;
	argp_err_exit_status = 2;
	outfile_install_signal_cleanup();
	while (k < argc && is_global_option(argv[k]))
		k++;
	if (k < argc && command_argp(argv[k])) {
		c.cmd = argv[k];
		which = command_argp(argv[k]);
		/* drop the command word; the global options stay for its parser */
		memmove(&argv[k], &argv[k + 1], (size_t)(argc - k) * sizeof(*argv));
		argc--;
	}
	argv[0] = name;
	argp_parse(which, argc, argv, 0, NULL, &c);
	if (which == &inspect_argp)
		status = cmd_inspect(&c, &w);
	else if (which == &compare_argp)
		status = cmd_compare(&c, &w);
	else if (which == &dmesg_argp)
		status = cmd_dmesg(&c, &w);
	else
		status = cmd_run(&c, &w);
	for (size_t i = 0; i < c.meta.n_warnings; i++)
		free(c.meta.warnings[i]);
	free(c.meta.warnings);
	/* a report that did not reach its file is no report: say so (a full disk) */
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "mpiplsim: standard output: %s\n", strerror(errno));
		return which == &compare_argp ? 2 : MPERR_IO;
	}
	return status;
}
