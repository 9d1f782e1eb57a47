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

#include "output/outfile.h"
#include "report/elf_describe.h"
#include "report/report.h"
#include "output/session.h"

const char *argp_program_version = "mpiplsim " MPIPLSIM_VERSION;
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
};

static void on_warning(void *ctx, const char *msg)
{
	const struct cli *c = ctx;

	if (!c->run.quiet)
		fprintf(stderr, "mpiplsim: warning: %s\n", msg);
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *s == '-' ? -1 : 0;
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

static const struct argp_option inspect_options[] = {
	{ "json", OPT_JSON, NULL, 0, "One JSON document on stdout", 0 },
	{ "profile", OPT_PROFILE, "NAME", 0, "Register profile to plan with", 2 },
	{ "no-registers", OPT_NO_REGISTERS, NULL, 0, "Plan without registers", 2 },
	{ "emulate", OPT_EMULATE, "qemu-v2", 0, "Plan as the posted QEMU MPIPL series does", 2 },
	{ 0 }
};

static const struct argp_option compare_options[] = {
	{ "json", OPT_JSON, NULL, 0, "One JSON document on stdout", 0 },
	{ 0 }
};

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
		c->run.sim.profile = v;
		return 0;
	case OPT_NO_REGISTERS:
		c->run.sim.no_registers = true;
		return 0;
	case OPT_EMULATE:
		if (strcmp(arg, "qemu-v2"))
			argp_error(st, "--emulate takes qemu-v2");
		c->run.sim.mode = MODE_QEMU_V2;
		c->run.sim.profile = PROFILE_QEMU_V2;
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
	return 0;
}

/* The same name, or two names of one existing file. */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (!a || !b)
		return 0;
	if (!strcmp(a, b))
		return 1;
	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* No output may replace the firmware image or another output. */
static void check_firmware_options(const struct cli *c, struct argp_state *st)
{
	const struct run_options *r = &c->run;

	if (!r->firmware != !r->firmware_out)
		argp_error(st, "--firmware and --firmware-out go together");
	if (!r->firmware)
		return;
	if (same_file(r->firmware, r->firmware_out) || same_file(r->firmware, r->output) ||
	    same_file(r->firmware, r->vmcore))
		argp_error(st, "an output names the firmware image '%s', which is never modified",
			   r->firmware);
	if (same_file(r->firmware_out, r->output) || same_file(r->firmware_out, r->vmcore))
		argp_error(st, "--firmware-out names another output '%s'", r->firmware_out);
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
		check_firmware_options(c, st);
		if (!c->run.output && !c->run.vmcore && !c->run.firmware_out)
			argp_error(st, "nothing to write: give -o POST.img, --vmcore FILE and/or "
				   "--firmware-out FILE (or use 'inspect')");
		if (same_file(c->run.output, c->run.vmcore))
			argp_error(st, "-o and --vmcore name the same file '%s'", c->run.vmcore);
		break;
	}
	return parse_common(key, arg, st);
}

static error_t parse_inspect(int key, char *arg, struct argp_state *st)
{
	struct cli *c = st->input;

	if (key == OPT_JSON) {
		c->run.json = true;
		return 0;
	}
	if (key == ARGP_KEY_INIT) {
		st->child_inputs[0] = st->input;
		return 0;
	}
	return parse_common(key, arg, st);
}

static error_t parse_compare(int key, char *arg, struct argp_state *st)
{
	struct cli *c = st->input;

	if (key == ARGP_KEY_END && c->run.cpu_state)
		argp_error(st, "--cpu-state does not apply to compare");
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
	"  mpiplsim compare A B [--json]        compare two post-MPIPL images\n\n"
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
	"table it matches ([D6], ...).\vExit status: 0 equal, 1 different (or bad input), "
	"2 usage error, 3 I/O error.", children, NULL, NULL,
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

static int report_error(struct mperr *err)
{
	char buf[1024];
	int kind;

	if (!err)
		return 0;
	add_hint(err);
	mperr_format(err, buf, sizeof(buf));
	fprintf(stderr, "mpiplsim: %s\n", buf);
	kind = err->kind;
	mperr_free(err);
	return kind;
}

static int cmd_run(struct cli *c, const struct warn_sink *w)
{
	struct session s;
	struct mperr *err;

	c->run.snapshot = c->args[0];
	err = session_open(&s, &c->run, w);
	if (err && c->run.verbose)
		report_snapshot_verbose(stderr, c->run.snapshot, &s.snap);
	if (!err)
		err = session_plan(&s);
	if (!err && c->run.verbose)
		report_plan_verbose(stderr, &s);
	if (!err)
		err = session_write(&s);
	session_close(&s);
	return report_error(err);
}

static int cmd_inspect(struct cli *c, const struct warn_sink *w)
{
	struct session s;
	struct mperr *err;

	c->run.snapshot = c->args[0];
	err = session_open(&s, &c->run, w);
	if (err && c->run.verbose)
		report_snapshot_verbose(stderr, c->run.snapshot, &s.snap);
	if (!err) {
		struct mperr *plan_err = add_hint(session_plan(&s));

		report_inspect(stdout, &s, plan_err, c->run.json);
		if (!plan_err && c->run.verbose)
			report_plan_verbose(stderr, &s);
		err = plan_err;
		/* an ELF snapshot (a vmcore too): its segments and notes as the file has them */
		if (!c->run.json && s.snap.format == SNAP_ELF) {
			struct mperr *derr;

			printf("\nELF file %s:\n", c->args[0]);
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
		report_compare(stdout, &s, c->run.json);
	status = err ? report_error(err) : !cmp_equal(&s.r);
	cmp_session_close(&s);
	return status;
}

int main(int argc, char **argv)
{
	struct cli c;
	struct warn_sink w = { on_warning, &c };
	const struct argp *which = &run_argp;
	int first = 0;

	memset(&c, 0, sizeof(c));
	c.run.opal_base = SKIBOOT_BASE;
	argp_err_exit_status = 2;
	outfile_install_signal_cleanup();
	if (argc > 1 && (!strcmp(argv[1], "inspect") || !strcmp(argv[1], "run") ||
			 !strcmp(argv[1], "compare"))) {
		c.cmd = argv[1];
		which = !strcmp(argv[1], "inspect") ? &inspect_argp :
			!strcmp(argv[1], "compare") ? &compare_argp : &run_argp;
		first = 1;
	}
	argv[first] = argv[0];
	argp_parse(which, argc - first, argv + first, 0, NULL, &c);
	if (c.cmd && !strcmp(c.cmd, "inspect"))
		return cmd_inspect(&c, &w);
	if (c.cmd && !strcmp(c.cmd, "compare"))
		return cmd_compare(&c, &w);
	return cmd_run(&c, &w);
}
