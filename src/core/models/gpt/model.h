/* model.h - the GPT-2-style decoder at the heart of llmlab.
 *
 * Contract
 * - One struct for the config, one contiguous buffer for all parameters, and
 *   the gradients and AdamW moments in the same layout; a table of named views
 *   (lm_tensor_view) into it is what checkpointing, the optimizer and the UI use.
 * - Parameter names, shapes, order, weight decay and initialisation: the one
 *   table in params.h (LM_GPT_PARAMS). In short: wte [V, C] (tied LM head),
 *   wpe [n_ctx, C] (learned positions only), per layer h.L.{ln1, attn.w_qkv,
 *   attn.w_o, ln2, mlp.w_fc, mlp.w_proj} with their biases, then ln_f; a model
 *   file is config + this buffer in that order.
 * - Positions: learned (wpe added to the embedding), sinusoidal (the fixed
 *   Vaswani table added to the embedding, no parameters), rotary (applied to q
 *   and k inside attention, "rotate half" pairing (i, i + hd/2), base 10000).
 * - Activation: GELU with the tanh approximation (as GPT-2) or ReLU.
 *   LayerNorm eps = 1e-5. Attention scale 1/sqrt(hd), causal (or, for an
 *   encoder, bidirectional: lm_model.bidirectional).
 * - GPT-2 initialisation (each row of the table names its rule): weights
 *   N(0, 0.02), w_o and w_proj N(0, 0.02/sqrt(2L)), biases 0, LayerNorm
 *   weights 1; drawn in file order from an lm_rng seeded by the caller.
 * - Nothing here prints, exits or allocates per call in the hot path;
 *   activations are sized once by lm_model_reserve(B, T).
 */
#ifndef LM_MODEL_H
#define LM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/rng.h"

typedef enum { LM_POS_LEARNED = 0, LM_POS_SINUSOIDAL = 1, LM_POS_ROTARY = 2 } lm_pos_kind;
typedef enum { LM_ACT_GELU = 0, LM_ACT_RELU = 1 } lm_act_kind;

typedef struct {
    int n_layer;     /* L */
    int n_head;      /* H */
    int d_model;     /* C, divisible by H; hd = C / H, even when rotary */
    int d_mlp;       /* M */
    int n_ctx;       /* longest sequence T */
    int vocab_size;  /* V */
    lm_pos_kind pos;
    lm_act_kind act;
} lm_config;

/* Checks ranges and divisibility; the message names the offending field. */
int lm_config_check(const lm_config *cfg, lm_err *err);
const char *lm_pos_name(lm_pos_kind k);   /* "learned" | "sinusoidal" | "rotary" */
const char *lm_act_name(lm_act_kind k);   /* "gelu" | "relu" */
int lm_pos_parse(const char *s, lm_pos_kind *out);   /* 0 ok, -1 unknown */
int lm_act_parse(const char *s, lm_act_kind *out);

typedef struct {
    char   name[32];
    int    ndim;
    int    shape[2];
    size_t offset;   /* in floats, into params / grads / adam_m / adam_v */
    size_t numel;
    int    decay;    /* 1 for matrices (weight decay applies), 0 for biases, norms */
    int    param;    /* its row of the parameter table (params.h: LM_P_...) */
    int    layer;    /* 0..L-1, or -1 for a tensor outside the blocks */
} lm_tensor_view;

typedef struct lm_acts lm_acts;   /* activations, private to model.c */

typedef struct {
    lm_config cfg;
    float *params;  size_t n_params;
    float *grads;                   /* NULL until training needs them */
    float *adam_m, *adam_v;         /* NULL until the first AdamW step */
    int    adam_t;                  /* AdamW steps taken */
    lm_tensor_view *views; int n_views;
    lm_acts *acts;                  /* NULL until lm_model_reserve */
    int B, T;                       /* shape of the last forward */
    float loss;                     /* mean masked loss of the last forward with targets */
    /* the tokeniser travels with the model as an opaque blob (see tokenizer.h);
     * empty (NULL, 0) means the 256-id byte tokeniser */
    uint8_t *tokenizer_blob; size_t tokenizer_len;
    /* head ablation (see "head ablation" below): NULL = no head ablated,
     * else [L, H] bytes owned by the model, 1 = that head knocked out */
    uint8_t *ablate;
    /* soft inputs (prompt tuning, see "soft inputs" below): NULL = every
     * position embeds its token; not owned by the model */
    const float *soft_in;   /* [n_soft, C] */
    float *soft_grad;       /* [n_soft, C], or NULL */
    int n_soft;
    /* the attention mask: 0 (the default: what lm_model_init and
     * lm_model_alloc give) = causal, each position sees itself and the ones
     * before it, a decoder; 1 = bidirectional, each position sees the whole
     * sequence, an encoder trained by masked-LM (train/objective.h, "mlm").
     * The parameters are the same either way; a model file says which by its
     * kind ("gpt" or "encoder", io/modelfile.h); lm_model_clone copies it.
     * Decoding one token at a time (lm_forward_next, the KV cache) needs the
     * causal mask and refuses an encoder. */
    int bidirectional;
} lm_model;

