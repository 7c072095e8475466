/* softprompt.h - a soft prompt (prompt tuning, Lester et al. 2021): P
 * trainable vectors of the model's width that stand before the text in
 * place of the first P tokens' embeddings, in front of a FROZEN transformer.
 * "These are just vectors with numbers that we optimize until the output is
 * correct": tuning in word-embedding space instead of in word space.
 *
 * Contract
 * - The numbers: an nn/paramset.h set with one range "prompt" [P, C]
 *   (no weight decay), so AdamW, clipping and the optimizer-state file work
 *   on it as on any model.
 * - It belongs to one frozen model: its config records the model's width C,
 *   vocabulary size and lm_softprompt_weights_crc (CRC32 of the model's f32
 *   weights as they lie in memory, in the parameter table's order).
 *   lm_softprompt_attach refuses a model whose C, vocabulary or weights CRC
 *   differ, naming both sides.
 * - Attached (model.h, "soft inputs"): positions 0..P-1 of every sequence
 *   are the soft vectors, with the position encoding added as for tokens
 *   (our choice: the vectors take the first P positions of the context, the
 *   text starts at position P); the backward pass adds the gradient of the
 *   loss w.r.t. the vectors into the set's grads. The model's own weights are
 *   never written by anything here.
 * - Initialisation (seeded): vector p = the embedding wte[id] of a token id
 *   drawn uniformly from the non-byte tokens (ids 256..V-1, or 0..V-1 for a
 *   vocabulary of 256 or fewer): the sampled-vocabulary start of the paper.
 * - File: kind "softprompt" (io/modelfile.h), config 16 bytes = i32 P,
 *   i32 C, i32 vocab_size, u32 weights CRC; parameters P*C floats; no
 *   tokeniser (the frozen model has it). 1 <= P <= LM_SOFTPROMPT_MAX_TOKENS,
 *   1 <= C <= 8192, 1 <= vocab_size <= 1<<20, n_params = P*C (the check the
 *   loader runs before it allocates).
 * - An lm_softprompt holds a view of itself for checkpoints (ckpt), so it
 *   stays where init or load put it (never copied by value).
 * - Nothing prints; failures return -1 with lm_err.
 */
#ifndef LM_SOFTPROMPT_H
#define LM_SOFTPROMPT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "models/gpt/model.h"
#include "nn/embedding.h"
#include "nn/paramset.h"
#include "tok/tokenizer.h"
#include "train/checkpoint.h"

#define LM_KIND_SOFTPROMPT "softprompt"
#define LM_SOFTPROMPT_MAX_TOKENS 64
#define LM_SOFTPROMPT_CONFIG_BYTES 16u

typedef struct {
    int n_tokens;          /* P */
    int d_model;           /* C */
    int vocab_size;        /* V of the frozen model */
    uint32_t base_crc;     /* lm_softprompt_weights_crc of the frozen model */
    lm_paramset ps;        /* "prompt" [P, C] */
    uint8_t config[LM_SOFTPROMPT_CONFIG_BYTES];   /* the file's config bytes */
    lm_kind_ckpt ckpt;     /* how the training loop saves it (train/checkpoint.h) */
} lm_softprompt;

/* CRC32 of m's parameters (f32, as they lie in memory). */
uint32_t lm_softprompt_weights_crc(const lm_model *m);

/* P fresh vectors for the frozen model base, initialised as above. */
int  lm_softprompt_init(lm_softprompt *sp, const lm_model *base, int n_tokens, uint64_t seed, lm_err *err);
void lm_softprompt_free(lm_softprompt *sp);

/* The vectors (sp->ps.params) as model m's soft inputs, with sp->ps.grads
 * receiving their gradient. */
int  lm_softprompt_attach(lm_softprompt *sp, lm_model *m, lm_err *err);
void lm_softprompt_detach(lm_model *m);

/* A checkpoint (train/checkpoint.h): the file plus PATH.opt. meta may be NULL. */
int  lm_softprompt_save(lm_softprompt *sp, const char *meta, const char *path, lm_err *err);
/* Loads the file at path (and its AdamW moments when PATH.opt belongs to
 * it). 0, 1 loaded with fresh moments (err says why), -1 failure. *meta (may
 * be NULL) receives the malloc'd metadata. */
int  lm_softprompt_load(lm_softprompt *sp, char **meta, const char *path, lm_err *err);

/* The kind's config check (modelfile.c's table of kinds). */
int  lm_softprompt_check_config(const uint8_t *config, uint32_t config_bytes, uint64_t n_params, lm_err *err);

/* ---- what the vectors are near ----
 * For each soft vector p: the k tokens whose embedding rows (wte) have the
 * highest cosine similarity with it (nn/embedding.h), its length |v_p|, and
 * for comparison the mean length of the model's token embeddings. */
typedef struct {
    int n_tokens, k;
    lm_emb_hits *hits;     /* [n_tokens] */
    float *norm;           /* [n_tokens] */
    float mean_token_norm;
} lm_softprompt_near;

int  lm_softprompt_nearest(const lm_softprompt *sp, const lm_model *base, const lm_tokenizer *tok, int k,
                           lm_softprompt_near *out, lm_err *err);
void lm_softprompt_near_free(lm_softprompt_near *n);

#endif
