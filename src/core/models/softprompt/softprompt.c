/* softprompt.c - the soft prompt: its vectors, its file and its place in
 * front of a frozen model (see softprompt.h). */
#include "models/softprompt/softprompt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "base/rng.h"
#include "io/crc32.h"
#include "io/modelfile.h"
#include "models/gpt/embed.h"

#define MAX_WIDTH 8192
#define MAX_VOCAB (1 << 20)

/* ---- config bytes: i32 P, i32 C, i32 V, u32 weights CRC (little-endian) ---- */

int lm_softprompt_check_config(const uint8_t *config, uint32_t config_bytes, uint64_t n_params, lm_err *err) {
    if (config_bytes != LM_SOFTPROMPT_CONFIG_BYTES)
        return lm_fail(err, "bad soft prompt: its config is %u bytes, not %u", config_bytes, LM_SOFTPROMPT_CONFIG_BYTES);
    int32_t P = lm_le_get_i32(config), C = lm_le_get_i32(config + 4), V = lm_le_get_i32(config + 8);
    if (P < 1 || P > LM_SOFTPROMPT_MAX_TOKENS)
        return lm_fail(err, "bad soft prompt: %d vectors (1..%d)", P, LM_SOFTPROMPT_MAX_TOKENS);
    if (C < 1 || C > MAX_WIDTH) return lm_fail(err, "bad soft prompt: width %d (1..%d)", C, MAX_WIDTH);
    if (V < 1 || V > MAX_VOCAB) return lm_fail(err, "bad soft prompt: vocabulary %d (1..%d)", V, MAX_VOCAB);
    if (n_params != (uint64_t)P * (uint64_t)C)
        return lm_fail(err, "bad soft prompt: %llu parameters, %d vectors of width %d need %llu",
                       (unsigned long long)n_params, P, C, (unsigned long long)P * (unsigned long long)C);
    return 0;
}

uint32_t lm_softprompt_weights_crc(const lm_model *m) {
    return lm_crc32(0, m->params, m->n_params * sizeof(float));
}

/* the numbers, the config bytes and the checkpoint view, for P x C */
static int alloc_sp(lm_softprompt *sp, int P, int C, int V, uint32_t crc, lm_err *err) {
    memset(sp, 0, sizeof *sp);
    lm_param_range r = {.name = "prompt", .numel = (size_t)P * (size_t)C, .decay = 0};
    if (lm_paramset_alloc(&sp->ps, &r, 1, err)) return -1;
    sp->n_tokens = P;
    sp->d_model = C;
    sp->vocab_size = V;
    sp->base_crc = crc;
    lm_le_put_u32(sp->config, (uint32_t)P);
    lm_le_put_u32(sp->config + 4, (uint32_t)C);
    lm_le_put_u32(sp->config + 8, (uint32_t)V);
    lm_le_put_u32(sp->config + 12, crc);
    memcpy(sp->ckpt.head.kind, LM_KIND_SOFTPROMPT, sizeof LM_KIND_SOFTPROMPT);
    sp->ckpt.head.config = sp->config;
    sp->ckpt.head.config_bytes = LM_SOFTPROMPT_CONFIG_BYTES;
    sp->ckpt.ps = &sp->ps;
    return 0;
}

int lm_softprompt_init(lm_softprompt *sp, const lm_model *base, int n_tokens, uint64_t seed, lm_err *err) {
    if (!sp || !base || !base->params) return lm_fail(err, "soft prompt: missing model");
    int C = base->cfg.d_model, V = base->cfg.vocab_size;
    if (n_tokens < 1 || n_tokens > LM_SOFTPROMPT_MAX_TOKENS)
        return lm_fail(err, "soft prompt: %d vectors; between 1 and %d", n_tokens, LM_SOFTPROMPT_MAX_TOKENS);
    if (n_tokens >= base->cfg.n_ctx)
        return lm_fail(err, "soft prompt: %d vectors leave no room in the context of %d", n_tokens, base->cfg.n_ctx);
    if (alloc_sp(sp, n_tokens, C, V, lm_softprompt_weights_crc(base), err)) return -1;
    const lm_tensor_view *wte = lm_find_tensor(base, "wte");
    lm_rng r;
    lm_rng_seed(&r, seed);
    int lo = V > 256 ? 256 : 0;   /* sampled vocabulary: whole tokens, not single bytes */
    for (int p = 0; p < n_tokens; p++) {
        int id = lo + (int)lm_rng_below(&r, (uint32_t)(V - lo));
        memcpy(sp->ps.params + (size_t)p * C, base->params + wte->offset + (size_t)id * C, sizeof(float) * C);
    }
    return 0;
}

