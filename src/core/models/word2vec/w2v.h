/* w2v.h - a word2vec model (skip-gram with negative sampling): a word list
 * and two tables of word vectors, its model file (kind "word2vec"), and its
 * input table as an embedding space (nn/embedding.h: neighbours, analogies,
 * PCA).
 *
 * Contract
 * - Two tables, as in the lecture: W_in [V, D] (W, a word as the center
 *   word: the embeddings people use) and W_out [V, D] (C, a word as a
 *   context word), both in one lm_paramset ("w_in", then "w_out"). A new
 *   model starts as word2vec.c does: W_in uniform in [-0.5/D, 0.5/D), W_out
 *   zero (so at first every sigma(u . v) is 1/2).
 * - The word list is a word tokeniser (tok/tokenizer.h) of exactly V words,
 *   id i = word i, most frequent first (models/word2vec/vocab.h); its blob is
 *   the model file's tokeniser.
 * - The file: kind "word2vec" (io/modelfile.h), config 24 bytes,
 *   little-endian: i32 vocab V, i32 dim D, i32 window, i32 negatives,
 *   i32 min_count, f32 subsample (how it was trained; the tables do not
 *   depend on them); parameters W_in then W_out, 2 V D floats. The config
 *   check bounds V (1..LM_W2V_MAX_VOCAB), D (1..LM_SGNS_MAX_DIM), 2 V D
 *   (<= LM_W2V_MAX_PARAMS) and n_params = 2 V D before anything is allocated;
 *   loading also checks that the tokeniser is a word list of V words.
 * - Words typed by a user are looked up by the word rule (vocab.h:
 *   lowercased; "King" finds king). lm_w2v_suggest names the closest word of
 *   the list (edit distance, base/editdist.h; the more frequent on a tie)
 *   for a "not in the vocabulary" message.
 * - Nothing prints; failures return -1 with lm_err (messages of loads start
 *   with the path).
 */
#ifndef LM_W2V_H
#define LM_W2V_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "io/modelfile.h"
#include "models/word2vec/sgns.h"
#include "nn/embedding.h"
#include "nn/paramset.h"
#include "tok/tokenizer.h"

#define LM_KIND_WORD2VEC "word2vec"
#define LM_W2V_CONFIG_BYTES 24u
#define LM_W2V_MAX_VOCAB (1 << 20)
#define LM_W2V_MAX_PARAMS ((uint64_t)1 << 28)   /* 1 GiB of floats */

typedef struct {
    int32_t vocab;       /* V words */
    int32_t dim;         /* D numbers per vector */
    int32_t window;      /* context words on each side, at most (training) */
    int32_t negatives;   /* K noise words per pair (training) */
    int32_t min_count;   /* the rarest word kept occurred this often (training) */
    float   subsample;   /* t of the subsampling (training); 0 = none */
} lm_w2v_config;

typedef struct {
    lm_w2v_config cfg;
    lm_paramset ps;           /* "w_in" [V, D], "w_out" [V, D] */
    float *w_in, *w_out;      /* views into ps.params */
    lm_tokenizer *words;      /* the word list */
    uint8_t *words_blob;      /* its serialised form (the file's tokeniser) */
    size_t words_blob_len;
    uint8_t config[LM_W2V_CONFIG_BYTES];   /* cfg as the file stores it */
} lm_w2v;

/* 0 when cfg is a valid word2vec config, else -1 and why */
int  lm_w2v_config_check(const lm_w2v_config *cfg, lm_err *err);
/* modelfile.c's check of a file's config bytes and n_params (KINDS table) */
int  lm_w2v_file_check(const uint8_t *config, uint32_t config_bytes, uint64_t n_params, lm_err *err);

/* A new model of cfg (cfg->vocab = the number of words) over the word list
 * `words` (copied), tables initialised from seed. */
int  lm_w2v_init(lm_w2v *m, const lm_w2v_config *cfg, const lm_tokenizer *words, uint64_t seed, lm_err *err);
void lm_w2v_free(lm_w2v *m);

/* The file's parts besides the numbers (kind, config, tokeniser), pointing
 * into m (train/checkpoint.h's lm_kind_ckpt head). */
void lm_w2v_file_head(const lm_w2v *m, lm_file_parts *head);
int  lm_w2v_save(const lm_w2v *m, const char *meta, const char *path, lm_err *err);
/* A model from a file; *meta (may be NULL) receives its metadata (malloc'd). */
int  lm_w2v_load(lm_w2v *m, char **meta, const char *path, lm_err *err);
int  lm_w2v_load_mem(lm_w2v *m, char **meta, const uint8_t *buf, size_t len, lm_err *err);
/* The same from parts already loaded (p is left to the caller). */
int  lm_w2v_from_parts(lm_w2v *m, const lm_file_parts *p, lm_err *err);

/* word id's bytes (not NUL-terminated), NULL out of range */
const uint8_t *lm_w2v_word(const lm_w2v *m, int32_t id, size_t *len);
/* the id of what a user typed (lowercased, by the word rule), or -1 */
int32_t lm_w2v_find(const lm_w2v *m, const char *word);
/* the word of the list closest to word, or -1 when none is close */
int32_t lm_w2v_suggest(const lm_w2v *m, const char *word);

/* W_in as an embedding space, rows named by the word list (nn/embedding.h);
 * valid while m lives, opened again after training changes the table. */
int  lm_w2v_space(const lm_w2v *m, lm_emb_space *sp, lm_err *err);

#endif
