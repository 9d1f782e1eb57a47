/*
 * report_kernel.c - the crashed kernel in inspect (text and JSON), and the
 * kernel log as `mpiplsim dmesg` prints it: byte for byte the lines of
 * makedumpfile --dump-dmesg (printk.c dump_record()).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

#define INSPECT_LOG_LINES	12u	/* without a panic */
#define INSPECT_LOG_BEFORE	6u	/* records before the panic */
#define INSPECT_LOG_MAX		40u

/*
 * One record's text, escaped as makedumpfile escapes it: a newline continues
 * on a new line indented under the text; printable ASCII and the other
 * white-space characters (\t \v \f \r) pass; every other byte is \xNN.
 * The only place log text from the guest reaches a terminal.
 */
static void put_text(FILE *out, const uint8_t *p, size_t len, int indent)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t c = p[i];

		if (c == '\n')
			fprintf(out, "\n%-*s", indent, "");
		else if ((c >= 0x20 && c < 0x7f) || (c >= '\t' && c <= '\r'))	/* isspace() */
			fputc(c, out);
		else
			fprintf(out, "\\x%02x", c);
	}
}

/* prefix: "" for dmesg; inspect indents its lines, continuation lines included */
static void put_record(FILE *out, const char *prefix, const struct printk_record *r)
{
	int indent = fprintf(out, "%s[%5" PRIu64 ".%06" PRIu64 "] ", prefix,
			     r->ts_nsec / 1000000000u, r->ts_nsec % 1000000000u / 1000u);

	put_text(out, r->text, r->len, indent);
	fputc('\n', out);
}

void report_dmesg(FILE *out, const struct printk_log *log)
{
	for (size_t i = 0; i < log->n; i++)
		put_record(out, "", &log->rec[i]);
}

/*
 * The records around the panic: from a few before the last record saying
 * "Kernel panic" to the end of the log (the panic's own stack dump follows
 * it), at most INSPECT_LOG_MAX; without a panic, the last INSPECT_LOG_LINES.
 */
static size_t log_tail(const struct printk_log *log, size_t *first)
{
	size_t start = log->n > INSPECT_LOG_LINES ? log->n - INSPECT_LOG_LINES : 0;

	for (size_t i = log->n; i-- > 0;)
		if (memmem(log->rec[i].text, log->rec[i].len, "Kernel panic", 12)) {
			start = i > INSPECT_LOG_BEFORE ? i - INSPECT_LOG_BEFORE : 0;
			break;
		}
	if (log->n - start > INSPECT_LOG_MAX)
		start = log->n - INSPECT_LOG_MAX;
	*first = start;
	return log->n;
}

static const char *fadump_state(enum ck_fadump f)
{
	switch (f) {
	case CK_REGISTERED: return "registered";
	case CK_NOT_REGISTERED: return "not registered";
	case CK_NO_TAG: return "no kernel tag";
	case CK_NO_TABLES: return "no MPIPL tables";
	default: return "unreadable";
	}
}

static const char *magic_name(enum kf_magic m)
{
	return m == KF_FADMPSIG ? "FADMPSIG" : m == KF_FADMPINF ? "FADMPINF" : "none";
}

/* The vCPU whose PIR is pir, or -1. */
static long vcpu_of(const struct cpu_set *set, uint32_t pir)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->cpu[i].pir_known && set->cpu[i].pir == pir)
			return (long)set->cpu[i].index;
	return -1;
}

