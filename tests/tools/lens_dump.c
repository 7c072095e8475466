/* lens_dump.c - writes what tests/lens_torch_test.py needs to check the
 * logit lens and head ablation against PyTorch on the same weights.
 *
 * usage: lens_dump OUT L H C M N_CTX V POS ACT T SEED SPEC
 *   POS: learned|sinusoidal|rotary   ACT: gelu|relu   SPEC: heads to ablate
 *   ("L.H,..." as --ablate reads it)
 *
 * File (little endian), V = vocab, R = L + 1 rows of the lens:
 *   "LMLD" int32 version=1
 *   int32 L H C M n_ctx V pos act T
 *   uint64 n_params; float params[n_params]   (model.h order)
 *   uint8 mask[L*H]                           (the parsed SPEC)
 *   int32 tokens[T]; int32 targets[T]
 *   float logits[T*V]                          lm_forward, no ablation
 *   float lens[R*T*V]                          lm_logit_lens of every (row, position)
 *   int32 target; float target_p[R]            lm_lens_compute (last position, default target)
 *   int32 top[R*T]; float top_p[R*T]           lm_lens_compute's grid
 *   float abl_logits[T*V]                      lm_forward with the mask
 *   float abl_lens[R*T*V]                      lm_logit_lens of that forward
 *   float abl_kv[T*V]                          lm_forward_next, token by token, with the mask
 *   float abl_ref[T*V]                         lm_forward_next_ref, the same
 *   float abl_loss; float abl_grads[n_params]  lm_backward of the ablated forward
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/gpt/decode_ref.h"
#include "models/gpt/lens.h"
#include "models/gpt/model.h"

#include "dump_common.h"

/* lm_logit_lens of every row and position of the last forward: [R, T, V] */
static int write_lens(FILE *f, const lm_model *m, int T, lm_err *err) {
    int V = m->cfg.vocab_size;
    float *lg = malloc(sizeof(float) * V);
    for (int r = 0; r <= m->cfg.n_layer; r++)
        for (int t = 0; t < T; t++) {
            if (lm_logit_lens(m, r, 0, t, lg, err)) { free(lg); return -1; }
            fwrite(lg, 4, V, f);
        }
    free(lg);
    return 0;
}

/* the decoders token by token: [T, V] */
static int write_decode(FILE *f, const lm_model *m, const int32_t *tok, int T, int ref, lm_err *err) {
    lm_kv kv;
    int V = m->cfg.vocab_size;
    float *lg = malloc(sizeof(float) * V);
    if (lm_kv_init(&kv, m, err)) return -1;
    for (int t = 0; t < T; t++) {
        int rc = ref ? lm_forward_next_ref(m, &kv, tok[t], lg, err) : lm_forward_next(m, &kv, tok[t], lg, err);
        if (rc) return -1;
        fwrite(lg, 4, V, f);
    }
    lm_kv_free(&kv);
    free(lg);
    return 0;
}

static int write_lens_struct(FILE *f, const lm_model *m, lm_err *err) {
    lm_lens lz;
    if (lm_lens_compute(&lz, m, 0, -1, -1, 3, err)) return -1;
    w32(f, lz.target);
    fwrite(lz.target_p, 4, lz.n_rows, f);
    fwrite(lz.top, 4, (size_t)lz.n_rows * lz.T, f);
    fwrite(lz.top_p, 4, (size_t)lz.n_rows * lz.T, f);
    lm_lens_free(&lz);
    return 0;
}

static int dump(FILE *f, lm_model *m, const uint8_t *mask, const int32_t *tok, const int32_t *tgt,
                int T, lm_err *err) {
    const lm_config c = m->cfg;
    int32_t hdr[] = {c.n_layer, c.n_head, c.d_model, c.d_mlp, c.n_ctx, c.vocab_size,
                     (int32_t)c.pos, (int32_t)c.act, T};
    fwrite("LMLD", 1, 4, f);
    w32(f, 1);
    for (size_t i = 0; i < sizeof hdr / sizeof hdr[0]; i++) w32(f, hdr[i]);
    uint64_t np = m->n_params;
    fwrite(&np, 8, 1, f);
    fwrite(m->params, 4, m->n_params, f);
    fwrite(mask, 1, (size_t)c.n_layer * c.n_head, f);
    fwrite(tok, 4, T, f);
    fwrite(tgt, 4, T, f);
    if (lm_forward(m, tok, NULL, NULL, 1, T, err)) return -1;
    fwrite(lm_logits(m, 0), 4, (size_t)T * c.vocab_size, f);
    if (write_lens(f, m, T, err) || write_lens_struct(f, m, err)) return -1;
    if (lm_model_set_ablation(m, mask, err)) return -1;
    if (lm_forward(m, tok, tgt, NULL, 1, T, err)) return -1;
    fwrite(lm_logits(m, 0), 4, (size_t)T * c.vocab_size, f);
    if (write_lens(f, m, T, err)) return -1;
    float loss = m->loss;
    lm_zero_grad(m);
    if (lm_backward(m, err)) return -1;
    if (write_decode(f, m, tok, T, 0, err) || write_decode(f, m, tok, T, 1, err)) return -1;
    fwrite(&loss, 4, 1, f);
    fwrite(m->grads, 4, m->n_params, f);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 13) {
        fprintf(stderr, "usage: %s OUT L H C M N_CTX V POS ACT T SEED SPEC\n", argv[0]);
        return 2;
    }
    lm_config cfg;
    if (dump_config(argv, &cfg)) return 2;
    int T = atoi(argv[10]);
    uint64_t seed = strtoull(argv[11], NULL, 10);
    lm_set_threads(2);   /* the bigger configs take the KV decoder's threaded path */
    lm_err err = {{0}};
    lm_model m;
    if (lm_model_init(&m, &cfg, seed, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    lm_rng rng;
    lm_rng_seed(&rng, seed ^ 0x9e3779b97f4a7c15ULL);
    redraw_weights(&m, &rng);
    uint8_t *mask = malloc((size_t)cfg.n_layer * cfg.n_head);
    int32_t *tok = malloc(sizeof(int32_t) * T), *tgt = malloc(sizeof(int32_t) * T);
    if (lm_ablation_parse(&cfg, argv[12], mask, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
    for (int i = 0; i < T; i++) {
        tok[i] = (int32_t)lm_rng_below(&rng, (uint32_t)cfg.vocab_size);
        tgt[i] = (int32_t)lm_rng_below(&rng, (uint32_t)cfg.vocab_size);
    }
    FILE *f = fopen(argv[1], "wb");
    if (!f) { perror(argv[1]); return 1; }
    int rc = dump(f, &m, mask, tok, tgt, T, &err);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    fclose(f);
    free(mask); free(tok); free(tgt);
    lm_model_free(&m);
    return rc ? 1 : 0;
}
