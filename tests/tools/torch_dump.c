/* torch_dump.c - writes what the PyTorch reference test (tests/torch_ref_test.py)
 * needs to rebuild the same model and check the C core against it.
 *
 * usage: torch_dump OUT.bin L H C M N_CTX V POS ACT B T USE_MASK SEED [ATTN]
 *   POS: learned|sinusoidal|rotary   ACT: gelu|relu   USE_MASK: 0|1
 *   ATTN: causal (default, the decoder) | bidirectional (an encoder: no mask;
 *   the file does not record it: the reader passed it)
 *
 * File (little endian):
 *   "LMTD" int32 version=2
 *   int32 L H C M n_ctx V pos act B T use_mask n_steps
 *   float lr beta1 beta2 eps weight_decay clip
 *   float min_lr; int32 warmup_steps total_steps    (the schedule, lr = peak)
 *   int32 n_views; n_views x { char name[32]; int32 ndim, shape0, shape1, decay;
 *                             uint64 offset, numel }
 *   uint64 n_params; float params[n_params]          (the weights used)
 *   int32 tokens[B*T]; int32 targets[B*T]; float mask[B*T] (ones when unused)
 *   float logits[B*T*V]; float loss; float grads[n_params]
 *   float step_loss[n_steps]; float step_norm[n_steps]  (AdamW steps, clipped)
 *   float step_lr[n_steps]     (lm_schedule_lr of each step, as used)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "models/gpt/model.h"

#include "dump_common.h"

/* the config, options and the parameter table the reference reads first */
static void write_header(FILE *f, const lm_model *m, const lm_adamw *opt, const lm_schedule *sched,
                         float lr, float clip, int B, int T, int use_mask, int n_steps) {
    const lm_config cfg = m->cfg;
    fwrite("LMTD", 1, 4, f);
    w32(f, 2);
    int32_t hdr[] = { cfg.n_layer, cfg.n_head, cfg.d_model, cfg.d_mlp, cfg.n_ctx, cfg.vocab_size,
                      (int32_t)cfg.pos, (int32_t)cfg.act, B, T, use_mask, n_steps };
    for (size_t i = 0; i < sizeof hdr / sizeof hdr[0]; i++) w32(f, hdr[i]);
    wf(f, lr); wf(f, opt->beta1); wf(f, opt->beta2); wf(f, opt->eps); wf(f, opt->weight_decay); wf(f, clip);
    wf(f, sched->min_lr); w32(f, sched->warmup_steps); w32(f, sched->total_steps);
    w32(f, m->n_views);
    for (int i = 0; i < m->n_views; i++) {
        const lm_tensor_view *v = &m->views[i];
        char name[32] = {0};
        memcpy(name, v->name, sizeof name - 1);
        fwrite(name, 1, 32, f);
        w32(f, v->ndim); w32(f, v->shape[0]); w32(f, v->shape[1]); w32(f, v->decay);
        uint64_t o = v->offset, n = v->numel;
        fwrite(&o, 8, 1, f); fwrite(&n, 8, 1, f);
    }
}

int main(int argc, char **argv) {
    if (argc != 14 && argc != 15) {
        fprintf(stderr, "usage: %s OUT L H C M N_CTX V POS ACT B T USE_MASK SEED [causal|bidirectional]\n", argv[0]);
        return 2;
    }
    int bidirectional = argc == 15 && strcmp(argv[14], "bidirectional") == 0;
    if (argc == 15 && !bidirectional && strcmp(argv[14], "causal") != 0) {
        fprintf(stderr, "ATTN is causal or bidirectional\n");
        return 2;
    }
    lm_config cfg;
    if (dump_config(argv, &cfg)) return 2;
    int B = atoi(argv[10]), T = atoi(argv[11]), use_mask = atoi(argv[12]);
    uint64_t seed = strtoull(argv[13], NULL, 10);
    const int n_steps = 10;
    const float lr = 3e-3f, clip = 1.0f;
    /* warmup 3 then cosine to min_lr at step 10: every phase within 10 steps */
    const lm_schedule sched = { lr, 3e-4f, 3, n_steps };
    lm_adamw opt = lm_adamw_default();
    lm_err err;
    lm_model m;
    if (lm_model_init(&m, &cfg, seed, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    m.bidirectional = bidirectional;

    lm_rng rng;
    lm_rng_seed(&rng, seed ^ 0x9e3779b97f4a7c15ULL);
    redraw_weights(&m, &rng);
    int N = B * T;
    int32_t *tok = malloc(sizeof(int32_t) * N), *tgt = malloc(sizeof(int32_t) * N);
    float *mask = malloc(sizeof(float) * N);
    for (int i = 0; i < N; i++) {
        tok[i] = (int32_t)lm_rng_below(&rng, (uint32_t)cfg.vocab_size);
        tgt[i] = (int32_t)lm_rng_below(&rng, (uint32_t)cfg.vocab_size);
        if (i % 7 == 3) tgt[i] = -1;   /* ignored targets */
        mask[i] = use_mask ? (lm_rng_uniform(&rng) < 0.6f ? 1.0f : 0.0f) : 1.0f;
    }
    if (lm_forward(&m, tok, tgt, use_mask ? mask : NULL, B, T, &err) ||
        lm_backward(&m, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    FILE *f = fopen(argv[1], "wb");
    if (!f) { perror(argv[1]); return 1; }
    write_header(f, &m, &opt, &sched, lr, clip, B, T, use_mask, n_steps);
    uint64_t np = m.n_params;
    fwrite(&np, 8, 1, f);
    fwrite(m.params, 4, m.n_params, f);
    fwrite(tok, 4, N, f); fwrite(tgt, 4, N, f); fwrite(mask, 4, N, f);
    for (int b = 0; b < B; b++) fwrite(lm_logits(&m, b), 4, (size_t)T * cfg.vocab_size, f);
    wf(f, m.loss);
    fwrite(m.grads, 4, m.n_params, f);

    float losses[10], norms[10], lrs[10];
    for (int s = 0; s < n_steps; s++) {
        lm_zero_grad(&m);
        if (lm_forward(&m, tok, tgt, use_mask ? mask : NULL, B, T, &err) || lm_backward(&m, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        losses[s] = m.loss;
        norms[s] = lm_clip_grad(&m, clip);
        lrs[s] = lm_schedule_lr(&sched, s);
        if (lm_adamw_step(&m, &opt, lrs[s], &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    }
    fwrite(losses, 4, n_steps, f);
    fwrite(norms, 4, n_steps, f);
    fwrite(lrs, 4, n_steps, f);
    fclose(f);
    free(tok); free(tgt); free(mask);
    lm_model_free(&m);
    return 0;
}
