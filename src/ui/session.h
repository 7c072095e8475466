/* session.h - what every panel of the text UI shares: the prompt, the
 * sequence the model sees (prompt ids, then generated ones), the forward pass
 * of the view model over it and the sampler's next-token distribution.
 *
 * Contract
 * - Computing happens in ses_update (the frame loop's update step, before
 *   drawing) and in ses_step; panels draw from the plain fields below and
 *   never run the model while drawing.
 * - Changes are announced by version counters that panels compare with the
 *   values they last computed from:
 *     prompt_ver   the prompt text or the chat setting changed (re-encoded)
 *     inputs_ver   anything model outputs depend on changed now: the prompt,
 *                  a decoding setting, a command, reverted weights
 *     weights_ver  the training worker published new weights (a panel may
 *                  answer a key from its last results and catch up a frame later)
 *     model_ver    another model was loaded
 * - The context window: seq holds the whole text (the prompt is never cut);
 *   the forward covers the window seq[fwd_off .. seq.n), by the context
 *   policy ctx->slide (decode/generate.h): stop, the last n_ctx tokens (all
 *   of seq unless the prompt alone is longer), and a step that would make the
 *   text outgrow n_ctx is refused (ses_step: 2); slide, the window
 *   generation would read (lm_slide_start), and steps go on. What the window
 *   leaves out is said on screen (ses_context_note), never dropped silently.
 * - The view model is ctx->model; the UI thread owns it (see app.h). When
 *   the loaded model is another kind (ctx->lmodel: an n-gram, an RNN, ...)
 *   there is no forward to look inside: fwd_ok stays 0, and only the
 *   next-token distribution (next_logits, sres) is computed, from
 *   lm_lmodel's next_logits; panels that need the transformer are skipped
 *   (panel.h any_kind).
 * - Tool use (chat.h): with the chat template on and a tokeniser that has
 *   the tool markers, a <|result|> that ses_step appends is answered at once:
 *   the calculator runs on the open call (lm_tool_run) and its VALUE tokens
 *   and <|/result|> follow in seq, recorded in calls[] (positions relative to
 *   n_prompt). At most LM_TOOL_MAX_CALLS per generated reply; one more stops
 *   (ses_step returns 1) unanswered. ses_undo takes a call back whole, with
 *   the <|result|> that asked for it.
 */
#ifndef LM_UI_SESSION_H
#define LM_UI_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "base/rng.h"
#include "cli/cli.h"
#include "decode/sampler.h"
#include "decode/tools.h"
#include "tok/tokenizer.h"

#define UI_PROMPT_MAX 2048
#define UI_LINEAGE_SEGS 4

/* What the view model is, for its label (ses_model_label): its origin (the
 * file it was loaded from, a fresh random model, or the file the training
 * copy was last saved as) and the training done on it since, in segments of
 * one objective each. */
typedef struct {
    char origin[128];              /* "" = the name of ctx->model_path */
    int fresh;                     /* origin is a fresh random model ("fresh 2x64 model") */
    struct { char obj[16]; int steps; } seg[UI_LINEAGE_SEGS];
    int n_seg;
} ui_lineage;

typedef struct ui_session {
    cli_ctx *ctx;
    char prompt[UI_PROMPT_MAX];    /* the prompt text (UTF-8) */
    size_t plen;
    int chat;                      /* wrap the prompt in the chat template */
    /* ---- the sequence: prompt ids, then generated ones ---- */
    lm_ids seq;
    size_t n_prompt;
    lm_rng rng;                    /* the sampling generator (seeded from ctx->seed) */
    lm_rng *undo;                  /* rng state before each generated token */
    size_t n_undo, cap_undo;
    int running;                   /* continuous generation */
    int query;                     /* the selected position in the forward window, -1 = last */
    int training;                  /* a training worker publishes into the view model (train panel) */
    ui_lineage lin;                /* what the view model is (see ses_model_label) */
    lm_tool_call calls[LM_TOOL_MAX_CALLS];   /* the calculator calls in the generated part */
    int n_calls;
    /* ---- the status line's message ---- */
    char msg[256];
    int msg_err;
    /* ---- change counters (see the contract) ---- */
    unsigned prompt_ver, inputs_ver, weights_ver, model_ver;
    int in_key;                    /* updating to answer a key press: new weights may wait a frame */
    /* ---- the forward over seq and the sampler ---- */
    int dirty;                     /* seq or weights changed: forward again */
    int sdirty;                    /* only the decoding settings changed: sample again */
    int wdirty;                    /* new weights not yet in the forward */
    int fwd_ok;
    size_t fwd_off;                /* the forward covers seq[fwd_off .. seq.n) (the window, see the contract) */
    int T;
    float *next_logits;            /* [V] the logits of the token after seq (any kind) */
    int next_V;
    lm_sample_result sres;         /* next-token distribution and the cuts */
    int sres_ok;
    lm_rng rng_after;              /* rng after drawing sres.token */
    char fwd_err[256];
} ui_session;

