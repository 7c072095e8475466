/* modelfile.h - saving and loading a self-contained model file (.llm).
 *
 * Format (little-endian):
 *   magic "LLMLAB\0\1" (8 bytes), u32 format version (LM_FILE_VERSION),
 *   u32 header bytes, then the header: the lm_config fields as i32
 *   (n_layer, n_head, d_model, d_mlp, n_ctx, vocab_size, pos, act),
 *   i32 adam_t, u64 n_params, u64 tokenizer_len, u32 metadata_len;
 *   then the tokeniser blob, the metadata (UTF-8 text, "key=value\n" lines:
 *   how the model was made), the parameters as f32[n_params];
 *   and last a u32 CRC32 (IEEE) of every byte before it.
 * Saving writes PATH.tmp, fsyncs and renames over PATH, so a crash never
 * leaves a half-written model. Loading checks magic, version, sizes against
 * the file length, config validity, n_params against the config, and the CRC,
 * and says exactly which check failed.
 */
#ifndef LM_MODELFILE_H
#define LM_MODELFILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "models/gpt/model.h"

#define LM_FILE_VERSION 1u

/* metadata may be NULL */
int lm_save(const lm_model *m, const char *metadata, const char *path, lm_err *err);
/* On success m is a fresh model (lm_model_free it); *metadata (if non-NULL)
 * receives a malloc'd NUL-terminated copy of the metadata text. */
int lm_load(lm_model *m, char **metadata, const char *path, lm_err *err);
/* The same from memory (used by lm_load and by the fuzz target). */
int lm_load_mem(lm_model *m, char **metadata, const uint8_t *buf, size_t len, lm_err *err);

uint32_t lm_crc32(uint32_t crc, const void *buf, size_t len);

#endif
