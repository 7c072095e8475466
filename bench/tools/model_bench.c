/* model_bench.c - llmlab's side of bench/bench_model.sh on config C1
 * (4 layers, width 256, 4 heads, MLP 1024, vocab 4096, learned positions, GELU).
 *
 * usage: model_bench train THREADS [STEPS]   batch 8 x 128, context 128:
 *            zero_grad + forward + loss + backward + clip + AdamW per step
 *        model_bench gen THREADS [NEW]       batch 1, context 512, KV cache:
 *            a 16-token prompt, then NEW (256) greedy tokens timed
 *        model_bench rollout THREADS [G]    context 128: a 16-token prompt
 *            prefilled once, then 96 new tokens for each of G (16) replies,
 *            decoded together (kvbatch.h: one weight read per step) and one
 *            reply at a time (lm_forward_next); best of 3 each
 *        model_bench forward THREADS MODEL [T]  a model file: one forward pass
 *            over T (64) tokens, keeping every attention map; 50 runs
 *        model_bench step THREADS MODEL B T     a model file: one training step
 *            (forward, backward, clip, AdamW) on B x T tokens; 5 runs
 * Prints one line: "train tok_s=... ms_step=...", "gen tok_s=... ms_token=...",
 * "rollout batch=G batch_tok_s=.. single_tok_s=..",
 * "forward T=.. p50_ms=.. min_ms=.." or "step B=.. T=.. p50_ms=.. tok_s=..".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/gpt/model.h"
#include "io/modelfile.h"
#include "models/gpt/kvbatch.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static lm_config c1(int n_ctx) {
    lm_config c = { 4, 4, 256, 1024, n_ctx, 4096, LM_POS_LEARNED, LM_ACT_GELU };
    return c;
}

static int train(int steps) {
    const int B = 8, T = 128, N = B * T;
    lm_config cfg = c1(128);
    lm_model m;
    lm_err err;
    if (lm_model_init(&m, &cfg, 42, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    int32_t *tok = malloc(sizeof(int32_t) * (N + 1));
    lm_rng rng;
    lm_rng_seed(&rng, 7);
    for (int i = 0; i <= N; i++) tok[i] = (int32_t)lm_rng_below(&rng, 4096);
    lm_adamw opt = lm_adamw_default();
    double t0 = 0;
    const int warm = 2;
    for (int s = 0; s < warm + steps; s++) {
        if (s == warm) t0 = now();
        lm_zero_grad(&m);
        if (lm_forward(&m, tok, tok + 1, NULL, B, T, &err) || lm_backward(&m, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        lm_clip_grad(&m, 1.0f);
        if (lm_adamw_step(&m, &opt, 1e-3f, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    }
    double dt = now() - t0;
    printf("train tok_s=%.1f ms_step=%.2f loss=%.4f\n", (double)N * steps / dt, dt * 1e3 / steps, m.loss);
    free(tok);
    lm_model_free(&m);
    return 0;
}

static int gen(int n_new) {
    lm_config cfg = c1(512);
    lm_model m;
    lm_err err;
    lm_kv kv;
    if (lm_model_init(&m, &cfg, 42, &err) || lm_kv_init(&kv, &m, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    float *logits = malloc(sizeof(float) * cfg.vocab_size);
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        lm_kv_reset(&kv);
        int32_t t = 1;
        for (int i = 0; i < 16; i++)   /* prompt */
            if (lm_forward_next(&m, &kv, (int32_t)(i * 37 % 4096), logits, &err)) goto fail;
        double t0 = now();
        for (int i = 0; i < n_new; i++) {
            int arg = 0;
            for (int v = 1; v < cfg.vocab_size; v++) if (logits[v] > logits[arg]) arg = v;
            t = arg;
            if (lm_forward_next(&m, &kv, t, logits, &err)) goto fail;
        }
        double dt = now() - t0;
        if (dt < best) best = dt;
    }
    printf("gen tok_s=%.1f ms_token=%.3f\n", n_new / best, best * 1e3 / n_new);
    free(logits);
    lm_kv_free(&kv);
    lm_model_free(&m);
    return 0;
fail:
    fprintf(stderr, "%s\n", err.msg);
    return 1;
}

/* G replies of N_NEW greedy tokens after one 16-token prompt: together,
 * then one at a time; tokens/s of each (the prompt is not timed) */
