/* vmdesc.c - see vmdesc.h */
#include "input/vmdesc.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define VM_VMDESCRIPTION 0x06
#define VM_SUBSECTION 0x05
#define NULLPTR_MARKER 0x30	/* '0': a NULL element of a pointer array, §2.7 */
#define MAX_DEPTH 32		/* nested structs/subsections; QEMU uses a handful */
/*
 * Steps (field visits, device and subsection look-ups) for the whole stream,
 * against hostile JSON: real streams take under 200 (the fixtures: 137, 177),
 * and a look-up or a walk of a crafted file stops here instead of taking time
 * that grows with the product of the stream's and the JSON's sizes.
 */
#define WALK_BUDGET (1u << 22)

struct vmdesc_dev {
	const char *name;
	uint32_t instance;
	const json_t *desc;
};

struct vmdesc {
	json_t *root;
	uint64_t page_size;
	struct vmdesc_dev *dev;
	size_t n_dev;
	size_t next;		/* devices come in stream order: try this one first */
	const json_t *config;	/* "configuration", newer QEMU only */
	uint64_t budget;	/* steps left, WALK_BUDGET for the stream */
};

struct walk {
	struct cur *c;
	uint64_t *budget;	/* the stream's (vmdesc.budget) */
	vmdesc_field_fn fn;	/* for depth 0 only */
	void *ctx;
};

bool vmdesc_locate(const uint8_t *map, size_t len, size_t *rec_off)
{
	size_t end = len;

	/* JSON text never holds a raw 0x06, so the record start is the last 0x06 that fits */
	while (end > 0) {
		const uint8_t *p = memrchr(map, VM_VMDESCRIPTION, end);
		size_t off;

		if (!p)
			return false;
		off = (size_t)(p - map);
		if (len - off > 5 && ld_be32(p + 1) == len - off - 5 && p[5] == '{') {
			*rec_off = off;
			return true;
		}
		end = off;
	}
	return false;
}

static struct mperr *get_uint(const json_t *obj, const char *key, uint64_t max, uint64_t *v,
			      bool *present)
{
	const json_t *j = json_object_get(obj, key);

	if (present)
		*present = j != NULL;
	if (!j && present)
		return NULL;
	if (!json_is_integer(j) || json_integer_value(j) < 0 ||
	    (uint64_t)json_integer_value(j) > max)
		return mperr_input("vmdescription: \"%s\" is %s", key,
				   j ? "not an integer in range" : "missing");
	*v = (uint64_t)json_integer_value(j);
	return NULL;
}

static struct mperr *add_devices(struct vmdesc *vd, const json_t *devs)
{
	size_t i;
	const json_t *d;

	if (!json_is_array(devs))
		return mperr_input("vmdescription: no \"devices\" array");
	vd->dev = calloc(json_array_size(devs) ? json_array_size(devs) : 1, sizeof(*vd->dev));
	if (!vd->dev)
		return mperr_nomem();
	json_array_foreach(devs, i, d) {
		const char *name = json_string_value(json_object_get(d, "name"));
		uint64_t inst;
		struct mperr *err;

		if (!json_is_object(d) || !name)
			return mperr_input("vmdescription: device %zu has no name", i);
		err = get_uint(d, "instance_id", UINT32_MAX, &inst, NULL);
		if (err)
			return mperr_prefix(err, "device %zu (\"%s\")", i, name);
		vd->dev[vd->n_dev++] = (struct vmdesc_dev){ name, (uint32_t)inst, d };
	}
	return NULL;
}

struct mperr *vmdesc_parse(struct vmdesc **out, const uint8_t *json, size_t len, size_t base)
{
	struct vmdesc *vd = calloc(1, sizeof(*vd));
	struct mperr *err = NULL;
	json_error_t jerr;
	bool has_ps;

	*out = NULL;
	if (!vd)
		return mperr_nomem();
	vd->root = json_loadb((const char *)json, len, 0, &jerr);
	if (!vd->root) {
		err = mperr_at(mperr_input("vmdescription is not valid JSON: line %d column %d: %s",
					   jerr.line, jerr.column, jerr.text),
			       base + (jerr.position > 0 ? (size_t)jerr.position : 0));
		goto fail;
	}
	if (!json_is_object(vd->root)) {
		err = mperr_at(mperr_input("vmdescription is not a JSON object"), base);
		goto fail;
	}
	err = get_uint(vd->root, "page_size", UINT32_MAX, &vd->page_size, &has_ps);
	if (!err)
		err = add_devices(vd, json_object_get(vd->root, "devices"));
	if (err) {
		err = mperr_at(err, base);
		goto fail;
	}
	vd->config = json_object_get(vd->root, "configuration");
	vd->budget = WALK_BUDGET;
	*out = vd;
	return NULL;
fail:
	vmdesc_free(vd);
	return err;
}

void vmdesc_free(struct vmdesc *vd)
{
	if (!vd)
		return;
	json_decref(vd->root);
	free(vd->dev);
	free(vd);
}

uint64_t vmdesc_page_size(const struct vmdesc *vd)
{
	return vd->page_size;
}

