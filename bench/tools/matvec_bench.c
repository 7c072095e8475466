/* matvec_bench.c - decoding's matrix-vector product, one thread:
 * cblas_sgemv (OpenBLAS) against lm_matvec (src/core/nn/matvec.c).
 *
 * usage: matvec_bench [ROWS COLS]   (default: each C1 shape in turn)
 * The weights of one shape are repeated until they fill 17 MB (C1's weights
 * read per token), and the products run over them in turn, as decoding does,
 * so the numbers are bandwidth from the last-level cache, not from L1.
 * Prints one line per shape: "matvec RxC sgemv_gb_s=.. llmlab_gb_s=.. ratio=..". */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/bigmem.h"
#include "nn/matvec.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int shape(int rows, int cols) {
    size_t per = (size_t)rows * cols, copies = ((size_t)17 << 20) / (per * sizeof(float));
    if (copies < 1) copies = 1;
    float *w = lm_big_alloc(per * copies), *x = malloc(sizeof(float) * cols);
    float *y = malloc(sizeof(float) * rows);
    if (!w || !x || !y) {
        fprintf(stderr, "out of memory\n");
        free(w); free(x); free(y);
        return 1;
    }
    for (size_t i = 0; i < per * copies; i++) w[i] = (float)(i % 13) * 0.01f;
    for (int i = 0; i < cols; i++) x[i] = 1.0f / (float)(i + 1);
    size_t reps = (size_t)400e6 / per + copies;
    double best_blas = 1e30, best_ours = 1e30;
    for (int round = 0; round < 3; round++) {
        double t0 = now();
        for (size_t r = 0; r < reps; r++)
            cblas_sgemv(CblasRowMajor, CblasNoTrans, rows, cols, 1.0f, w + (r % copies) * per, cols,
                        x, 1, 0.0f, y, 1);
        double t1 = now();
        for (size_t r = 0; r < reps; r++)
            lm_matvec(y, w + (r % copies) * per, (size_t)cols, x, rows, cols, 0);
        double t2 = now();
        if (t1 - t0 < best_blas) best_blas = t1 - t0;
        if (t2 - t1 < best_ours) best_ours = t2 - t1;
    }
    double bytes = (double)per * sizeof(float) * reps;
    printf("matvec %dx%d sgemv_gb_s=%.1f llmlab_gb_s=%.1f ratio=%.2f\n", rows, cols,
           bytes / best_blas / 1e9, bytes / best_ours / 1e9, best_blas / best_ours);
    free(w); free(x); free(y);
    return 0;
}

int main(int argc, char **argv) {
    openblas_set_num_threads(1);
    if (argc == 3) return shape(atoi(argv[1]), atoi(argv[2]));
    if (argc != 1) {
        fprintf(stderr, "usage: %s [ROWS COLS]\n", argv[0]);
        return 2;
    }
    /* C1: q|k|v rows of two heads, MLP up (half), MLP down (half the columns
     * of 1024), the tied head (half of 4096 rows) */
    int shapes[][2] = { { 128, 256 }, { 512, 256 }, { 256, 512 }, { 2048, 256 } };
    for (int i = 0; i < 4; i++)
        if (shape(shapes[i][0], shapes[i][1])) return 1;
    return 0;
}
