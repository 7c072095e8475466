/* threads.c - one thread count for OpenBLAS and the core's OpenMP loops. */
#include "models/gpt/model.h"
#include "nn/ops.h"

#include <omp.h>

static int g_threads = 0;   /* 0: not set, use what OpenMP / OpenBLAS chose */

void lm_set_threads(int n) {
    if (n < 1) n = 1;
    g_threads = n;
    /* OpenBLAS stays on one thread; the core splits products over n OpenMP
     * threads itself (see ops.c) */
    ops_threads_init();
    omp_set_num_threads(n);
}

int lm_get_threads(void) {
    return g_threads > 0 ? g_threads : omp_get_max_threads();
}
