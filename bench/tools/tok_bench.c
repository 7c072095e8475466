/* tok_bench.c - times llmlab's encoding of a file (encoding only).
 *   tok_bench ENCODING FILE [IDS_OUT] [REPEATS]
 * Prints "mb_s=<float> tokens=<n>"; writes the ids (one line, spaces) to
 * IDS_OUT if given, for checking against the reference. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tok/tokenizer.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: tok_bench ENCODING FILE [IDS_OUT] [REPEATS]\n"); return 2; }
    lm_err e;
    lm_tokenizer *t = lm_tok_open(argv[1], &e);
    if (!t) { fprintf(stderr, "tok_bench: %s\n", e.msg); return 1; }
    FILE *f = fopen(argv[2], "rb");
    if (!f) { perror(argv[2]); return 1; }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "tok_bench: cannot read\n"); return 1; }
    fclose(f);
    int reps = argc > 4 ? atoi(argv[4]) : 3;
    double best = 1e30;
    lm_ids ids = {0};
    for (int r = 0; r < reps; r++) {
        ids.n = 0;
        double t0 = now();
        if (lm_tok_encode(t, buf, (size_t)n, 0, &ids, &e)) { fprintf(stderr, "tok_bench: %s\n", e.msg); return 1; }
        double dt = now() - t0;
        if (dt < best) best = dt;
    }
    if (argc > 3) {
        FILE *o = fopen(argv[3], "w");
        if (!o) { perror(argv[3]); return 1; }
        for (size_t i = 0; i < ids.n; i++) fprintf(o, i ? " %d" : "%d", ids.ids[i]);
        fputc('\n', o);
        fclose(o);
    }
    printf("mb_s=%.3f tokens=%zu\n", n / 1e6 / best, ids.n);
    lm_ids_free(&ids);
    lm_tok_free(t);
    free(buf);
    return 0;
}
