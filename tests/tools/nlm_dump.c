/* nlm_dump.c - writes what the PyTorch reference test of the feed-forward
 * and recurrent LMs (tests/nlm_torch_test.py) needs to rebuild the same
 * model and check the C core against it.
 *
 * usage: nlm_dump OUT fflm V CONTEXT EMBED HIDDEN DIRECT B T SEED
 *        nlm_dump OUT rnn  V EMBED HIDDEN elman|gru B T SEED
 *
 * File (little endian):
 *   "LMNL" int32 version=1; char kind[16]; int32 n_cfg, cfg[n_cfg] (the
 *   config as the model file stores it)
 *   int32 B T n_steps; float lr beta1 beta2 eps weight_decay clip min_lr;
 *   int32 warmup total
 *   int32 n_ranges; n_ranges x { char name[32]; uint64 offset, numel; int32 decay }
 *   uint64 n; float params[n]                       (the weights used)
 *   int32 tokens[B*T], targets[B*T]
 *   float logits[B*T*V]; float loss; float grads[n]
 *   int32 n_text; int32 text[n_text]; float norms[n_text-1]  (rnn grad norms; n_text = 0 for fflm)
 *   float step_loss[n_steps], step_norm[n_steps]; float params_after[n]
 *     (n_steps clipped AdamW steps on the same batch, lm_nlm_train_step)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/fflm/fflm.h"
#include "models/rnn/rnn.h"
#include "train/nlm_step.h"

#include "dump_common.h"

/* biases are redrawn larger than PyTorch's init so that every term matters */
static void redraw_biases(lm_nlm *m, lm_rng *rng) {
    for (int i = 0; i < m->ps.n_ranges; i++) {
        const lm_param_range *r = &m->ps.ranges[i];
        if (r->decay) continue;
        for (size_t j = 0; j < r->numel; j++) m->ps.params[r->offset + j] = 0.3f * lm_rng_normal(rng);
    }
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: see the comment at the top of nlm_dump.c\n");
        return 2;
    }
    int is_rnn = strcmp(argv[2], "rnn") == 0;
    if ((!is_rnn && argc != 11) || (is_rnn && argc != 10)) {
        fprintf(stderr, "wrong number of arguments for %s\n", argv[2]);
        return 2;
    }
    lm_err err = {{0}};
    lm_nlm *m = NULL;
    int B, T;
    uint64_t seed;
    if (is_rnn) {
        lm_rnn_config c = {atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), LM_RNN_ELMAN};
        if (lm_rnn_cell_parse(argv[6], &c.cell)) { fprintf(stderr, "bad cell\n"); return 2; }
        B = atoi(argv[7]), T = atoi(argv[8]), seed = strtoull(argv[9], NULL, 10);
        if (lm_rnn_new(&m, &c, seed, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    } else {
        lm_fflm_config c = {atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), atoi(argv[7])};
        B = atoi(argv[8]), T = atoi(argv[9]), seed = strtoull(argv[10], NULL, 10);
        if (lm_fflm_new(&m, &c, seed, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    }
    lm_rng rng;
    lm_rng_seed(&rng, seed ^ 0x9e3779b97f4a7c15ULL);
    redraw_biases(m, &rng);
    const int V = m->vocab, N = B * T, n_steps = 5;
    int32_t *tok = malloc(sizeof(int32_t) * N), *tgt = malloc(sizeof(int32_t) * N);
    for (int i = 0; i < N; i++) {
        tok[i] = (int32_t)lm_rng_below(&rng, (uint32_t)V);
        tgt[i] = i % 7 == 3 ? -1 : (int32_t)lm_rng_below(&rng, (uint32_t)V);   /* some ignored targets */
    }
    float loss;
    lm_paramset_zero_grad(&m->ps);
    if (m->ops->forward(m, tok, tgt, B, T, &loss, &err) || m->ops->backward(m, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    FILE *f = fopen(argv[1], "wb");
    if (!f) { perror(argv[1]); return 1; }
    fwrite("LMNL", 1, 4, f);
    w32(f, 1);
    char kind[16] = {0};
    memcpy(kind, m->kind, strlen(m->kind));
    fwrite(kind, 1, 16, f);
    int n_cfg = (int)m->config_bytes / 4;
    int32_t cfg[8];
    lm_nlm_get_i32s(cfg, m->config, n_cfg);
    w32(f, n_cfg);
    for (int i = 0; i < n_cfg; i++) w32(f, cfg[i]);
    lm_train_opts o = lm_train_opts_default(n_steps);
    o.sched = (lm_schedule){3e-2f, 3e-3f, 2, n_steps};
    o.clip = 1.0f;
    w32(f, B); w32(f, T); w32(f, n_steps);
    wf(f, o.sched.max_lr); wf(f, o.adamw.beta1); wf(f, o.adamw.beta2); wf(f, o.adamw.eps);
    wf(f, o.adamw.weight_decay); wf(f, o.clip); wf(f, o.sched.min_lr);
    w32(f, o.sched.warmup_steps); w32(f, o.sched.total_steps);
    w32(f, m->ps.n_ranges);
    for (int i = 0; i < m->ps.n_ranges; i++) {
        const lm_param_range *r = &m->ps.ranges[i];
        char name[32] = {0};
        memcpy(name, r->name, strlen(r->name));
        fwrite(name, 1, 32, f);
        uint64_t off = r->offset, numel = r->numel;
        fwrite(&off, 8, 1, f); fwrite(&numel, 8, 1, f);
        w32(f, r->decay);
    }
    uint64_t n = m->ps.n;
    fwrite(&n, 8, 1, f);
    fwrite(m->ps.params, 4, n, f);
    fwrite(tok, 4, N, f); fwrite(tgt, 4, N, f);
    fwrite(m->out.logits, 4, (size_t)N * V, f);
    wf(f, loss);
    fwrite(m->ps.grads, 4, n, f);
    if (is_rnn) {   /* the gradient through time of a text of T+1 tokens: row 0's tokens and its last target */
        int n_text = T + 1;
        int32_t *text = malloc(sizeof(int32_t) * n_text);
        float *norms = malloc(sizeof(float) * T);
        memcpy(text, tok, sizeof(int32_t) * T);
        text[T] = (int32_t)lm_rng_below(&rng, (uint32_t)V);
        if (lm_rnn_grad_norms(m, text, n_text, norms, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
        w32(f, n_text);
        fwrite(text, 4, n_text, f);
        fwrite(norms, 4, T, f);
        free(text);
        free(norms);
    } else {
        w32(f, 0);
    }
    float losses[5], norms[5];
    for (int s = 0; s < n_steps; s++) {
        lm_step_record rec;
        if (lm_nlm_train_step(m, &(lm_batch){.B = B, .T = T, .tokens = tok, .targets = tgt}, &o, &rec, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        losses[s] = rec.loss;
        norms[s] = rec.grad_norm;
    }
    fwrite(losses, 4, n_steps, f);
    fwrite(norms, 4, n_steps, f);
    fwrite(m->ps.params, 4, n, f);
    fclose(f);
    free(tok);
    free(tgt);
    lm_nlm_free(m);
    return 0;
}
