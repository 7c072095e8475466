/* params.c - the parameters of the model, all derived from the one table in
 * params.h: its walk (file order and offsets), the named views, the count,
 * GPT-2 initialisation; plus config checks, cloning and freeing.
 */
#include "base/bigmem.h"
#include "models/gpt/model.h"
#include "models/gpt/model_priv.h"
#include "models/gpt/params.h"

#include <math.h>
#include <stdint.h>
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

/* ------------------------------------------------------------ the table */

const lm_param_spec LM_PARAM_TABLE[LM_P_COUNT] = {
#define LM_P_ROW_(field, nm, scope, r, c, dec, ini, when) \
    [LM_P_##field] = {nm, LM_SCOPE_##scope, r, c, dec, ini, LM_WHEN_##when},
    LM_GPT_PARAMS(LM_P_ROW_)
#undef LM_P_ROW_
};

size_t lm_dim_size(const lm_config *cfg, lm_dim d) {
    switch (d) {
    case LM_DIM_NONE: return 1;
    case LM_DIM_V: return (size_t)cfg->vocab_size;
    case LM_DIM_C: return (size_t)cfg->d_model;
    case LM_DIM_3C: return 3 * (size_t)cfg->d_model;
    case LM_DIM_M: return (size_t)cfg->d_mlp;
    case LM_DIM_CTX: return (size_t)cfg->n_ctx;
    }
    return 0;
}

/* floats the row takes for cfg: 0 when its presence condition is false */
static size_t row_numel(const lm_config *cfg, const lm_param_spec *s) {
    if (s->present == LM_WHEN_LEARNED_POS && cfg->pos != LM_POS_LEARNED) return 0;
    return lm_dim_size(cfg, s->rows) * lm_dim_size(cfg, s->cols);
}

/* With the bounds of lm_config_check every sum here fits easily in 64 bits. */
size_t lm_param_walk(const lm_config *cfg, int only_layer, lm_param_visit visit, void *ctx) {
    size_t off = 0;
    for (int k = 0; k < LM_P_COUNT;) {
        if (LM_PARAM_TABLE[k].scope == LM_SCOPE_GLOBAL) {
            size_t n = row_numel(cfg, &LM_PARAM_TABLE[k]);
            if (n && visit) visit(ctx, (lm_param_id)k, -1, off, n);
            off += n;
            k++;
            continue;
        }
        /* rows k..end-1 are one layer's tensors; the block repeats per layer */
        int end = k;
        size_t stride = 0;
        for (; end < LM_P_COUNT && LM_PARAM_TABLE[end].scope == LM_SCOPE_LAYER; end++)
            stride += row_numel(cfg, &LM_PARAM_TABLE[end]);
        for (int l = 0; l < cfg->n_layer && visit; l++) {
            if (only_layer >= 0 && l != only_layer) continue;
            size_t o = off + (size_t)l * stride;
            for (int j = k; j < end; j++) {
                size_t n = row_numel(cfg, &LM_PARAM_TABLE[j]);
                if (n) visit(ctx, (lm_param_id)j, l, o, n);
                o += n;
            }
        }
        off += (size_t)cfg->n_layer * stride;
        k = end;
    }
    return off;
}

static void record_offset(void *ctx, lm_param_id id, int layer, size_t offset, size_t numel) {
    (void)layer; (void)numel;
    ((lm_param_off *)ctx)->at[id] = offset;
}

lm_param_off lm_param_offsets(const lm_config *cfg, int layer) {
    lm_param_off o;
    for (int k = 0; k < LM_P_COUNT; k++) o.at[k] = SIZE_MAX;
    lm_param_walk(cfg, layer < 0 ? 0 : layer, record_offset, &o);
    return o;
}

/* ------------------------------------------------------------ views */

typedef struct { const lm_config *cfg; lm_tensor_view *views; int n; } view_list;

/* Appends the view of one tensor; with views == NULL only counts. */
static void add_view(void *ctx, lm_param_id id, int layer, size_t offset, size_t numel) {
    view_list *vl = ctx;
    lm_tensor_view *t = vl->views ? &vl->views[vl->n] : NULL;
    vl->n++;
    if (!t) return;
    const lm_param_spec *s = &LM_PARAM_TABLE[id];
    memset(t, 0, sizeof *t);
    if (layer < 0) snprintf(t->name, sizeof t->name, "%s", s->name);
    else snprintf(t->name, sizeof t->name, "h.%d.%s", layer, s->name);
    t->param = id;
    t->layer = layer;
    t->ndim = s->cols == LM_DIM_NONE ? 1 : 2;
    t->shape[0] = (int)lm_dim_size(vl->cfg, s->rows);
    t->shape[1] = t->ndim == 2 ? (int)lm_dim_size(vl->cfg, s->cols) : 0;
    t->offset = offset;
    t->numel = numel;
    t->decay = s->decay;
}

size_t lm_param_count(const lm_config *cfg) {
    if (lm_config_check(cfg, NULL) != 0) return 0;
    return lm_param_walk(cfg, -1, NULL, NULL);
}

int lm_model_alloc(lm_model *m, const lm_config *cfg, lm_err *err) {
    if (!m) return lm_fail(err, "model: missing");
    memset(m, 0, sizeof *m);
    if (lm_config_check(cfg, err) != 0) return -1;
    m->cfg = *cfg;
    view_list count = {cfg, NULL, 0};
    lm_param_walk(cfg, -1, add_view, &count);
    m->views = calloc((size_t)count.n, sizeof *m->views);
    if (!m->views) return lm_fail(err, "out of memory for %d tensor views", count.n);
    view_list vl = {cfg, m->views, 0};
    m->n_params = lm_param_walk(cfg, -1, add_view, &vl);
    m->n_views = vl.n;
    m->params = lm_big_alloc(m->n_params);
    if (!m->params) {
        size_t n = m->n_params;
        lm_model_free(m);
        return lm_fail(err, "out of memory for %zu parameters (%.1f MB)", n,
                       (double)n * sizeof(float) / 1e6);
    }
    return 0;
}

/* GPT-2 initialisation, each tensor by its row's rule, drawn in file order. */
int lm_model_init(lm_model *m, const lm_config *cfg, uint64_t seed, lm_err *err) {
    if (lm_model_alloc(m, cfg, err) != 0) return -1;
    lm_rng rng;
    lm_rng_seed(&rng, seed);
    const float std = 0.02f;
    const float std_resid = 0.02f / sqrtf(2.0f * (float)cfg->n_layer);
    for (int i = 0; i < m->n_views; i++) {
        const lm_tensor_view *v = &m->views[i];
        float *p = m->params + v->offset;
        switch (LM_PARAM_TABLE[v->param].init) {
        case LM_INIT_NORMAL:
            for (size_t j = 0; j < v->numel; j++) p[j] = std * lm_rng_normal(&rng);
            break;
        case LM_INIT_RESID:
            for (size_t j = 0; j < v->numel; j++) p[j] = std_resid * lm_rng_normal(&rng);
            break;
        case LM_INIT_ONES:
            for (size_t j = 0; j < v->numel; j++) p[j] = 1.0f;
            break;
        case LM_INIT_ZEROS:
            memset(p, 0, sizeof(float) * v->numel);
            break;
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
    dst->bidirectional = src->bidirectional;
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
    free(m->ablate);
    memset(m, 0, sizeof *m);
}

const lm_tensor_view *lm_find_tensor(const lm_model *m, const char *name) {
    if (!m || !name || !m->views) return NULL;
    for (int i = 0; i < m->n_views; i++)
        if (strcmp(m->views[i].name, name) == 0) return &m->views[i];
    return NULL;
}