int  ses_init(ui_session *s, cli_ctx *ctx);
void ses_free(ui_session *s);
/* a transformer is loaded (every view works) */
int  ses_model_ok(const ui_session *s);
/* a language model of any kind is loaded (the next-token view works) */
int  ses_lm_ok(const ui_session *s);
void ses_msg(ui_session *s, int is_err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ses_set_prompt(ui_session *s, const char *text);
/* re-encodes the prompt and drops generated tokens */
void ses_reencode(ui_session *s);
/* runs the forward pass and the sampler if anything changed; returns 1 when
 * new weights were left for the next frame (draw again soon), else 0 */
int  ses_update(ui_session *s);
/* appends the previewed token (and, for a calculator call, the tool's
 * answer); 1 = stop token or a call beyond the limit, 2 = refused: the
 * context is full and the policy is stop (nothing appended), -1 = error */
int  ses_step(ui_session *s);
/* 1 when generated tokens are answered by the calculator (chat on, tool markers) */
int  ses_tools_on(const ui_session *s);
/* a call as one line of text, "EXPR = VALUE" (control bytes as spaces, a
 * long EXPR cut with "..."); returns out */
char *ses_call_text(const lm_tool_call *c, char *out, size_t cap);
int  ses_undo(ui_session *s);
void ses_reseed(ui_session *s);      /* the generator back to ctx->seed */
void ses_settings_changed(ui_session *s);   /* a decoding setting changed: sample again */
void ses_inputs_changed(ui_session *s);     /* forward again now */
void ses_weights_published(ui_session *s);  /* the worker's weights are in ctx->model */
void ses_model_changed(ui_session *s);      /* another model: reseed, re-encode, lineage = the file */
/* A panel that ran the view model on other tokens puts the session's forward
 * (over its window) back into the model's activations; a failure makes it
 * dirty (computed again on the next update). Nothing when there is none. */
void ses_restore_forward(ui_session *s);
/* The context window in words, for the screen; 0 and "" when the window
 * holds the whole text and a step may still be taken. Long (the next-token
 * view's line): "the prompt has 300 tokens, more than the context of 128: the
 * model reads the last 128, the first 172 are dropped (^W: slide the window)",
 * "the window slid: ...", "context full: 128 tokens (prompt 100 + 28
 * generated); ^W slides the window". Short (the prompt line, every view):
 * "ctx 128: first 172 of 300 tokens dropped", "context full (128)". */
int  ses_context_note(const ui_session *s, int is_short, char *buf, size_t cap);
/* the context policy to the other one (Ctrl-W, or :set context): says which */
void ses_toggle_slide(ui_session *s);

/* ---- the view model's label: the ONE place that names it (status line,
 * compare panel, train panel) ----
 *   "base.llm"                                       the file, untouched
 *   "base.llm + 190 SFT steps (unsaved)"             trained in the train panel
 *   "fresh 2x64 model, 300 pretrain steps (unsaved)" a fresh random model trained
 *   "trained-step300.llm"                            just saved (+ "N ... steps (unsaved)" after)
 * Writes at most cap bytes (NUL-terminated); returns buf. */
char *ses_model_label(const ui_session *s, char *buf, size_t cap);
/* the view model is the file again (load, revert) */
void ses_lineage_reset(ui_session *s);
/* the view model is a fresh random model described by desc ("fresh 2x64 model") */
void ses_lineage_fresh(ui_session *s, const char *desc);
/* training with objective obj starts on the view model: a new segment (the
 * same objective as the last, empty segment reuses it) */
void ses_lineage_begin(ui_session *s, const char *obj);
/* the current segment's steps so far (what the view model has taken in) */
void ses_lineage_steps(ui_session *s, int steps);
/* the view model was saved as path: it is now that file */
void ses_lineage_saved(ui_session *s, const char *path);

#endif
