/* embed.h - the GPT's token embedding table wte [V, C] as an embedding space
 * (nn/embedding.h: neighbours, analogies, PCA), its rows named by the
 * model's tokeniser, and the rule that turns a word someone types into one
 * row of it.
 *
 * Contract
 * - lm_gpt_embed_space views m's wte (the same table is the tied output
 *   head) without copying; labels are tok's pieces. Valid while m's
 *   parameters and tok live; open it again after the weights change.
 * - lm_embed_word resolves what a user types to one token id:
 *     "id:N"             token N (0 <= N < V)
 *     text starting with whitespace   taken as written (" king")
 *     any other WORD     the token of " WORD" (the word as it stands inside
 *                        a sentence, after a space) when that is one token,
 *                        else of "WORD" as written when that is one token
 *   \n, \t and \\ are read as escapes first. Returns 0 and *id; 1 when the
 *   word is several tokens (the table has one row per token, and an average
 *   of rows is no row of it): *pieces receives the ids of the form tried
 *   first (" WORD", or the text as written), so the caller can name them;
 *   -1 on an error (empty word, bad id, the tokeniser failed) with a message.
 */
#ifndef LM_GPT_EMBED_H
#define LM_GPT_EMBED_H

#include "models/gpt/model.h"
#include "nn/embedding.h"
#include "tok/tokenizer.h"

int lm_gpt_embed_space(const lm_model *m, const lm_tokenizer *tok, lm_emb_space *out, lm_err *err);

int lm_embed_word(const lm_tokenizer *tok, int V, const char *word, int32_t *id, lm_ids *pieces,
                  lm_err *err);

#endif
