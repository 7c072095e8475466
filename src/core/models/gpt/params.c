/* params.c - the parameter layout of the model: config checks, the table of
 * named views into the one parameter buffer, GPT-2 initialisation, freeing.
 *
 * Layout (see model.h), offsets in floats, in this order:
 *   wte [V, C]; wpe [n_ctx, C] (learned positions only);
 *   per layer L: ln1.w [C], ln1.b [C], attn.w_qkv [3C, C], attn.b_qkv [3C],
 *                attn.w_o [C, C], attn.b_o [C], ln2.w [C], ln2.b [C],
 *                mlp.w_fc [M, C], mlp.b_fc [M], mlp.w_proj [C, M], mlp.b_proj [C];
 *   ln_f.w [C], ln_f.b [C].
 */
#include "base/bigmem.h"
#include "models/gpt/model.h"
#include "models/gpt/model_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bounds beyond the ones that matter for lectures keep every size
 * computation far away from overflow (a model file is outside input). */
#define LM_MAX_LAYER 64
#define LM_MAX_DMODEL 65536
#define LM_MAX_DMLP 262144
#define LM_MAX_CTX 65536
#define LM_MAX_VOCAB 1000000

int lm_config_check(const lm_config *cfg, lm_err *err) {
    if (!cfg) return lm_fail(err, "config: missing");
    if (cfg->n_layer < 1 || cfg->n_layer > LM_MAX_LAYER)
        return lm_fail(err, "config: n_layer must be in 1..%d (got %d)", LM_MAX_LAYER, cfg->n_layer);
    if (cfg->n_head < 1)
        return lm_fail(err, "config: n_head must be >= 1 (got %d)", cfg->n_head);
    if (cfg->d_model < 1 || cfg->d_model > LM_MAX_DMODEL)
        return lm_fail(err, "config: d_model must be in 1..%d (got %d)", LM_MAX_DMODEL, cfg->d_model);
    if (cfg->d_model % cfg->n_head != 0)
        return lm_fail(err, "config: d_model (%d) must be divisible by n_head (%d)",
                       cfg->d_model, cfg->n_head);
    if (cfg->pos != LM_POS_LEARNED && cfg->pos != LM_POS_SINUSOIDAL && cfg->pos != LM_POS_ROTARY)
        return lm_fail(err, "config: pos must be learned, sinusoidal or rotary (got %d)", (int)cfg->pos);
    if (cfg->pos == LM_POS_ROTARY && (cfg->d_model / cfg->n_head) % 2 != 0)
        return lm_fail(err, "config: head dim d_model/n_head (%d) must be even for rotary positions",
                       cfg->d_model / cfg->n_head);
    if (cfg->d_mlp < 1 || cfg->d_mlp > LM_MAX_DMLP)
        return lm_fail(err, "config: d_mlp must be in 1..%d (got %d)", LM_MAX_DMLP, cfg->d_mlp);
    if (cfg->n_ctx < 1 || cfg->n_ctx > LM_MAX_CTX)
        return lm_fail(err, "config: n_ctx must be in 1..%d (got %d)", LM_MAX_CTX, cfg->n_ctx);
    if (cfg->vocab_size < 1 || cfg->vocab_size > LM_MAX_VOCAB)
        return lm_fail(err, "config: vocab_size must be in 1..%d (got %d)", LM_MAX_VOCAB, cfg->vocab_size);
    if (cfg->act != LM_ACT_GELU && cfg->act != LM_ACT_RELU)
        return lm_fail(err, "config: act must be gelu or relu (got %d)", (int)cfg->act);
    return 0;
}

const char *lm_pos_name(lm_pos_kind k) {
    switch (k) {
    case LM_POS_LEARNED: return "learned";
    case LM_POS_SINUSOIDAL: return "sinusoidal";
    case LM_POS_ROTARY: return "rotary";
    }
    return "?";
}