/* Allocates parameters for cfg and fills them with GPT-2 initialisation. */
int  lm_model_init(lm_model *m, const lm_config *cfg, uint64_t seed, lm_err *err);
/* Allocates parameters for cfg without initialising them (loaders use this). */
int  lm_model_alloc(lm_model *m, const lm_config *cfg, lm_err *err);
void lm_model_free(lm_model *m);
/* A new model with src's config, attention mask, parameters, tokeniser and
 * step count (adam_t); no gradients, optimizer moments or activations. dst is
 * overwritten (not freed first). */
int  lm_model_clone(lm_model *dst, const lm_model *src, lm_err *err);
size_t lm_param_count(const lm_config *cfg);
const lm_tensor_view *lm_find_tensor(const lm_model *m, const char *name);

/* Sizes activation buffers for up to B sequences of up to T tokens.
 * Called implicitly by lm_forward when a larger shape arrives. */
int  lm_model_reserve(lm_model *m, int B, int T, lm_err *err);

/* Full-sequence forward.
 *   tokens    [B, T] ids in [0, V)
 *   targets   [B, T] or NULL (no loss); a target < 0 is ignored
 *   loss_mask [B, T] or NULL (all ones); the loss is
 *             sum(mask * ce) / sum(mask)   (0 when the mask sums to 0)
 * Keeps every activation for backward and inspection. Returns -1 on bad ids
 * or shapes. */
int  lm_forward(lm_model *m, const int32_t *tokens, const int32_t *targets,
                const float *loss_mask, int B, int T, lm_err *err);

/* Gradients of m->loss for the last forward (which must have had targets),
 * accumulated into m->grads (allocated on first use). */
int  lm_backward(lm_model *m, lm_err *err);
void lm_zero_grad(lm_model *m);
/* Scales gradients so their global L2 norm is <= max_norm (if max_norm > 0);
 * returns the norm before clipping. */
float lm_clip_grad(lm_model *m, float max_norm);

typedef struct {
    float beta1, beta2, eps, weight_decay;   /* decoupled (AdamW); only views with decay=1 */
} lm_adamw;
lm_adamw lm_adamw_default(void);             /* 0.9, 0.95, 1e-8, 0.1 */
int  lm_adamw_step(lm_model *m, const lm_adamw *opt, float lr, lm_err *err);

typedef struct {
    float max_lr, min_lr;
    int   warmup_steps, total_steps;
} lm_schedule;
/* linear warmup max_lr * (step + 1) / warmup_steps (max_lr at step
 * warmup_steps - 1, never 0 at step 0), then cosine to min_lr at
 * total_steps, then min_lr. step counts from 0. */
float lm_schedule_lr(const lm_schedule *s, int step);

/* ---- inspection: views into the last forward, valid until the next one ---- */
/* attention probabilities, [T, T] row-major, row = query, col = key; zero above
 * the diagonal (causal models; an encoder's rows cover every key) */
const float *lm_attention_probs(const lm_model *m, int layer, int b, int head);
/* residual stream [T, C]: layer 0 = embeddings (+positions), l = after block l
 * (l in 0..L) */
const float *lm_residual(const lm_model *m, int layer, int b);
/* logits [T, V] */
const float *lm_logits(const lm_model *m, int b);
/* softmax of the logits at position t of sequence b into probs[V] */
void lm_next_token_probs(const lm_model *m, int b, int t, float *probs);
/* logit lens: decodes the residual after `layer` (0..L) at (b, t) through the
 * final LayerNorm and the tied head into logits[V]. layer == L equals lm_logits. */
int  lm_logit_lens(const lm_model *m, int layer, int b, int t, float *logits, lm_err *err);