static void print_vmcoreinfo(FILE *out, const struct crashed_kernel *k)
{
	const struct vmcoreinfo *v = &k->vi;

	if (!k->have_vi) {
		fprintf(out, "  VMCOREINFO: not found (%s)\n", k->vi_why);
		return;
	}
	fprintf(out, "  release   %s\n  build id  %s\n", v->release[0] ? v->release : "(none)",
		v->build_id[0] ? v->build_id : "(none)");
	if (v->source == VMCI_ELF_NOTE)
		fprintf(out, "  VMCOREINFO note at file offset 0x%" PRIx64 " (%s), 0x%zx bytes\n",
			v->where, vmci_source_name(v->source), v->len);
	else if (v->source == VMCI_SCAN)
		fprintf(out, "  VMCOREINFO note at 0x%" PRIx64 " (%s; %u found), 0x%zx bytes\n",
			v->where, vmci_source_name(v->source), v->n_candidates, v->len);
	else
		fprintf(out, "  VMCOREINFO note at 0x%" PRIx64 " (%s: 0x%" PRIx64 "%s), 0x%zx "
			"bytes\n", v->where, vmci_source_name(v->source), k->vi_pointer,
			k->vi_pointer != v->where ? ", its preserved copy" : "", v->len);
}

static void print_crash(FILE *out, const struct session *s, const struct crashed_kernel *k,
			long note)
{
	long vcpu = vcpu_of(s->cpus, k->crashing_cpu);

	if (k->fadump != CK_REGISTERED) {
		fprintf(out, "  fadump    %s: %s\n", fadump_state(k->fadump), k->fadump_why);
		fprintf(out, "  crash     none recorded\n");
		return;
	}
	fprintf(out, "  fadump    registered: opal_fadump_mem_struct at 0x%" PRIx64
		" (kernel tag), %u of %u regions registered\n", k->fdm_gpa, k->registered_regions,
		k->region_cnt);
	fprintf(out, "  crash info header at 0x%" PRIx64 ": %s", k->fdh_gpa, magic_name(k->magic));
	if (k->magic == KF_FADMPSIG)
		fprintf(out, " version %" PRIu32, k->hdr_version);
	fputc('\n', out);
	if (!k->crash_recorded) {
		fprintf(out, "  crash     none recorded (crashing_cpu 0xffffffff): the vmcore will "
			"show no crashed CPU\n");
		return;
	}
	fprintf(out, "  crash     on PIR 0x%" PRIx32, k->crashing_cpu);
	if (vcpu >= 0)
		fprintf(out, ", vCPU %ld", vcpu);
	if (note >= 0)
		fprintf(out, ", NT_PRSTATUS note %ld of the vmcore (gdb: thread %ld with "
			"--vmcore-pids=pir)", note + 1, note + 1);
	fprintf(out, "; NIP 0x%016" PRIx64 " LR 0x%016" PRIx64 "%s\n", k->crash_nip, k->crash_lr,
		k->vi.crashtime ? ", CRASHTIME in VMCOREINFO" : "");
}

void report_kernel(FILE *out, const struct session *s, const struct crashed_kernel *k, long note)
{
	size_t first, end;

	fprintf(out, "\ncrashed kernel\n");
	print_vmcoreinfo(out, k);
	print_crash(out, s, k, note);
	if (!k->have_vi)
		return;
	if (!k->have_log) {
		fprintf(out, "  kernel log: unreadable (%s)\n", k->log_why);
		return;
	}
	end = log_tail(&k->log, &first);
	fprintf(out, "  kernel log: %zu records; records %zu-%zu of them:\n", k->log.n, first + 1,
		end);
	for (size_t i = first; i < end; i++)
		put_record(out, "    ", &k->log.rec[i]);
}