void lm_softprompt_free(lm_softprompt *sp) {
    if (!sp) return;
    lm_paramset_free(&sp->ps);
    memset(sp, 0, sizeof *sp);
}

int lm_softprompt_attach(lm_softprompt *sp, lm_model *m, lm_err *err) {
    if (m->cfg.d_model != sp->d_model || m->cfg.vocab_size != sp->vocab_size)
        return lm_fail(err, "the soft prompt was made for a model of width %d and vocabulary %d; this one has %d "
                            "and %d", sp->d_model, sp->vocab_size, m->cfg.d_model, m->cfg.vocab_size);
    uint32_t crc = lm_softprompt_weights_crc(m);
    if (crc != sp->base_crc)
        return lm_fail(err, "the soft prompt was trained on a model whose weights have CRC %08x; this model's are "
                            "%08x (another model, or changed since)", sp->base_crc, crc);
    if (sp->n_tokens >= m->cfg.n_ctx)
        return lm_fail(err, "%d soft vectors leave no room in the context of %d", sp->n_tokens, m->cfg.n_ctx);
    return lm_model_set_soft_inputs(m, sp->ps.params, sp->ps.grads, sp->n_tokens, err);
}

void lm_softprompt_detach(lm_model *m) { lm_model_set_soft_inputs(m, NULL, NULL, 0, NULL); }

int lm_softprompt_save(lm_softprompt *sp, const char *meta, const char *path, lm_err *err) {
    return lm_checkpoint_save_kind(&sp->ckpt, meta, path, err);
}

int lm_softprompt_load(lm_softprompt *sp, char **meta, const char *path, lm_err *err) {
    if (meta) *meta = NULL;
    lm_file_parts p;
    if (lm_load_parts(&p, path, err)) return -1;
    int rc = -1;
    if (strcmp(p.kind, LM_KIND_SOFTPROMPT) != 0) {
        lm_fail(err, "%s is a %s model, not a soft prompt (train one with `llmlab prompt-tune train`)", path, p.kind);
    } else if (lm_softprompt_check_config(p.config, p.config_bytes, p.n_params, err) == 0 &&
               alloc_sp(sp, lm_le_get_i32(p.config), lm_le_get_i32(p.config + 4), lm_le_get_i32(p.config + 8), lm_le_get_u32(p.config + 12),
                        err) == 0) {
        memcpy(sp->ps.params, p.params, sizeof(float) * sp->ps.n);
        sp->ps.adam_t = p.adam_t;
        rc = lm_checkpoint_load_moments(&sp->ps, path, err);   /* 0, 1 (fresh moments) or -1 */
        if (rc < 0) lm_softprompt_free(sp);
    }
    if (rc >= 0 && meta) {
        *meta = p.metadata;
        p.metadata = NULL;
    }
    lm_file_parts_free(&p);
    return rc;
}

/* ---- what the vectors are near ---- */

int lm_softprompt_nearest(const lm_softprompt *sp, const lm_model *base, const lm_tokenizer *tok, int k,
                          lm_softprompt_near *out, lm_err *err) {
    memset(out, 0, sizeof *out);
    if (base->cfg.d_model != sp->d_model) return lm_fail(err, "the soft prompt and the model differ in width");
    lm_emb_space s;
    if (lm_gpt_embed_space(base, tok, &s, err)) return -1;
    int P = sp->n_tokens, C = sp->d_model, rc = 0;
    out->hits = calloc((size_t)P, sizeof *out->hits);
    out->norm = calloc((size_t)P, sizeof *out->norm);
    if (!out->hits || !out->norm) rc = lm_fail(err, "out of memory");
    out->n_tokens = P;
    for (int p = 0; p < P && rc == 0; p++) {
        const float *v = sp->ps.params + (size_t)p * C;
        double ss = 0;
        for (int j = 0; j < C; j++) ss += (double)v[j] * v[j];
        out->norm[p] = (float)sqrt(ss);
        rc = lm_emb_nearest(&s, v, NULL, 0, k, &out->hits[p], err);
    }
    double sum = 0;
    for (int i = 0; i < s.V; i++) sum += s.norm[i];
    out->mean_token_norm = (float)(sum / s.V);
    out->k = rc == 0 && P > 0 ? out->hits[0].k : 0;
    lm_emb_close(&s);
    if (rc) lm_softprompt_near_free(out);
    return rc;
}

void lm_softprompt_near_free(lm_softprompt_near *n) {
    for (int p = 0; n->hits && p < n->n_tokens; p++) lm_emb_hits_free(&n->hits[p]);
    free(n->hits);
    free(n->norm);
    memset(n, 0, sizeof *n);
}
