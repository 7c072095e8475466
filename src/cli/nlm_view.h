/* nlm_view.h - what the feed-forward and recurrent LMs' commands (fflm,
 * rnn) show besides training: a model of any kind opened through the
 * language-model interface (models/lmodel.h), a prompt read as the start of
 * a document, next-token bars, a token as printable text.
 *
 * Contract
 * - Paths go through a lesson's policy (cli/sandbox.h); messages go to
 *   ctx->err as "llmlab CMD: ...", and a failing call returns -1/NULL.
 * - A prompt is read as a training document starts: <|endoftext|> (when
 *   the tokeniser has it) then the text encoded as plain text.
 * - Bars: the k most likely next tokens, probability (softmax of the
 *   logits, temperature 1) as a percentage and a bar of 30 columns.
 */
#ifndef LM_CLI_NLM_VIEW_H
#define LM_CLI_NLM_VIEW_H

#include "cli/cli.h"
#include "models/lmodel.h"

lm_lmodel *cli_nlm_open(cli_ctx *ctx, const char *cmd, const char *path);
/* text[0..len) as the model reads it (above) into ids (emptied first). */
int  cli_nlm_prompt(cli_ctx *ctx, const char *cmd, const lm_tokenizer *tok, const uint8_t *text, size_t len,
                    lm_ids *ids);
/* the printable form of token id (show.h's show_piece) */
void cli_nlm_piece(const lm_tokenizer *tok, int32_t id, char *out, size_t cap);
/* s, then spaces up to width terminal columns (one per UTF-8 character) */
void cli_nlm_put_padded(FILE *f, const char *s, int width);
/* k rows of next-token bars after ids[0..n), each line indented by indent */
int  cli_nlm_bars(cli_ctx *ctx, const char *cmd, lm_lmodel *lm, const int32_t *ids, size_t n, int k,
                  const char *indent);

#endif
