/* bigmem.h - allocation of the core's large float buffers (parameters,
 * gradients, optimizer moments, activations, KV caches).
 *
 * Contract
 * - lm_big_alloc(n) returns room for n floats, zeroed, or NULL when out of
 *   memory (or n == 0). Release it with free().
 * - Buffers of 2 MB and more are aligned to 2 MB and advised as huge pages
 *   (madvise MADV_HUGEPAGE, which Debian's default "madvise" setting honours):
 *   decoding one token streams every weight once, and with 4 KB pages that
 *   stream pays a TLB miss (a nested page walk under a hypervisor) every
 *   1,024 floats. Smaller buffers come from calloc. */
#ifndef LM_BIGMEM_H
#define LM_BIGMEM_H

#include <stddef.h>

float *lm_big_alloc(size_t n);

#endif
