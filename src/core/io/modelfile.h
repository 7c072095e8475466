/* modelfile.h - saving and loading a self-contained model file (.llm).
 *
 * Format (little-endian), version 2 (what lm_save writes):
 *   prefix   magic "LLMLAB\0\1" (8 bytes), u32 format version (2),
 *            u32 header bytes (40 + the kind's config bytes)
 *   header   kind       16 bytes: the model kind's name, 1..15 of [a-z0-9_.-],
 *                       NUL-padded ("gpt", "encoder"; later "ngram", "rnn", ...)
 *            i32 adam_t, u64 n_params, u64 tokenizer_len, u32 metadata_len
 *            config     the kind's own fields; gpt: 8 x i32 (n_layer, n_head,
 *                       d_model, d_mlp, n_ctx, vocab_size, pos, act), 32 bytes;
 *                       encoder: the same 32 bytes (its attention is
 *                       bidirectional, the rest is gpt's)
 *   body     the tokeniser blob, the metadata (UTF-8 text, "key=value\n"
 *            lines: how the model was made), the parameters as
 *            f32[n_params] in the order of the kind's parameter table
 *            (gpt: models/gpt/params.h)
 *   crc      u32 CRC32 (IEEE, crc32.h) of every byte before it.
 * Version 1 (models written before kinds existed; still read, as kind gpt):
 *   the same prefix with version 1 and header bytes 56; header = the 8 gpt
 *   config i32, i32 adam_t, u64 n_params, u64 tokenizer_len, u32
 *   metadata_len; the same body and crc.
 *
 * Saving goes through io/atomic.h (a unique temporary in PATH's folder,
 * fsync, rename, fsync of the folder), so a crash or a concurrent save never
 * leaves a half-written model, and a path too long is refused, never cut. Loading checks magic, version, kind, sizes
 * against the file length, config validity, n_params against the config,
 * and the CRC, and says exactly which check failed. A kind this build does
 * not know, or a config of the wrong size for its kind, is refused.
 */
#ifndef LM_MODELFILE_H
#define LM_MODELFILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "io/crc32.h"
#include "models/gpt/model.h"

#define LM_FILE_VERSION 2u
#define LM_KIND_GPT "gpt"
/* the same config, parameters and file layout as gpt; the attention is
 * bidirectional (lm_model.bidirectional = 1): a masked-LM encoder */
#define LM_KIND_ENCODER "encoder"
/* The largest optimizer step a file may carry (= the largest --steps). */
#define LM_MAX_ADAM_T 100000000

/* metadata may be NULL. Writes kind gpt (kind encoder for a bidirectional
 * model), format LM_FILE_VERSION. */
int lm_save(const lm_model *m, const char *metadata, const char *path, lm_err *err);
/* The bytes lm_save writes for m with meta_len bytes of metadata. */
uint64_t lm_save_size(const lm_model *m, size_t meta_len);
/* Loads a model of kind gpt, or encoder (m->bidirectional = 1); another
 * known kind is refused, naming it. On success m is a fresh model (lm_model_free
 * it); *metadata (if non-NULL) receives a malloc'd NUL-terminated copy of
 * the metadata text. The path must be a regular file (base/infile.h: a FIFO
 * or /dev/zero is refused, never read); the magic, the header (at most 4 KB,
 * adam_t in 0..LM_MAX_ADAM_T) and the sizes it claims are checked against the
 * file's size before the body is read, so a file that is not a model costs
 * one 4 KB read whatever its size. Messages start with the path. */
int lm_load(lm_model *m, char **metadata, const char *path, lm_err *err);
/* The same from memory (used by lm_load and by the fuzz target). */
int lm_load_mem(lm_model *m, char **metadata, const uint8_t *buf, size_t len, lm_err *err);

/* ---- any model kind (models/<kind>/ build their models from these) ----
 * A file's parts as they are stored: the kind's name, its own config bytes,
 * its parameters (f32, in the order its parameter table gives), the
 * tokeniser blob and the metadata text. A model family registers its kind in
 * the KINDS table of modelfile.c with a check of its config (and of
 * n_params against it: the check must bound n_params, since the loader
 * allocates 4 * n_params bytes only after the file proved that long). */
typedef struct {
    char      kind[16];        /* NUL-terminated name, 1..15 of [a-z0-9_.-] */
    uint8_t  *config;  uint32_t config_bytes;
    int32_t   adam_t;          /* optimizer steps taken, 0..LM_MAX_ADAM_T */
    float    *params;  uint64_t n_params;
    uint8_t  *tokenizer; uint64_t tokenizer_len;   /* 0 = the byte tokeniser */
    char     *metadata;        /* NUL-terminated "key=value\n" text, or NULL */
} lm_file_parts;

/* Saves p atomically as format LM_FILE_VERSION; the kind must be registered
 * and its check must accept the config, and every parameter be finite. */
int  lm_save_parts(const lm_file_parts *p, const char *path, lm_err *err);
/* The bytes lm_save_parts writes for p. */
uint64_t lm_save_parts_size(const lm_file_parts *p);
/* Loads any registered kind, with every check lm_load makes (magic, sizes
 * against the file, the kind's config check, CRC, finite parameters). On
 * success p owns malloc'd copies (lm_file_parts_free); metadata is never
 * NULL. Messages start with the path. */
int  lm_load_parts(lm_file_parts *p, const char *path, lm_err *err);
int  lm_load_parts_mem(lm_file_parts *p, const uint8_t *buf, size_t len, lm_err *err);
void lm_file_parts_free(lm_file_parts *p);
/* A gpt model from gpt or encoder parts (the tokeniser blob moves into m). */
int  lm_model_from_parts(lm_model *m, lm_file_parts *p, lm_err *err);

/* What a file's prefix and header say, read without the body. */
typedef struct {
    uint32_t version;        /* 1 or 2 */
    char     kind[16];       /* NUL-terminated; "gpt" for version 1 */
    int32_t  adam_t;
    uint64_t n_params, tokenizer_len;
    uint32_t metadata_len;
    uint32_t header_bytes;   /* the body starts 16 + header_bytes into the file */
    uint32_t config_bytes;   /* the kind's config inside the header */
    uint32_t config_at;      /* ... at this offset from the file's start */
} lm_file_header;

/* Reads and checks the prefix and header in buf[len] (which may be just the
 * start of a file). Any well-formed kind name is accepted here, known or
 * not; the body and checksum are not looked at. */
int lm_file_header_read(lm_file_header *h, const uint8_t *buf, size_t len, lm_err *err);
/* What lm_load checks before it reads a body: head[len] is the file's start
 * (its first 4 KB, or all of a shorter file) and file_size the whole file's
 * size; the header, the kind and its config, and the sizes the header claims
 * against file_size. Every file lm_load_mem loads passes it. */
int lm_file_check_head(lm_file_header *h, const uint8_t *head, size_t len, uint64_t file_size, lm_err *err);
/* The same from the start (4 KB) of the regular file at path (`llmlab info`
 * shows the kind). */
int lm_file_peek(lm_file_header *h, const char *path, lm_err *err);

#endif
