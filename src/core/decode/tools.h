/* tools.h - generation with tool use: inside its chat reply the model calls
 * the calculator (calc.h) and reads the result (the convention is chat.h's:
 * <|tool|>EXPR<|result|>VALUE<|/result|>).
 *
 * Contract
 * - lm_tool_generate feeds the prompt with lm_prefill (prefill.h), then
 *   decodes with lm_decode (generate.h; o->decode may stand in for it) and
 *   the stop ids {<|end|>, <|endoftext|>, <|result|>}.
 * - When the model draws <|result|>, lm_tool_run makes the call: EXPR is the
 *   decoded text of the reply's tokens after its last <|tool|> (one that no
 *   <|result|> or <|/result|> follows); VALUE is the calculator's text (the
 *   decimal result or "error: ..."). <|result|>, VALUE's plain-text tokens
 *   and <|/result|> are appended to the reply and fed into the KV cache, and
 *   decoding goes on from the logits after <|/result|>, in the same reply.
 *   A <|result|> without an open <|tool|> is a malformed call: it is fed the
 *   VALUE LM_TOOL_MALFORMED_TEXT the same way.
 * - At most max_calls calls per reply (<= 0: LM_TOOL_MAX_CALLS; at most
 *   LM_TOOL_CALLS_CAP): one more <|result|> ends the reply there
 *   (LM_GEN_STOP with stop_token <|result|>, call_limit = 1; not appended).
 * - max_new bounds the tokens the model draws (a <|result|> counts), not the
 *   tool's. The stop token that ends the reply is not appended (as
 *   lm_generate).
 * - Context: the text (prompt + reply) never exceeds n_ctx tokens. The
 *   model's tokens stop as in lm_decode (LM_GEN_CONTEXT); a call whose
 *   <|result|> VALUE <|/result|> would not fit ends the reply (LM_GEN_CONTEXT)
 *   before it runs, and none of it is appended.
 * - on_event (may be NULL) sees every token of the reply in order: each
 *   drawn token with the sampler's view (sr), then for a call its
 *   <|result|> (sr NULL), the call itself (LM_TOOL_EV_CALL, VALUE known),
 *   then the tool's tokens (from_tool = 1). Non-zero stops generation
 *   (LM_GEN_CALLBACK); the call's tokens are already in the reply then.
 * - The reply is appended to out (may be NULL); res gets the reason, the
 *   counts and every call with its positions in the reply.
 * - Without a call, tokens, reason and the rng's state are exactly those of
 *   lm_generate with the same three stop ids (and so of lm_generate with
 *   <|end|> and <|endoftext|> when the model never draws <|result|>).
 * - A tokeniser without the chat or the tool markers is refused, naming the
 *   missing marker (lm_chat_has_tools tells beforehand). kv may be NULL (one
 *   is made and freed inside); a kv passed in is reset first and afterwards
 *   holds the prompt and the reply's tokens that were fed.
 */
#ifndef LM_TOOLS_H
#define LM_TOOLS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/rng.h"
#include "decode/calc.h"
#include "decode/generate.h"
#include "models/gpt/model.h"
#include "tok/chat.h"
#include "tok/tokenizer.h"

#define LM_TOOL_MAX_CALLS 4
#define LM_TOOL_CALLS_CAP 16
#define LM_TOOL_MALFORMED_TEXT "error: result without a tool call"

typedef enum {
    LM_TOOL_OK = 0,          /* the calculator gave a number */
    LM_TOOL_ERROR = 1,       /* it gave an error (value says which) */
    LM_TOOL_MALFORMED = 2,   /* <|result|> without <|tool|>: no expression */
} lm_tool_status;

typedef struct {
    lm_tool_status status;
    char    expr[LM_CALC_MAX_LEN + 1];   /* EXPR's first bytes (a longer one is an error anyway),
                                            NUL-terminated, raw model bytes; "" when malformed */
    size_t  expr_len;                    /* EXPR's whole length in bytes */
    char    value[LM_CALC_TEXT_MAX];     /* VALUE, what was fed back */
    int64_t number;                      /* the result when status == LM_TOOL_OK */
    int     tool_pos;                    /* reply index of <|tool|>, -1 when malformed */
    int     result_pos;                  /* of <|result|>; VALUE's tokens are (result_pos, end_pos) */
    int     end_pos;                     /* of <|/result|> */
} lm_tool_call;

typedef struct {
    lm_gen_reason reason;
    int32_t       stop_token;   /* reason == LM_GEN_STOP: the id drawn, else -1 */
    int           n_new;        /* tokens of the reply (appended to out): the model's and the tool's */
    int           n_drawn;      /* tokens the model drew (what max_new bounds) */
    int           call_limit;   /* the reply ended at a call beyond max_calls */
    int           n_calls;
    lm_tool_call  calls[LM_TOOL_CALLS_CAP];
} lm_tool_result;

typedef enum { LM_TOOL_EV_TOKEN = 0, LM_TOOL_EV_CALL = 1 } lm_tool_ev_kind;

typedef struct {
    lm_tool_ev_kind kind;
    int32_t token;                /* TOKEN: the id */
    int     pos;                  /* index in the reply: of the token, or of a CALL's <|result|> */
    int     from_tool;            /* TOKEN: written by the tool (VALUE, <|/result|>) */
    const lm_sample_result *sr;   /* TOKEN: the sampler's view of a drawn token, else NULL */
    const lm_tool_call *call;     /* CALL */
} lm_tool_event;

typedef int (*lm_tool_event_fn)(void *user, const lm_tool_event *ev);

/* lm_decode's shape (generate.h): what the loop drives */
typedef int (*lm_decode_fn)(const lm_model *m, lm_kv *kv, const float *first_logits, const lm_gen_opts *o,
                            lm_rng *rng, lm_ids *out, lm_gen_result *res, lm_err *err);

typedef struct {
    int              max_new;     /* tokens the model draws at most */
    lm_sampling      sampling;
    int              max_calls;   /* <= 0: LM_TOOL_MAX_CALLS */
    lm_tool_event_fn on_event;    /* may be NULL */
    void            *user;
    lm_decode_fn     decode;      /* NULL: lm_decode; a test may force tokens with a stand-in */
} lm_tool_opts;

int lm_tool_generate(const lm_model *m, const lm_tokenizer *t, lm_kv *kv, const int32_t *prompt,
                     size_t n_prompt, const lm_tool_opts *o, lm_rng *rng, lm_ids *out, lm_tool_result *res,
                     lm_err *err);

/* Greedy lm_tool_generate up to max_new drawn tokens, the reply as text
 * (malloc'd, NUL-terminated, the tool markers' text kept): what an
 * evaluation reads. */
int lm_tool_generate_text(const lm_model *m, const lm_tokenizer *t, const int32_t *prompt, size_t n_prompt,
                          int max_new, char **text, lm_err *err);

/* One call, for a caller that draws tokens itself (the UI's step): reply[0..n)
 * is the reply so far, without the <|result|> just drawn (which goes at index
 * n). Fills *call and appends what the tool writes after <|result|> (VALUE's
 * tokens, <|/result|>) to feed. ids: lm_chat_ids_get of t, with the tool
 * markers. */
int lm_tool_run(const lm_tokenizer *t, const lm_chat_ids *ids, const int32_t *reply, size_t n, lm_tool_call *call,
                lm_ids *feed, lm_err *err);

#endif
