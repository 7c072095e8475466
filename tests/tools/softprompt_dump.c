/* softprompt_dump.c - writes what tests/softprompt_torch_test.py needs to
 * check prompt tuning's soft inputs (model.h, "soft inputs") against
 * PyTorch on the same weights: the forward loss with P soft vectors in
 * place of the first P token embeddings, the gradient w.r.t. those vectors
 * and w.r.t. every weight, and the KV-cache decoder's logits with the soft
 * vectors in front.
 *
 * usage: softprompt_dump OUT L H C M N_CTX V POS ACT B T P SEED
 *        (a random model: weights redrawn as dump_common.h does, soft
 *        vectors N(0, 1))
 *        softprompt_dump OUT --files MODEL SOFT B T SEED
 *        (a model file and a soft prompt trained for it, e.g. the shipped
 *        models/base.llm and models/softprompt.llm)
 *
 * File (little endian):
 *   "LMSP" int32 version=1
 *   int32 L H C M n_ctx V pos act B T P
 *   uint64 n_params; float params[n_params]   (model.h order)
 *   float soft[P*C]
 *   int32 tokens[B*T]; int32 targets[B*T]; float mask[B*T]
 *   float loss                                 lm_forward with the soft inputs
 *   float logits[B*T*V]
 *   float soft_grad[P*C]                       lm_backward into the soft vectors
 *   float grads[n_params]                      lm_backward into the weights
 *   float kv_logits[T*V]                       lm_forward_next over row 0, token by token
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/modelfile.h"
#include "models/gpt/model.h"
#include "models/softprompt/softprompt.h"

#include "dump_common.h"

static int dump(FILE *f, lm_model *m, const float *soft, int P, const int32_t *tok, const int32_t *tgt,
                const float *mask, int B, int T, lm_err *err) {
    const lm_config c = m->cfg;
    int V = c.vocab_size, C = c.d_model;
    int32_t hdr[] = {c.n_layer, c.n_head, c.d_model, c.d_mlp, c.n_ctx, c.vocab_size, (int32_t)c.pos, (int32_t)c.act,
                     B, T, P};
    fwrite("LMSP", 1, 4, f);
    w32(f, 1);
    for (size_t i = 0; i < sizeof hdr / sizeof hdr[0]; i++) w32(f, hdr[i]);
    uint64_t np = m->n_params;
    fwrite(&np, 8, 1, f);
    fwrite(m->params, 4, m->n_params, f);
    fwrite(soft, 4, (size_t)P * C, f);
    fwrite(tok, 4, (size_t)B * T, f);
    fwrite(tgt, 4, (size_t)B * T, f);
    fwrite(mask, 4, (size_t)B * T, f);
    float *soft_grad = calloc((size_t)P * C, sizeof(float)), *lg = malloc(sizeof(float) * V);
    if (!soft_grad || !lg) return lm_fail(err, "out of memory");
    int rc = lm_model_set_soft_inputs(m, soft, soft_grad, P, err);
    if (rc == 0) rc = lm_forward(m, tok, tgt, mask, B, T, err);
    if (rc == 0) {
        wf(f, m->loss);
        for (int b = 0; b < B; b++) fwrite(lm_logits(m, b), 4, (size_t)T * V, f);
        lm_zero_grad(m);
        rc = lm_backward(m, err);
    }
    if (rc == 0) {
        fwrite(soft_grad, 4, (size_t)P * C, f);
        fwrite(m->grads, 4, m->n_params, f);
    }
    lm_kv kv;
    if (rc == 0 && (rc = lm_kv_init(&kv, m, err)) == 0) {
        for (int t = 0; t < T && rc == 0; t++)
            if ((rc = lm_forward_next(m, &kv, tok[t], lg, err)) == 0) fwrite(lg, 4, V, f);
        lm_kv_free(&kv);
    }
    lm_model_set_soft_inputs(m, NULL, NULL, 0, err);
    free(soft_grad);
    free(lg);
    return rc;
}

int main(int argc, char **argv) {
    int files = argc == 8 && strcmp(argv[2], "--files") == 0;
    if (argc != 14 && !files) {
        fprintf(stderr, "usage: %s OUT L H C M N_CTX V POS ACT B T P SEED\n"
                        "       %s OUT --files MODEL SOFT B T SEED\n", argv[0], argv[0]);
        return 2;
    }
    lm_set_threads(2);   /* the KV decoder's threaded path on the bigger models */
    lm_err err = {{0}};
    lm_model m;
    lm_softprompt sp;
    memset(&sp, 0, sizeof sp);
    float *soft = NULL;
    int B, T, P;
    uint64_t seed;
    lm_rng rng;
    if (files) {
        B = atoi(argv[5]);
        T = atoi(argv[6]);
        seed = strtoull(argv[7], NULL, 10);
        if (lm_load(&m, NULL, argv[3], &err) || lm_softprompt_load(&sp, NULL, argv[4], &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        P = sp.n_tokens;
        soft = sp.ps.params;
        lm_rng_seed(&rng, seed);
    } else {
        lm_config cfg;
        if (dump_config(argv, &cfg)) return 2;
        B = atoi(argv[10]);
        T = atoi(argv[11]);
        P = atoi(argv[12]);
        seed = strtoull(argv[13], NULL, 10);
        if (lm_model_init(&m, &cfg, seed, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        lm_rng_seed(&rng, seed ^ 0x9e3779b97f4a7c15ULL);
        redraw_weights(&m, &rng);
        soft = malloc(sizeof(float) * (size_t)P * cfg.d_model);
        for (int i = 0; i < P * cfg.d_model; i++) soft[i] = lm_rng_normal(&rng);
    }
    int V = m.cfg.vocab_size, N = B * T;
    int32_t *tok = malloc(sizeof(int32_t) * N), *tgt = malloc(sizeof(int32_t) * N);
    float *mask = malloc(sizeof(float) * N);
    for (int i = 0; i < N; i++) {   /* every third target ignored, masks 0 or 1 */
        tok[i] = (int32_t)lm_rng_below(&rng, (uint32_t)V);
        tgt[i] = i % 3 == 2 ? -1 : (int32_t)lm_rng_below(&rng, (uint32_t)V);
        mask[i] = (float)(lm_rng_below(&rng, 4) != 0);
    }
    FILE *f = fopen(argv[1], "wb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    int rc = dump(f, &m, soft, P, tok, tgt, mask, B, T, &err);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    fclose(f);
    if (!files) free(soft);
    lm_softprompt_free(&sp);
    free(tok);
    free(tgt);
    free(mask);
    lm_model_free(&m);
    return rc ? 1 : 0;
}