const char *lm_act_name(lm_act_kind k) {
    switch (k) {
    case LM_ACT_GELU: return "gelu";
    case LM_ACT_RELU: return "relu";
    }
    return "?";
}

int lm_pos_parse(const char *s, lm_pos_kind *out) {
    if (!s) return -1;
    if (strcmp(s, "learned") == 0) { *out = LM_POS_LEARNED; return 0; }
    if (strcmp(s, "sinusoidal") == 0) { *out = LM_POS_SINUSOIDAL; return 0; }
    if (strcmp(s, "rotary") == 0) { *out = LM_POS_ROTARY; return 0; }
    return -1;
}

int lm_act_parse(const char *s, lm_act_kind *out) {
    if (!s) return -1;
    if (strcmp(s, "gelu") == 0) { *out = LM_ACT_GELU; return 0; }
    if (strcmp(s, "relu") == 0) { *out = LM_ACT_RELU; return 0; }
    return -1;
}

/* Number of views for cfg (which must be valid). */
static int view_count(const lm_config *cfg) {
    return 1 + (cfg->pos == LM_POS_LEARNED ? 1 : 0) + 12 * cfg->n_layer + 2;
}

/* Appends one view at *off; numel = d0 * d1 (d1 = 1 and ndim = 1 for vectors). */
static void add_view(lm_tensor_view *v, int *n, size_t *off, const char *name,
                     int ndim, int d0, int d1) {
    lm_tensor_view *t = &v[(*n)++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ndim = ndim;
    t->shape[0] = d0;
    t->shape[1] = ndim == 2 ? d1 : 0;
    t->numel = (size_t)d0 * (ndim == 2 ? (size_t)d1 : 1u);
    t->offset = *off;
    t->decay = ndim == 2;
    *off += t->numel;
}

/* Fills views (capacity view_count(cfg)) and returns the total float count. */
static size_t build_views(const lm_config *cfg, lm_tensor_view *views, int *n_views) {
    int n = 0;
    size_t off = 0;
    const int C = cfg->d_model, M = cfg->d_mlp, V = cfg->vocab_size;
    char name[32];
    add_view(views, &n, &off, "wte", 2, V, C);
    if (cfg->pos == LM_POS_LEARNED) add_view(views, &n, &off, "wpe", 2, cfg->n_ctx, C);
    for (int l = 0; l < cfg->n_layer; l++) {
#define V_(suffix, nd, a, b) \
        snprintf(name, sizeof name, "h.%d.%s", l, suffix); add_view(views, &n, &off, name, nd, a, b)
        V_("ln1.w", 1, C, 0);
        V_("ln1.b", 1, C, 0);
        V_("attn.w_qkv", 2, 3 * C, C);
        V_("attn.b_qkv", 1, 3 * C, 0);
        V_("attn.w_o", 2, C, C);
        V_("attn.b_o", 1, C, 0);
        V_("ln2.w", 1, C, 0);
        V_("ln2.b", 1, C, 0);
        V_("mlp.w_fc", 2, M, C);
        V_("mlp.b_fc", 1, M, 0);
        V_("mlp.w_proj", 2, C, M);
        V_("mlp.b_proj", 1, C, 0);
#undef V_
    }
    add_view(views, &n, &off, "ln_f.w", 1, C, 0);
    add_view(views, &n, &off, "ln_f.b", 1, C, 0);
    *n_views = n;
    return off;
}

size_t lm_param_count(const lm_config *cfg) {
    if (lm_config_check(cfg, NULL) != 0) return 0;
    /* With the bounds of lm_config_check this fits easily in 64 bits. */
    const size_t L = (size_t)cfg->n_layer, C = (size_t)cfg->d_model, M = (size_t)cfg->d_mlp;
    size_t n = (size_t)cfg->vocab_size * C;
    if (cfg->pos == LM_POS_LEARNED) n += (size_t)cfg->n_ctx * C;
    n += L * (4 * C + 3 * C * C + 3 * C + C * C + C + M * C + M + C * M + C);
    n += 2 * C;
    return n;
}

int lm_model_alloc(lm_model *m, const lm_config *cfg, lm_err *err) {
    if (!m) return lm_fail(err, "model: missing");
    memset(m, 0, sizeof *m);
    if (lm_config_check(cfg, err) != 0) return -1;
    m->cfg = *cfg;
    int nv = view_count(cfg);
    m->views = calloc((size_t)nv, sizeof *m->views);
    if (!m->views) return lm_fail(err, "out of memory for %d tensor views", nv);
    m->n_params = build_views(cfg, m->views, &m->n_views);
    if (m->n_params != lm_param_count(cfg) || m->n_views != nv) {   /* cannot happen */
        lm_model_free(m);
        return lm_fail(err, "internal error: parameter layout mismatch");
    }
    m->params = lm_big_alloc(m->n_params);
    if (!m->params) {
        size_t n = m->n_params;
        lm_model_free(m);
        return lm_fail(err, "out of memory for %zu parameters (%.1f MB)", n,
                       (double)n * sizeof(float) / 1e6);
    }
    return 0;
}

int lm_model_init(lm_model *m, const lm_config *cfg, uint64_t seed, lm_err *err) {
    if (lm_model_alloc(m, cfg, err) != 0) return -1;
    lm_rng rng;
    lm_rng_seed(&rng, seed);
    const float std = 0.02f;
    const float std_resid = 0.02f / sqrtf(2.0f * (float)cfg->n_layer);
    for (int i = 0; i < m->n_views; i++) {
        const lm_tensor_view *v = &m->views[i];
        float *p = m->params + v->offset;
        size_t len = strlen(v->name);
        if (v->ndim == 2) {
            int resid = (len >= 8 && strcmp(v->name + len - 8, "attn.w_o") == 0) ||
                        (len >= 10 && strcmp(v->name + len - 10, "mlp.w_proj") == 0);
            float s = resid ? std_resid : std;
            for (size_t j = 0; j < v->numel; j++) p[j] = s * lm_rng_normal(&rng);
        } else {
            /* LayerNorm weights ("...ln1.w", "...ln2.w", "ln_f.w") are 1, everything else 0 */
            float val = (len >= 2 && strcmp(v->name + len - 2, ".w") == 0) ? 1.0f : 0.0f;
            for (size_t j = 0; j < v->numel; j++) p[j] = val;
        }
    }
    return 0;
}

int lm_model_clone(lm_model *dst, const lm_model *src, lm_err *err) {
    if (!src || !src->params) return lm_fail(err, "clone: no model to copy");
    if (lm_model_alloc(dst, &src->cfg, err) != 0) return -1;
    memcpy(dst->params, src->params, sizeof(float) * src->n_params);
    if (src->tokenizer_len) {
        dst->tokenizer_blob = malloc(src->tokenizer_len);
        if (!dst->tokenizer_blob) {
            lm_model_free(dst);
            return lm_fail(err, "out of memory for the tokeniser of the copy");
        }
        memcpy(dst->tokenizer_blob, src->tokenizer_blob, src->tokenizer_len);
        dst->tokenizer_len = src->tokenizer_len;
    }
    dst->adam_t = src->adam_t;
    return 0;
}

void lm_model_free(lm_model *m) {
    if (!m) return;
    if (m->acts) lm_model_release_acts(m);
    free(m->params);
    free(m->grads);
    free(m->adam_m);
    free(m->adam_v);
    free(m->views);
    free(m->tokenizer_blob);
    memset(m, 0, sizeof *m);
}

const lm_tensor_view *lm_find_tensor(const lm_model *m, const char *name) {
    if (!m || !name || !m->views) return NULL;
    for (int i = 0; i < m->n_views; i++)
        if (strcmp(m->views[i].name, name) == 0) return &m->views[i];
    return NULL;
}
