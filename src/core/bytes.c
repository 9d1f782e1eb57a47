/* bytes.c - see bytes.h */
#include "core/bytes.h"

bool mem_is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	/* check the first 16 bytes, then compare the buffer with itself shifted */
	for (size_t i = 0; i < n && i < 16; i++)
		if (b[i])
			return false;
	return n <= 16 || memcmp(b, b + 16, n - 16) == 0;
}