void report_vmcore_hint(FILE *out, const struct session *s)
{
	const struct crashed_kernel *k = &s->kernel;
	const char *core = s->o->vmcore;

	if (!k->crash_recorded || s->crash_note < 0) {
		fprintf(out, "mpiplsim: %s: no crashed CPU among its %u NT_PRSTATUS notes (%s); "
			"gdb, drgn and crash show the CPUs as the firmware saved them\n", core,
			s->n_cpu_notes, k->crash_recorded ? "its PIR has no thread record" :
			"no crash recorded");
		return;
	}
	fprintf(out, "mpiplsim: %s: the crash ran on PIR 0x%" PRIx32 ", NT_PRSTATUS note %ld of "
		"%u; to reach it:\n", core, k->crashing_cpu, s->crash_note + 1, s->n_cpu_notes);
	if (s->o->vmcore_pids_pir)
		fprintf(out, "  gdb-multiarch vmlinux %s -ex 'thread %ld' -ex bt\n", core,
			s->crash_note + 1);
	else
		fprintf(out, "  gdb: every note has pr_pid 0 as Linux writes it, so gdb shows "
			"one thread; write the vmcore with --vmcore-pids=pir, then gdb-multiarch "
			"vmlinux %s -ex 'thread %ld' -ex bt\n", core, s->crash_note + 1);
	fprintf(out, "  drgn -c %s -s vmlinux: prog.crashed_thread().stack_trace() (drgn 0.0.22 "
		"unwinds two frames only: it takes LR as the PC of a kernel NT_PRSTATUS note)\n"
		"  crash vmlinux %s: bt (crash 8.0.4 or later for Linux 6.12)\n", core, core);
}

json_t *report_kernel_json(const struct session *s, const struct crashed_kernel *k, long note);

static json_t *hexj(uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "0x%" PRIx64, v);
	return json_string(b);
}

/* A record's text as makedumpfile would print it (escaped), for JSON. */
static json_t *text_json(const struct printk_record *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	json_t *j;

	if (!m)
		return json_null();
	put_text(m, r->text, r->len, 0);
	fclose(m);
	j = json_stringn(buf, len);
	free(buf);
	return j ? j : json_null();
}

json_t *report_kernel_json(const struct session *s, const struct crashed_kernel *k, long note)
{
	json_t *o = json_object(), *log = json_array();
	size_t first, end;
	long vcpu = vcpu_of(s->cpus, k->crashing_cpu);

	json_object_set_new(o, "fadump", json_string(fadump_state(k->fadump)));
	json_object_set_new(o, "fadump_detail", json_string(k->fadump_why));
	json_object_set_new(o, "kernel_tag", hexj(k->kernel_tag));
	json_object_set_new(o, "crash_info_header", k->fadump == CK_REGISTERED ?
				hexj(k->fdh_gpa) : json_null());
	json_object_set_new(o, "crash_info_magic", json_string(magic_name(k->magic)));
	json_object_set_new(o, "crash_recorded", json_boolean(k->crash_recorded));
	json_object_set_new(o, "crashing_pir", k->crash_recorded ? hexj(k->crashing_cpu) :
				json_null());
	json_object_set_new(o, "crashing_vcpu", k->crash_recorded && vcpu >= 0 ?
				json_integer(vcpu) : json_null());
	json_object_set_new(o, "vmcore_note", k->crash_recorded && note >= 0 ?
				json_integer(note + 1) : json_null());
	json_object_set_new(o, "release", k->have_vi ? json_string(k->vi.release) : json_null());
	json_object_set_new(o, "build_id", k->have_vi ? json_string(k->vi.build_id) :
				json_null());
	json_object_set_new(o, "vmcoreinfo_source", json_string(k->have_vi ?
				vmci_source_name(k->vi.source) : k->vi_why));
	json_object_set_new(o, "vmcoreinfo", k->have_vi && k->vi.source != VMCI_ELF_NOTE ?
				hexj(k->vi.where) : json_null());
	json_object_set_new(o, "log_records", json_integer(k->have_log ? (json_int_t)k->log.n :
							   0));
	if (k->have_log) {
		end = log_tail(&k->log, &first);
		for (size_t i = first; i < end; i++) {
			json_t *r = json_object();

			json_object_set_new(r, "seq", json_integer((json_int_t)k->log.rec[i].seq));
			json_object_set_new(r, "ts_nsec",
					    json_integer((json_int_t)k->log.rec[i].ts_nsec));
			json_object_set_new(r, "text", text_json(&k->log.rec[i]));
			json_array_append_new(log, r);
		}
	}
	json_object_set_new(o, "log_tail", log);
	return o;
}