static int rollout(int G) {
    enum { N_PROMPT = 16, N_NEW = 96 };
    lm_config cfg = c1(128);
    lm_model m;
    lm_err err;
    lm_kv kv;
    lm_kv_batch kb;
    if (lm_model_init(&m, &cfg, 42, &err) || lm_kv_init(&kv, &m, &err) || lm_kv_batch_init(&kb, &m, G, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    const int V = cfg.vocab_size;
    float *logits = malloc(sizeof(float) * (size_t)V * G);
    int32_t *tok = malloc(sizeof(int32_t) * G);
    double best_b = 1e30, best_s = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        lm_kv_reset(&kv);
        for (int i = 0; i < N_PROMPT; i++)
            if (lm_forward_next(&m, &kv, (int32_t)(i * 37 % V), logits, &err)) goto fail;
        if (lm_kv_batch_fork(&kb, &kv, &err)) goto fail;
        for (int g = 0; g < G; g++) tok[g] = (int32_t)((g * 101 + 7) % V);   /* G different first tokens */
        double t0 = now();
        for (int i = 0; i < N_NEW; i++) {
            if (lm_forward_next_batch(&m, &kb, tok, NULL, logits, &err)) goto fail;
            for (int g = 0; g < G; g++) {
                const float *z = logits + (size_t)g * V;
                int arg = 0;
                for (int v = 1; v < V; v++) if (z[v] > z[arg]) arg = v;
                tok[g] = arg;
            }
        }
        double dt = now() - t0;
        if (dt < best_b) best_b = dt;
        double ts = 0;   /* one reply at a time: each from the same prompt */
        for (int g = 0; g < G; g++) {
            lm_kv_reset(&kv);
            for (int i = 0; i < N_PROMPT; i++)
                if (lm_forward_next(&m, &kv, (int32_t)(i * 37 % V), logits, &err)) goto fail;
            int32_t t = (int32_t)((g * 101 + 7) % V);
            double t1 = now();
            for (int i = 0; i < N_NEW; i++) {
                if (lm_forward_next(&m, &kv, t, logits, &err)) goto fail;
                int arg = 0;
                for (int v = 1; v < V; v++) if (logits[v] > logits[arg]) arg = v;
                t = arg;
            }
            ts += now() - t1;
        }
        if (ts < best_s) best_s = ts;
    }
    printf("rollout batch=%d batch_tok_s=%.1f single_tok_s=%.1f\n", G, (double)G * N_NEW / best_b,
           (double)G * N_NEW / best_s);
    free(logits);
    free(tok);
    lm_kv_free(&kv);
    lm_kv_batch_free(&kb);
    lm_model_free(&m);
    return 0;
fail:
    fprintf(stderr, "%s\n", err.msg);
    return 1;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* times `runs` forward (B=1, T tokens) or training steps (B x T) of a model file */
static int time_model(const char *path, int train_step, int B, int T, int runs) {
    lm_model m;
    lm_err err;
    if (lm_load(&m, NULL, path, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    if (T > m.cfg.n_ctx) T = m.cfg.n_ctx;
    int32_t *tok = malloc(sizeof(int32_t) * ((size_t)B * T + 1));
    lm_rng rng;
    lm_rng_seed(&rng, 7);
    for (int i = 0; i <= B * T; i++) tok[i] = (int32_t)lm_rng_below(&rng, (uint32_t)m.cfg.vocab_size);
    lm_adamw opt = lm_adamw_default();
    double *ms = malloc(sizeof(double) * runs);
    for (int r = -2; r < runs; r++) {   /* two warm-up runs */
        double t0 = now();
        int bad = 0;
        if (train_step) {
            lm_zero_grad(&m);
            bad = lm_forward(&m, tok, tok + 1, NULL, B, T, &err) || lm_backward(&m, &err);
            lm_clip_grad(&m, 1.0f);
            bad = bad || lm_adamw_step(&m, &opt, 1e-4f, &err);
        } else {
            bad = lm_forward(&m, tok, NULL, NULL, 1, T, &err);
        }
        if (bad) { fprintf(stderr, "%s\n", err.msg); return 1; }
        if (r >= 0) ms[r] = (now() - t0) * 1e3;
    }
    qsort(ms, runs, sizeof *ms, cmp_double);
    if (train_step)
        printf("step B=%d T=%d p50_ms=%.2f tok_s=%.0f\n", B, T, ms[runs / 2], B * T / (ms[runs / 2] / 1e3));
    else
        printf("forward T=%d p50_ms=%.3f min_ms=%.3f\n", T, ms[runs / 2], ms[0]);
    free(ms);
    free(tok);
    lm_model_free(&m);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s train|gen|rollout THREADS [N] | forward THREADS MODEL [T] | step THREADS MODEL B T\n", argv[0]);
        return 2;
    }
    lm_set_threads(atoi(argv[2]));
    if (strcmp(argv[1], "train") == 0) return train(argc > 3 ? atoi(argv[3]) : 8);
    if (strcmp(argv[1], "gen") == 0) return gen(argc > 3 ? atoi(argv[3]) : 256);
    if (strcmp(argv[1], "rollout") == 0) return rollout(argc > 3 && atoi(argv[3]) > 0 ? atoi(argv[3]) : 16);
    if (strcmp(argv[1], "forward") == 0 && argc > 3)
        return time_model(argv[3], 0, 1, argc > 4 ? atoi(argv[4]) : 64, 50);
    if (strcmp(argv[1], "step") == 0 && argc > 5)
        return time_model(argv[3], 1, atoi(argv[4]), atoi(argv[5]), 5);
    fprintf(stderr, "unknown mode %s\n", argv[1]);
    return 2;
}