static struct mperr *walk_desc(struct walk *w, const json_t *desc, int depth);

static struct mperr *truncated(const struct cur *c, const char *what, uint64_t need)
{
	return mperr_at(mperr_input("%s needs 0x%" PRIx64 " bytes at 0x%zx, only 0x%zx left",
				    what, need, cur_pos(c), cur_left(c)),
			cur_pos(c));
}

/* One element of a VMSTATE_STRUCT field: its own fields and subsections, exactly size bytes. */
static struct mperr *walk_struct_elem(struct walk *w, const json_t *sdesc, const char *name,
				      uint64_t size, int depth)
{
	size_t start = cur_pos(w->c);
	struct mperr *err = walk_desc(w, sdesc, depth + 1);

	if (err)
		return mperr_prefix(err, "struct \"%s\"", name);
	if (cur_pos(w->c) - start != size)
		return mperr_at(mperr_input("struct \"%s\" at 0x%zx: its fields take 0x%zx bytes, the vmdescription says 0x%" PRIx64,
					    name, start, cur_pos(w->c) - start, size),
				start);
	return NULL;
}

/* A migration capability: u8 length + name (savevm.c vmstate_info_capability). */
static struct mperr *walk_capabilities(struct walk *w, const char *name, uint64_t count)
{
	for (uint64_t i = 0; i < count; i++) {
		const uint8_t *p;
		uint8_t n = 0;

		if (!cur_u8(w->c, &n) || !cur_take(w->c, n, &p))
			return mperr_prefix(truncated(w->c, "capability name", n), "field \"%s\"",
					    name);
	}
	return NULL;
}

static struct mperr *walk_field(struct walk *w, const json_t *f, int depth)
{
	const char *name = json_string_value(json_object_get(f, "name"));
	const char *type = json_string_value(json_object_get(f, "type"));
	struct vmdesc_field vf;
	uint64_t total;
	bool has_len;
	struct mperr *err;

	if (!name)
		return mperr_at(mperr_input("vmdescription: field without a name"), cur_pos(w->c));
	if (!type)
		type = "";
	vf = (struct vmdesc_field){ name, 0, 1, cur_pos(w->c), w->c->base + cur_pos(w->c) };
	err = get_uint(f, "size", SIZE_MAX, &vf.size, NULL);
	if (!err)
		err = get_uint(f, "array_len", SIZE_MAX, &vf.count, &has_len);
	if (err)
		return mperr_at(mperr_prefix(err, "field \"%s\"", name), cur_pos(w->c));
	if (!has_len)
		vf.count = 1;
	if (!*w->budget)
		return mperr_at(mperr_input("vmdescription too complex at field \"%s\" (%u steps)",
					    name, WALK_BUDGET), cur_pos(w->c));
	--*w->budget;
	if (!strcmp(type, "capability")) {
		/* elements have their own lengths; "size" is only the first one's */
		if (vf.count > cur_left(w->c))
			return mperr_prefix(truncated(w->c, "capability list", vf.count),
					    "field \"%s\"", name);
		err = walk_capabilities(w, name, vf.count);
		if (err)
			return err;
		total = cur_pos(w->c) - vf.off;
		/* the contract is data = size * count bytes: report the list as one element */
		vf.size = total;
		vf.count = 1;
		goto report;
	}
	if (__builtin_mul_overflow(vf.size, vf.count, &total))
		return mperr_at(mperr_input("field \"%s\": %" PRIu64 " x 0x%" PRIx64 " bytes "
					    "overflows 64 bits", name, vf.count, vf.size),
				vf.off);
	if (total > cur_left(w->c))
		return mperr_prefix(truncated(w->c, "data", total), "field \"%s\" (%" PRIu64
				    " x 0x%" PRIx64 " bytes)", name, vf.count, vf.size);
	if (!strcmp(type, "struct")) {
		const json_t *sdesc = json_object_get(f, "struct");
		/* zero-sized elements are all alike: walking one checks them all */
		uint64_t n = vf.size ? vf.count : (vf.count ? 1 : 0);

		if (!json_is_object(sdesc))
			return mperr_at(mperr_input("vmdescription: struct field \"%s\" has no description",
						    name), vf.off);
		for (uint64_t i = 0; i < n; i++) {
			err = walk_struct_elem(w, sdesc, name, vf.size, depth);
			if (err)
				return err;
		}
	} else {
		const uint8_t *p;

		if (!strcmp(type, "nullptr") && vf.size == 1 && vf.count >= 1 &&
		    *vf.data != NULLPTR_MARKER)
			return mperr_at(mperr_input("field \"%s\": NULL pointer marker is 0x%02x, expected 0x30",
						    name, *vf.data), vf.off);
		cur_take(w->c, total, &p);	/* checked above */
	}
report:
	if (depth == 0 && w->fn)
		return w->fn(w->ctx, &vf);
	return NULL;
}

