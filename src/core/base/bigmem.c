/* bigmem.c - large, huge-page-advised float buffers (see bigmem.h). */
#include "base/bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

float *lm_big_alloc(size_t n) {
    if (n == 0 || n > SIZE_MAX / sizeof(float) - HUGE_PAGE) return NULL;
    size_t bytes = n * sizeof(float);
    if (bytes < HUGE_PAGE) return calloc(n, sizeof(float));
    bytes = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, bytes) != 0) return NULL;
    (void)madvise(p, bytes, MADV_HUGEPAGE);   /* advice only: fine if refused */
    memset(p, 0, bytes);
    return p;
}
