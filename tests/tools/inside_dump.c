/* inside_dump.c - writes what tests/inside_torch_test.py needs to check the
 * inside views (models/gpt/inside.h) against PyTorch on the same weights.
 *
 * usage: inside_dump OUT L H C M N_CTX V POS ACT T SEED LAYER HEAD QPOS
 *
 * File (little endian), hd = C / H:
 *   "LMID" int32 version=1
 *   int32 L H C M n_ctx V pos act T layer head qpos
 *   uint64 n_params; float params[n_params]   (model.h order)
 *   int32 tokens[T]
 *   lm_qk_compute(layer, head, qpos):
 *     float scores[T*T] masked[T*T] probs[T*T] q[hd] k[hd] v[hd] y[hd] contrib[C]
 *     float head_norm[H] head_share[H]
 *     float q_norm k_norm v_norm y_norm contrib_norm attn_norm
 *   for every layer l, lm_block_trace_compute(l, qpos):
 *     for each of the 9 steps: int32 size; float norm; float vec[size]
 *     float ln1_mean ln1_std ln2_mean ln2_std frac_active
 *   lm_positions_compute: int32 n_pos n_dim; float table[n_pos*n_dim]
 *     row_norm[n_pos] cos_prev[n_pos]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/gpt/inside.h"
#include "models/gpt/model.h"

#include "dump_common.h"

static int dump_qk(FILE *f, const lm_model *m, int layer, int head, int qpos, lm_err *err) {
    lm_qk q;
    if (lm_qk_compute(&q, m, 0, layer, head, qpos, err)) return -1;
    size_t TT = (size_t)q.T * q.T;
    fwrite(q.scores, 4, TT, f);
    fwrite(q.masked, 4, TT, f);
    fwrite(q.probs, 4, TT, f);
    fwrite(q.q, 4, q.hd, f); fwrite(q.k, 4, q.hd, f); fwrite(q.v, 4, q.hd, f); fwrite(q.y, 4, q.hd, f);
    fwrite(q.contrib, 4, q.C, f);
    fwrite(q.head_norm, 4, q.H, f);
    fwrite(q.head_share, 4, q.H, f);
    float n[] = {q.q_norm, q.k_norm, q.v_norm, q.y_norm, q.contrib_norm, q.attn_norm};
    fwrite(n, 4, 6, f);
    lm_qk_free(&q);
    return 0;
}

static int dump_blocks(FILE *f, const lm_model *m, int qpos, lm_err *err) {
    for (int l = 0; l < m->cfg.n_layer; l++) {
        lm_block_trace bt;
        if (lm_block_trace_compute(&bt, m, 0, l, qpos, err)) return -1;
        for (int s = 0; s < LM_BLOCK_STEPS; s++) {
            w32(f, bt.step[s].size);
            wf(f, bt.step[s].norm);
            fwrite(bt.step[s].vec, 4, bt.step[s].size, f);
        }
        float x[] = {bt.ln1_mean, bt.ln1_std, bt.ln2_mean, bt.ln2_std, bt.frac_active};
        fwrite(x, 4, 5, f);
        lm_block_trace_free(&bt);
    }
    return 0;
}

static int dump_positions(FILE *f, const lm_model *m, lm_err *err) {
    lm_positions ps;
    if (lm_positions_compute(&ps, m, err)) return -1;
    w32(f, ps.n_pos); w32(f, ps.n_dim);
    fwrite(ps.table, 4, (size_t)ps.n_pos * ps.n_dim, f);
    fwrite(ps.row_norm, 4, ps.n_pos, f);
    fwrite(ps.cos_prev, 4, ps.n_pos, f);
    lm_positions_free(&ps);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 15) {
        fprintf(stderr, "usage: %s OUT L H C M N_CTX V POS ACT T SEED LAYER HEAD QPOS\n", argv[0]);
        return 2;
    }
    lm_config cfg;
    if (dump_config(argv, &cfg)) return 2;
    int T = atoi(argv[10]), layer = atoi(argv[12]), head = atoi(argv[13]), qpos = atoi(argv[14]);
    uint64_t seed = strtoull(argv[11], NULL, 10);
    lm_err err = {{0}};
    lm_model m;
    if (lm_model_init(&m, &cfg, seed, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    lm_rng rng;
    lm_rng_seed(&rng, seed ^ 0x9e3779b97f4a7c15ULL);
    redraw_weights(&m, &rng);
    int32_t *tok = malloc(sizeof(int32_t) * T);
    for (int i = 0; i < T; i++) tok[i] = (int32_t)lm_rng_below(&rng, (uint32_t)cfg.vocab_size);
    FILE *f = fopen(argv[1], "wb");
    if (!f) { perror(argv[1]); return 1; }
    int32_t hdr[] = {cfg.n_layer, cfg.n_head, cfg.d_model, cfg.d_mlp, cfg.n_ctx, cfg.vocab_size,
                     (int32_t)cfg.pos, (int32_t)cfg.act, T, layer, head, qpos};
    fwrite("LMID", 1, 4, f);
    w32(f, 1);
    for (size_t i = 0; i < sizeof hdr / sizeof hdr[0]; i++) w32(f, hdr[i]);
    uint64_t np = m.n_params;
    fwrite(&np, 8, 1, f);
    fwrite(m.params, 4, m.n_params, f);
    fwrite(tok, 4, T, f);
    int rc = lm_forward(&m, tok, NULL, NULL, 1, T, &err);
    if (!rc) rc = dump_qk(f, &m, layer, head, qpos, &err);
    if (!rc) rc = dump_blocks(f, &m, qpos, &err);
    if (!rc) rc = dump_positions(f, &m, &err);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    fclose(f);
    free(tok);
    lm_model_free(&m);
    return rc ? 1 : 0;
}