/* 0x05, u8 name length, name, be32 version, then the subsection's own description. */
static struct mperr *walk_subsection(struct walk *w, const json_t *sub, int depth)
{
	const char *want = json_string_value(json_object_get(sub, "vmsd_name"));
	size_t off = cur_pos(w->c), wlen;
	const uint8_t *name;
	uint8_t tag, len;
	uint32_t ver;
	uint64_t jver;
	bool has_ver;
	struct mperr *err;

	if (!want)
		return mperr_at(mperr_input("vmdescription: subsection without a vmsd_name"), off);
	wlen = strlen(want);
	if (!cur_u8(w->c, &tag))
		return truncated(w->c, "subsection", 1);
	if (tag != VM_SUBSECTION)
		return mperr_at(mperr_input("expected subsection \"%s\" (0x05) at 0x%zx, found 0x%02x",
					    want, off, tag), off);
	if (!cur_u8(w->c, &len) || !cur_take(w->c, len, &name) || !cur_be32(w->c, &ver))
		return mperr_prefix(truncated(w->c, "subsection header", 4), "subsection \"%s\"",
				    want);
	if (len != wlen || memcmp(name, want, wlen))
		return mperr_at(mperr_input("subsection at 0x%zx is \"%.*s\", the vmdescription expects \"%s\"",
					    off, (int)len, (const char *)name, want), off);
	err = get_uint(sub, "version", UINT32_MAX, &jver, &has_ver);
	if (!err && has_ver && jver != ver)
		err = mperr_at(mperr_input("subsection \"%s\" at 0x%zx: version %" PRIu32 ", the vmdescription says %" PRIu64,
					   want, off, ver, jver), off);
	if (!err)
		err = walk_desc(w, sub, depth + 1);
	return err ? mperr_prefix(err, "subsection \"%s\"", want) : NULL;
}

static struct mperr *walk_desc(struct walk *w, const json_t *desc, int depth)
{
	const json_t *fields = json_object_get(desc, "fields");
	const json_t *subs = json_object_get(desc, "subsections");
	const json_t *x;
	struct mperr *err;
	size_t i;

	if (depth > MAX_DEPTH)
		return mperr_at(mperr_input("vmdescription nests deeper than %d levels", MAX_DEPTH),
				cur_pos(w->c));
	if (!json_is_array(fields) || (subs && !json_is_array(subs)))
		return mperr_at(mperr_input("vmdescription: no field list"), cur_pos(w->c));
	json_array_foreach(fields, i, x) {
		err = walk_field(w, x, depth);
		if (err)
			return err;
	}
	json_array_foreach(subs, i, x) {
		err = walk_subsection(w, x, depth);
		if (err)
			return err;
	}
	return NULL;
}

static const struct vmdesc_dev *find_dev(struct vmdesc *vd, const char *name, uint32_t instance)
{
	/* one step per device looked at: out-of-order sections cost, in-order ones do not */
	for (size_t k = 0; k < vd->n_dev && vd->budget; k++, vd->budget--) {
		size_t i = (vd->next + k) % vd->n_dev;

		if (vd->dev[i].instance == instance && !strcmp(vd->dev[i].name, name)) {
			vd->next = i + 1;
			return &vd->dev[i];
		}
	}
	return NULL;
}

struct mperr *vmdesc_walk_device(struct vmdesc *vd, const char *name, uint32_t instance,
				 uint32_t version, struct cur *c, vmdesc_field_fn fn, void *ctx)
{
	const struct vmdesc_dev *d = find_dev(vd, name, instance);
	struct walk w = { c, &vd->budget, fn, ctx };
	uint64_t jver;
	bool has_ver;
	struct mperr *err;

	if (!d && !vd->budget)
		return mperr_at(mperr_input("vmdescription too complex: %u steps spent looking up devices and fields",
					    WALK_BUDGET), cur_pos(c));
	if (!d)
		return mperr_at(mperr_input("no vmdescription entry for this device, so the length of its data is unknown"),
				cur_pos(c));
	err = get_uint(d->desc, "version", UINT32_MAX, &jver, &has_ver);
	if (!err && has_ver && jver != version)
		err = mperr_input("section version %" PRIu32 ", the vmdescription says %" PRIu64,
				  version, jver);
	if (err)
		return mperr_at(err, cur_pos(c));
	return walk_desc(&w, d->desc, 0);
}

struct mperr *vmdesc_walk_config_sub(struct vmdesc *vd, const char *name, struct cur *c)
{
	const json_t *subs = vd ? json_object_get(vd->config, "subsections") : NULL;
	struct walk w = { c, vd ? &vd->budget : NULL, NULL, NULL };
	const json_t *x;
	size_t i;

	json_array_foreach(subs, i, x) {
		const char *n = json_string_value(json_object_get(x, "vmsd_name"));

		if (!vd->budget)
			return mperr_input("vmdescription too complex: %u steps spent", WALK_BUDGET);
		vd->budget--;
		if (n && !strcmp(n, name))
			return walk_desc(&w, x, 1);
	}
	/* the caller knows where the subsection starts */
	return mperr_input("unknown configuration subsection \"%s\" that the vmdescription does not describe",
			   name);
}
