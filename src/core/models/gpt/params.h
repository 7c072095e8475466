/* params.h - THE parameter table of the GPT decoder: every tensor's name,
 * shape, weight-decay flag, initialisation and presence, in file order.
 *
 * Contract
 * - LM_GPT_PARAMS below is the only place the parameter layout is written.
 *   From it come: the named views (lm_tensor_view, model.h), the offsets the
 *   forward, backward and KV decoder use (lm_param_offsets), the order of the
 *   parameters in a model file, lm_param_count and the GPT-2 initialisation.
 * - Order: the rows in the order written. Rows with scope LAYER form one
 *   block that is stored n_layer times in a row (layer 0's twelve tensors,
 *   then layer 1's, ...) and are named "h.<l>.<name>". A row whose presence
 *   condition is false for a config takes no space at all.
 * - Shapes follow PyTorch's nn.Linear, [out, in]. w_qkv's rows are q (C),
 *   k (C), v (C); head h owns rows h*hd .. h*hd+hd-1 of each third.
 * - Changing the table changes the file format: the shipped base.llm and
 *   instruct.llm were written in exactly this order.
 */
#ifndef LM_GPT_PARAMS_H
#define LM_GPT_PARAMS_H

#include <stddef.h>

#include "models/gpt/model.h"

/* sizes a shape is written in, resolved against an lm_config */
typedef enum {
    LM_DIM_NONE = 0,   /* no second dimension: a vector */
    LM_DIM_V,          /* vocab_size */
    LM_DIM_C,          /* d_model */
    LM_DIM_3C,         /* 3 * d_model: q, k and v stacked */
    LM_DIM_M,          /* d_mlp */
    LM_DIM_CTX,        /* n_ctx */
} lm_dim;

typedef enum {
    LM_INIT_NORMAL,    /* N(0, 0.02) */
    LM_INIT_RESID,     /* N(0, 0.02 / sqrt(2 L)): projections into the residual stream */
    LM_INIT_ONES,      /* LayerNorm gains */
    LM_INIT_ZEROS,     /* biases */
} lm_init_rule;

typedef enum { LM_SCOPE_GLOBAL, LM_SCOPE_LAYER } lm_scope;
typedef enum { LM_WHEN_ALWAYS, LM_WHEN_LEARNED_POS } lm_when;

/*  X(field,  name,          scope,  rows,       cols,        decay, init,          present)
 *  field: the member of lm_param_off (and LM_P_<field>); name: the view's name */
#define LM_GPT_PARAMS(X)                                                                          \
    X(wte,    "wte",          GLOBAL, LM_DIM_V,   LM_DIM_C,    1, LM_INIT_NORMAL, ALWAYS)      \
    X(wpe,    "wpe",          GLOBAL, LM_DIM_CTX, LM_DIM_C,    1, LM_INIT_NORMAL, LEARNED_POS) \
    X(ln1w,   "ln1.w",        LAYER,  LM_DIM_C,   LM_DIM_NONE, 0, LM_INIT_ONES,   ALWAYS)      \
    X(ln1b,   "ln1.b",        LAYER,  LM_DIM_C,   LM_DIM_NONE, 0, LM_INIT_ZEROS,  ALWAYS)      \
    X(wqkv,   "attn.w_qkv",   LAYER,  LM_DIM_3C,  LM_DIM_C,    1, LM_INIT_NORMAL, ALWAYS)      \
    X(bqkv,   "attn.b_qkv",   LAYER,  LM_DIM_3C,  LM_DIM_NONE, 0, LM_INIT_ZEROS,  ALWAYS)      \
    X(wo,     "attn.w_o",     LAYER,  LM_DIM_C,   LM_DIM_C,    1, LM_INIT_RESID,  ALWAYS)      \
    X(bo,     "attn.b_o",     LAYER,  LM_DIM_C,   LM_DIM_NONE, 0, LM_INIT_ZEROS,  ALWAYS)      \
    X(ln2w,   "ln2.w",        LAYER,  LM_DIM_C,   LM_DIM_NONE, 0, LM_INIT_ONES,   ALWAYS)      \
    X(ln2b,   "ln2.b",        LAYER,  LM_DIM_C,   LM_DIM_NONE, 0, LM_INIT_ZEROS,  ALWAYS)      \
    X(wfc,    "mlp.w_fc",     LAYER,  LM_DIM_M,   LM_DIM_C,    1, LM_INIT_NORMAL, ALWAYS)      \
    X(bfc,    "mlp.b_fc",     LAYER,  LM_DIM_M,   LM_DIM_NONE, 0, LM_INIT_ZEROS,  ALWAYS)      \
    X(wproj,  "mlp.w_proj",   LAYER,  LM_DIM_C,   LM_DIM_M,    1, LM_INIT_RESID,  ALWAYS)      \
    X(bproj,  "mlp.b_proj",   LAYER,  LM_DIM_C,   LM_DIM_NONE, 0, LM_INIT_ZEROS,  ALWAYS)      \
    X(lnfw,   "ln_f.w",       GLOBAL, LM_DIM_C,   LM_DIM_NONE, 0, LM_INIT_ONES,   ALWAYS)      \
    X(lnfb,   "ln_f.b",       GLOBAL, LM_DIM_C,   LM_DIM_NONE, 0, LM_INIT_ZEROS,  ALWAYS)

/* LM_P_wte, LM_P_wpe, ...: a row's index in the table */
typedef enum {
#define LM_P_ENUM_(field, ...) LM_P_##field,
    LM_GPT_PARAMS(LM_P_ENUM_)
#undef LM_P_ENUM_
    LM_P_COUNT
} lm_param_id;

/* One row of the table. */
typedef struct {
    const char  *name;
    lm_scope     scope;
    lm_dim       rows, cols;
    int          decay;
    lm_init_rule init;
    lm_when      present;
} lm_param_spec;

extern const lm_param_spec LM_PARAM_TABLE[LM_P_COUNT];

/* Offsets (in floats, into params / grads / adam moments) of every tensor:
 * o.wte, o.wqkv, ... or o.at[LM_P_wqkv]. Per-layer fields are those of the
 * layer asked for; absent tensors (wpe without learned positions) hold
 * SIZE_MAX. */
typedef union {
    struct {
#define LM_P_FIELD_(field, ...) size_t field;
        LM_GPT_PARAMS(LM_P_FIELD_)
#undef LM_P_FIELD_
    };
    size_t at[LM_P_COUNT];
} lm_param_off;

/* The offsets of layer `layer` (0..L-1) and of the global tensors; cfg must
 * be valid (lm_config_check). */
lm_param_off lm_param_offsets(const lm_config *cfg, int layer);

/* Resolves a dimension against cfg; LM_DIM_NONE is 1. */
size_t lm_dim_size(const lm_config *cfg, lm_dim d);

/* Visits every tensor of cfg in file order (layer < 0 for global tensors)
 * and returns the total number of floats. With only_layer >= 0, visits the
 * global tensors and that layer's only (offsets are the same). visit may be
 * NULL (just count). cfg must be valid. */
typedef void (*lm_param_visit)(void *ctx, lm_param_id id, int layer, size_t offset, size_t numel);
size_t lm_param_walk(const lm_config *cfg, int only_layer, lm_param_visit visit, void *ctx);

#endif
