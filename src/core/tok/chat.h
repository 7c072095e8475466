/* chat.h - THE chat template of llmlab, defined once and used everywhere
 * (SFT data, `generate --chat`, the UI, the evaluations).
 *
 * Template (no separators other than the markers, all markers are special
 * tokens of the model's tokeniser):
 *
 *   <|endoftext|><|system|>SYSTEM<|end|><|user|>USER<|end|><|assistant|>ANSWER<|end|>...
 *
 * - A conversation starts with <|endoftext|>, the token every pretraining
 *   document follows, so the model starts a chat the way it starts a document.
 * - The system turn is optional; turns may repeat.
 * - The generation prompt is the conversation followed by "<|assistant|>";
 *   the reply ends at <|end|> (or <|endoftext|>): lm_chat_stop_ids.
 * - Markers are encoded with allow_special; message content is encoded as
 *   plain text, so a user typing "<|end|>" gets ordinary text tokens and can
 *   never inject a marker.
 * - The loss mask (one byte per id) is 1 on the tokens of assistant content
 *   and on the assistant's closing <|end|>, 0 everywhere else (markers, system
 *   and user turns). Training on position t predicts id t+1, so the mask that
 *   multiplies the loss at input position t is mask[t+1] (dataset.c).
 */
#ifndef LM_CHAT_H
#define LM_CHAT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "tok/tokenizer.h"

#define LM_CHAT_EOT       "<|endoftext|>"
#define LM_CHAT_SYSTEM    "<|system|>"
#define LM_CHAT_USER      "<|user|>"
#define LM_CHAT_ASSISTANT "<|assistant|>"
#define LM_CHAT_END       "<|end|>"
/* Tool use inside an assistant turn: the model writes <|tool|>EXPR<|result|>,
 * the generate loop runs the calculator on EXPR and feeds VALUE<|/result|>,
 * and the model goes on with its reply. */
#define LM_CHAT_TOOL      "<|tool|>"
#define LM_CHAT_RESULT    "<|result|>"
#define LM_CHAT_RESULT_END "<|/result|>"

/* The eight marker strings, NULL-terminated: what `bpe-train` adds as
 * special tokens (a tokeniser with only the first five still chats; it
 * cannot call the tool). */
extern const char *const lm_chat_specials[];

typedef enum { LM_ROLE_SYSTEM = 0, LM_ROLE_USER = 1, LM_ROLE_ASSISTANT = 2 } lm_chat_role;

typedef struct {
    lm_chat_role role;
    const char  *content;   /* bytes, not necessarily NUL-terminated */
    size_t       len;
} lm_chat_msg;

const char *lm_chat_role_name(lm_chat_role r);            /* "system" | "user" | "assistant" */
int         lm_chat_role_parse(const char *s, lm_chat_role *out);   /* 0 ok, -1 unknown */

/* Ids of the markers in t; fails (naming the missing marker) when t lacks
 * any of them. */
typedef struct { int32_t eot, system, user, assistant, end; } lm_chat_ids;
int lm_chat_ids_get(const lm_tokenizer *t, lm_chat_ids *ids, lm_err *err);

/* Appends the template of msgs[0..n) to out; with gen_prompt the result ends
 * with <|assistant|> (ready for the model to answer). If mask is non-NULL,
 * *mask is (re)allocated to out->n bytes and filled for ALL ids of out
 * (ids that were already in out get 0). */
int lm_chat_encode(const lm_tokenizer *t, const lm_chat_msg *msgs, int n, int gen_prompt,
                   lm_ids *out, uint8_t **mask, lm_err *err);

/* The template as text (what the ids decode to); malloc'd, NUL-terminated. */
char *lm_chat_render_text(const lm_chat_msg *msgs, int n, int gen_prompt, size_t *len);

/* The ids that end an assistant reply: <|end|> and <|endoftext|>. Returns the
 * count (2) or -1 when the tokeniser lacks them. */
int lm_chat_stop_ids(const lm_tokenizer *t, int32_t stop[2], lm_err *err);

#endif
