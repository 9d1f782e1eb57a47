/*
 * fuzz_vmdesc.c - libFuzzer target: the vmdescription JSON handling alone
 * (vmdesc.c). The input is split at its first NUL: the JSON text before it,
 * and after it the bytes of a "cpu" device section (instance 0, version 5)
 * that the description then walks, as the mig reader does. Seeds: the real
 * fixtures' JSON (tests/fuzz/seeds/vmdesc). `make fuzz` builds and runs it.
 */
#include <stdint.h>
#include <string.h>

#include "input/vmdesc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mperr *see_field(void *ctx, const struct vmdesc_field *f)
{
	volatile uint8_t sink;

	(void)ctx;
	if (f->size && f->count)
		sink = f->data[f->size * f->count - 1];	/* must be inside the section */
	(void)sink;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t json_len = nul ? (size_t)(nul - data) : size;
	struct vmdesc *vd = NULL;
	struct mperr *err;
	size_t rec;

	(void)vmdesc_locate(data, size, &rec);
	err = vmdesc_parse(&vd, data, json_len, 0);
	if (!err) {
		struct cur c = cur_make(nul ? nul + 1 : data + size, nul ? size - json_len - 1 : 0);

		(void)vmdesc_page_size(vd);
		mperr_free(vmdesc_walk_device(vd, "cpu", 0, 5, &c, see_field, NULL));
		c = cur_make(nul ? nul + 1 : data + size, nul ? size - json_len - 1 : 0);
		mperr_free(vmdesc_walk_config_sub(vd, "configuration/capabilities", &c));
	}
	mperr_free(err);
	vmdesc_free(vd);
	return 0;
}
