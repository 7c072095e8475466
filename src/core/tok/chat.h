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
 *
 * Tool use (a calculator, decode/calc.h; the loop is decode/tools.h):
 *
 *   <|assistant|>TEXT<|tool|>EXPR<|result|>VALUE<|/result|>MORE TEXT<|end|>
 *
 * - Inside an assistant turn the model writes <|tool|>EXPR<|result|>; the
 *   generate loop evaluates EXPR, feeds VALUE<|/result|> (VALUE as plain
 *   text tokens: the decimal result or "error: ..."), and the model goes on
 *   with the same turn (more text, another call, or <|end|>).
 * - As messages: an assistant message with tool_call set renders as
 *   [<|assistant|>]CONTENT<|tool|>TOOL_CALL<|result|> (no <|end|>); the next
 *   message has role tool and renders as CONTENT<|/result|>; an assistant
 *   message right after a tool message continues the turn (no
 *   <|assistant|> before it). A tool message must follow an assistant
 *   message with a tool_call, and such a message must be followed by its tool
 *   message (either may end the conversation, as a cut example does); only
 *   assistant messages carry a tool_call. The generation prompt after a
 *   final tool message adds nothing: the model goes on with its turn.
 * - Mask: 1 on <|tool|>, EXPR and <|result|> (the model learns to make the
 *   call), 0 on VALUE and <|/result|> (the tool writes them).
 * - The tool markers are optional: a tokeniser without them chats as before
 *   (lm_chat_has_tools is 0); messages that use tools then fail, naming the
 *   missing marker.
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

typedef enum {
    LM_ROLE_SYSTEM = 0, LM_ROLE_USER = 1, LM_ROLE_ASSISTANT = 2,
    LM_ROLE_TOOL = 3,   /* the tool's answer to the assistant's tool_call */
} lm_chat_role;

typedef struct {
    lm_chat_role role;
    const char  *content;   /* bytes, not necessarily NUL-terminated */
    size_t       len;
    const char  *tool_call; /* assistant only: EXPR of a call after content, or NULL */
    size_t       tool_len;
} lm_chat_msg;

const char *lm_chat_role_name(lm_chat_role r);   /* "system" | "user" | "assistant" | "tool" */
int         lm_chat_role_parse(const char *s, lm_chat_role *out);   /* 0 ok, -1 unknown */

/* Ids of the markers in t; fails (naming the missing marker) when t lacks
 * any of the first five. The tool markers are -1 when t lacks them. */
typedef struct { int32_t eot, system, user, assistant, end, tool, result, result_end; } lm_chat_ids;
int lm_chat_ids_get(const lm_tokenizer *t, lm_chat_ids *ids, lm_err *err);

/* 1 when t has the chat markers and the three tool markers (a model that can
 * call the calculator), else 0. */
int lm_chat_has_tools(const lm_tokenizer *t);
/* 0 when t has the three tool markers, else -1 naming the missing one. */
int lm_chat_tools_check(const lm_tokenizer *t, lm_err *err);

/* Whether msgs[0..n) follow the tool rules above (roles known, tool_call
 * only on assistant messages, tool messages only after a call, a call
 * followed by its tool message); -1 with "message I ..." (1-based) if not. */
int lm_chat_check(const lm_chat_msg *msgs, int n, lm_err *err);

/* Appends the template of msgs[0..n) to out (lm_chat_check first); with
 * gen_prompt the result ends with <|assistant|> (ready for the model to
 * answer; nothing is added after a final tool message, and a final
 * tool_call is refused: its result is missing). If mask is non-NULL,
 * *mask is (re)allocated to out->n bytes and filled for ALL ids of out
 * (ids that were already in out get 0). */
int lm_chat_encode(const lm_tokenizer *t, const lm_chat_msg *msgs, int n, int gen_prompt,
                   lm_ids *out, uint8_t **mask, lm_err *err);

/* The template as text (what the ids decode to); malloc'd, NUL-terminated.
 * It does not check the messages: give it what lm_chat_check accepts. */
char *lm_chat_render_text(const lm_chat_msg *msgs, int n, int gen_prompt, size_t *len);

/* The ids that end an assistant reply: <|end|> and <|endoftext|>. Returns the
 * count (2) or -1 when the tokeniser lacks them. */
int lm_chat_stop_ids(const lm_tokenizer *t, int32_t stop[2], lm_err *err);

#endif
