/* bpe_train_bench.c - times lm_bpe_train on a file.
 *   bpe_train_bench FILE VOCAB [PRETOK]     PRETOK: none | gpt2 | gpt4 | o200k_base
 * Prints "bench bpe_train seconds=<float>" on stdout (the wall time of the
 * whole training, pre-tokenisation included) and details on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tok/bpe_train.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s FILE VOCAB [none|gpt2|gpt4|o200k_base]\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 1; }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *text = malloc(n > 0 ? (size_t)n : 1);
    if (!text || fread(text, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "read failed\n"); return 1; }
    fclose(f);

    lm_err err;
    lm_bpe_train_opts o = {.vocab_size = atoi(argv[2])};
    if (lm_bpe_pattern_by_name(argc > 3 ? argv[3] : "gpt2", &o.pattern, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    lm_bpe_merges m;
    double t0 = now();
    if (lm_bpe_train(text, (size_t)n, &o, &m, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    double dt = now() - t0;
    fprintf(stderr, "bytes=%ld pretok=%s merges=%d pieces=%zu distinct=%zu last_count=%lld\n", n,
            argc > 3 ? argv[3] : "gpt2", m.n_merges, m.n_pieces, m.n_unique,
            m.n_merges ? (long long)m.merges[m.n_merges - 1].count : 0LL);
    fflush(stderr);
    printf("bench bpe_train seconds=%.3f\n", dt);
    lm_bpe_merges_free(&m);
    free(text);
    return 0;
}