/* ---- head ablation ----
 * Knocking out head h of layer l zeroes that head's attention output y[h]
 * (its hd columns of the [T, C] attention output) before the output
 * projection w_o, so the block adds only b_o + the other heads' share:
 *   x_mid = x + sum_{heads not ablated} W_o[:, head cols] y[head] + b_o
 * lm_forward, lm_forward_next and lm_forward_next_ref (decode_ref.h) all obey
 * m->ablate; the head's attention probabilities are still computed and kept
 * for inspection, and its k, v still enter the cache. lm_backward
 * differentiates the ablated model (the head's d y is zero). With m->ablate
 * NULL nothing is checked beyond that one pointer per layer: no cost. An
 * all-zero mask is stored as NULL. lm_model_free frees it; lm_model_clone
 * does not copy it (the copy has no ablation). A mask set while a cache holds
 * tokens affects only tokens fed afterwards. */
/* Copies mask [L, H] (1 = ablated); NULL or all zeros clears. 0 or -1 (memory). */
int  lm_model_set_ablation(lm_model *m, const uint8_t *mask, lm_err *err);
/* Sets or clears one head; -1 with a message naming it when out of range. */
int  lm_model_ablate_head(lm_model *m, int layer, int head, int on, lm_err *err);
void lm_model_clear_ablation(lm_model *m);
int  lm_head_ablated(const lm_model *m, int layer, int head);   /* 0/1 */
int  lm_model_n_ablated(const lm_model *m);
/* Parses "L.H[,L.H...]" (layers and heads from 0, "L.*" = every head of layer
 * L, spaces ignored) into mask [L, H], zeroing it first. The message names
 * the bad item and the model's ranges. 0 or -1. */
int  lm_ablation_parse(const lm_config *cfg, const char *spec, uint8_t *mask, lm_err *err);
/* Writes the ablated heads as "L.H,L.H" (ascending; "none" when empty) into
 * out[cap] (always NUL-terminated); returns the count. */
int  lm_ablation_format(const lm_model *m, char *out, size_t cap);

/* ---- soft inputs (prompt tuning) ----
 * With m->soft_in set, positions 0..n_soft-1 of every sequence take the
 * given vectors instead of their tokens' embeddings: the input row there is
 *   x[p] = soft_in[p] (+ wpe[p] | + sinusoid(p))     p < n_soft
 * (the position encoding is still added, so a soft vector stands exactly
 * where a token would; the token id at such a position is range-checked and
 * otherwise ignored). Positions n_soft.. embed their tokens as always.
 * lm_forward and lm_forward_next (so generation through the KV cache) obey
 * it. lm_backward adds d loss / d soft_in[p] into soft_grad[p] (when not
 * NULL) and nothing into d wte for those positions; d wpe is accumulated as
 * always. The model does not own the buffers: the caller keeps them alive
 * while they are set, and lm_model_clone does not copy them. */
/* Sets (soft_in non-NULL) or clears (NULL) the soft inputs. -1 when n_soft
 * is not in 1..n_ctx. */
int  lm_model_set_soft_inputs(lm_model *m, const float *soft_in, float *soft_grad, int n_soft, lm_err *err);

/* ---- incremental decoding with a KV cache ---- */
typedef struct {
    int len;           /* tokens in the cache */
    int32_t *ids;      /* [n_ctx] the tokens fed, ids[0..len): what a sliding window re-reads */
    int n_ctx, n_layer, d_model;
    float *k, *v;      /* [L, n_ctx, C] each */
    float *scratch;    /* private */
    int n_scratch;     /* private: threads the scratch has room for */
    float *att;        /* [L, H, n_ctx] attention of the last token (inspection) */
} lm_kv;

int  lm_kv_init(lm_kv *kv, const lm_model *m, lm_err *err);
void lm_kv_free(lm_kv *kv);
void lm_kv_reset(lm_kv *kv);
/* Feeds one token at position kv->len (recording it in kv->ids) and writes
 * the next-token logits[V].
 * Equal (to fp32 rounding) to lm_forward's logits at that position.
 * Refuses an encoder (m->bidirectional): its earlier positions change when
 * a later token arrives, so there is nothing to cache.
 * Fails when the cache is full (kv->len == n_ctx). Runs the whole token in one
 * OpenMP parallel region of min(lm_get_threads(), the OpenMP thread count when
 * the cache was made) threads; one thread for models under 200k weights, or
 * when called inside another parallel region. A cache is used by one caller
 * at a time; different caches may decode at once. */
int  lm_forward_next(const lm_model *m, lm_kv *kv, int32_t token, float *logits, lm_err *err);

/* Threads used by BLAS and by the core's own parallel loops. */
void lm_set_threads(int n);
int  lm_get_threads(void);

#endif
