/*
 * pxeinv fuzz targets: what every target shares.
 *
 * Each fuzz_*.c defines LLVMFuzzerTestOneInput() (and, when it needs a
 * fixture, LLVMFuzzerInitialize()).  It is linked twice: with libFuzzer
 * (`make fuzz`, build/fuzz/TARGET) to search for inputs, and with
 * replay.c (build/fuzz/TARGET-replay) to run the committed regression
 * inputs in the unit suite.  A broken invariant aborts with a message, so
 * that both count it as a finding.
 */
#ifndef PXEINV_FUZZ_H
#define PXEINV_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Check an invariant: on failure, say which and abort */
#define FUZZ_ASSERT(cond)                                               \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", \
				__FILE__, __LINE__, #cond);             \
			abort();                                        \
		}                                                       \
	} while (0)

/**
 * Tell whether a buffer holds a NUL-terminated string of printable ASCII.
 *
 * @v s         Buffer
 * @v size      Its size
 * @ret ok      1 when a NUL ends it within size and every byte before is
 *              printable
 */
static inline int fuzz_is_printable_string(const char *s, size_t size)
{
	const char *nul = memchr(s, '\0', size);
	const char *p;

	if (!nul)
		return 0;
	for (p = s; p < nul; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return 0;
	return 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* PXEINV_FUZZ_H */
