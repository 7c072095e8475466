/* session.c - the UI's sequence (session.h): prompt text -> token ids
 * (cli_prompt_encode, plain or chat template, every token) -> one forward
 * pass of the view model over the context window (lm_prefill_window) -> the
 * sampler's next-token distribution; step appends the previewed token, undo
 * takes it back (and restores the random generator, so a redo draws the
 * same). */
#include "ui/session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/prompt.h"
#include "decode/generate.h"
#include "decode/prefill.h"
#include "models/lmodel.h"
#include "ui/worker.h"

int ses_model_ok(const ui_session *a) { return a->ctx->model_loaded && a->ctx->tok && !a->ctx->lmodel; }
int ses_lm_ok(const ui_session *a) { return a->ctx->model_loaded && a->ctx->tok; }

void ses_msg(ui_session *a, int is_err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->msg, sizeof a->msg, fmt, ap);
    va_end(ap);
    char *nl = strchr(a->msg, '\n');
    if (nl) *nl = '\0';
    a->msg_err = is_err;
}

int ses_init(ui_session *a, cli_ctx *ctx) {
    a->ctx = ctx;
    lm_rng_seed(&a->rng, a->ctx->seed);
    a->dirty = 1;
    a->query = -1;
    return 0;
}

void ses_free(ui_session *a) {
    lm_ids_free(&a->seq);
    free(a->undo);
    a->undo = NULL;
    if (a->sres.V) lm_sample_result_free(&a->sres);
    memset(&a->sres, 0, sizeof a->sres);
    free(a->next_logits);
    a->next_logits = NULL;
    a->next_V = 0;
}

void ses_set_prompt(ui_session *a, const char *text) {
    snprintf(a->prompt, sizeof a->prompt, "%s", text);
    a->plen = strlen(a->prompt);
    ses_reencode(a);
}

void ses_reencode(ui_session *a) {
    lm_ids_free(&a->seq);
    a->n_prompt = 0;
    a->n_undo = 0;
    a->n_calls = 0;
    a->running = 0;
    a->dirty = 1;
    a->prompt_ver++;
    a->inputs_ver++;
    if (!ses_lm_ok(a)) return;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    FILE *old = a->ctx->err;
    if (mem) a->ctx->err = mem;
    cli_prompt p;
    int rc = cli_prompt_encode(a->ctx, "ui", (const uint8_t *)a->prompt, a->plen, a->chat, &p);
    a->ctx->err = old;
    if (mem) fclose(mem);
    if (buf && len) {
        const char *m = buf;
        if (strncmp(m, "llmlab ui: ", 11) == 0) m += 11;
        ses_msg(a, rc != 0, "%s", m);
    } else if (a->msg_err) {
        a->msg[0] = '\0';
    }
    free(buf);
    if (rc == 0) {
        a->seq = p.ids;
        a->n_prompt = p.ids.n;
        free(p.text);
    }
}

/* the sampler over the cached next-token logits */
static int resample(ui_session *a) {
    const int V = a->next_V;
    lm_err err = {{0}};
    a->sres_ok = 0;
    if (!a->ctx->lmodel && a->ctx->model.bidirectional) {   /* its last row sees no "next" */
        snprintf(a->fwd_err, sizeof a->fwd_err, "an encoder fills blanks from both sides and does not predict the "
                                                "next token (:mlm fill \"... [MASK] ...\"); attention shows its full matrix");
        return -1;
    }
    if (a->sres.V != V) {
        if (a->sres.V) lm_sample_result_free(&a->sres);
        memset(&a->sres, 0, sizeof a->sres);
        if (lm_sample_result_init(&a->sres, V, &err)) {
            snprintf(a->fwd_err, sizeof a->fwd_err, "%.250s", err.msg);
            return -1;
        }
    }
    lm_rng r = a->rng;
    if (lm_sample(a->next_logits, V, &a->ctx->sampling, &r, &a->sres, &err)) {
        snprintf(a->fwd_err, sizeof a->fwd_err, "sample: %.230s", err.msg);
        return -1;
    }
    a->rng_after = r;
    a->sres_ok = 1;
    return 0;
}

/* where the window starts in seq (session.h's contract): slide, where
 * generation's window is (lm_slide_start); stop, the last n_ctx tokens */
static size_t window_start(const ui_session *a) {
    int n_ctx = cli_model_n_ctx(a->ctx);   /* 0: unbounded (an RNN) */
    size_t n = a->seq.n;
    if (n_ctx <= 0 || n == 0) return 0;
    if (a->ctx->slide && n_ctx >= 2) return lm_slide_start(n_ctx, a->n_prompt < n ? a->n_prompt : n, n);
    return n > (size_t)n_ctx ? n - (size_t)n_ctx : 0;
}

/* the policy is stop and the window holds n_ctx tokens: no step fits */
static int context_full(const ui_session *a) {
    int n_ctx = cli_model_n_ctx(a->ctx);
    return ses_lm_ok(a) && !a->ctx->slide && n_ctx > 0 && a->seq.n >= (size_t)n_ctx;
}

/* a->next_V logits for what follows seq: the transformer's forward over
 * the window (kept for the panels that look inside), or another kind's
 * next_logits */
static int next_logits(ui_session *a) {
    lm_err err = {{0}};
    struct lm_lmodel *lm = a->ctx->lmodel;
    int V = lm ? lm->vocab : a->ctx->model.cfg.vocab_size;
    if (a->next_V != V) {
        float *p = realloc(a->next_logits, (size_t)V * sizeof *p);
        if (!p) {
            snprintf(a->fwd_err, sizeof a->fwd_err, "out of memory");
            return -1;
        }
        a->next_logits = p;
        a->next_V = V;
    }
    const size_t n = a->seq.n, off = window_start(a);
    if (lm) {
        if (lm->ops->next_logits(lm, a->seq.ids + off, n - off, a->next_logits, &err)) {
            snprintf(a->fwd_err, sizeof a->fwd_err, "%.240s", err.msg);
            return -1;
        }
        a->fwd_off = off;
        a->T = (int)(n - off);
        return 0;
    }
    lm_model *m = &a->ctx->model;
    size_t clip = 0;   /* 0: the window fits n_ctx */
    if (lm_prefill_window(m, a->seq.ids + off, n - off, &clip, &err)) {
        snprintf(a->fwd_err, sizeof a->fwd_err, "forward: %.230s", err.msg);
        return -1;
    }
    a->fwd_ok = 1;
    a->fwd_off = off + clip;
    a->T = (int)(n - a->fwd_off);
    memcpy(a->next_logits, lm_logits(m, 0) + (size_t)(a->T - 1) * V, (size_t)V * sizeof *a->next_logits);
    return 0;
}

int ses_update(ui_session *a) {
    int later = 0;
    /* New weights from the training worker: the answer to a key press is drawn
     * at once from the last forward (a fraction of a second old), and the
     * forward with the new weights follows on the next frame, so a key never
     * waits for a forward pass that competes with training for the cores. */
    if (a->wdirty) {
        if (a->in_key && a->fwd_ok && !a->dirty) later = 1;
        else { a->wdirty = 0; a->dirty = 1; }
    }
    if (!a->dirty) {
        if (a->sdirty && a->fwd_ok) { a->sdirty = 0; resample(a); }
        return later;
    }
    a->dirty = 0;
    a->sdirty = 0;
    a->fwd_ok = 0;
    a->sres_ok = 0;
    a->fwd_err[0] = '\0';
    if (!ses_lm_ok(a)) {
        snprintf(a->fwd_err, sizeof a->fwd_err, "no model loaded (:load MODEL)");
        return 0;
    }
    if (a->seq.n == 0) {
        snprintf(a->fwd_err, sizeof a->fwd_err, "no tokens: press e and type a prompt");
        return 0;
    }
    if (next_logits(a) != 0) return 0;
    resample(a);
    if (a->query >= a->T) a->query = -1;
    return 0;
}

static int is_stop(const ui_session *a, int32_t id) {
    int32_t stop[2];
    int n = uw_stop_ids(a->ctx->tok, stop);
    for (int i = 0; i < n; i++)
        if (id == stop[i]) return 1;
    return 0;
}

int ses_tools_on(const ui_session *a) { return a->chat && ses_lm_ok(a) && lm_chat_has_tools(a->ctx->tok); }

/* the <|result|> just appended: the calculator answers the open call, its
 * VALUE tokens and <|/result|> join seq. 0 = generation goes on, 1 = the
 * call limit stops it, -1 = error (fwd_err) */
static int answer_call(ui_session *a) {
    if (a->n_calls >= LM_TOOL_MAX_CALLS) {
        ses_msg(a, 0, "stopped: a reply makes at most %d calculator calls; this <|result|> is not answered",
                LM_TOOL_MAX_CALLS);
        return 1;
    }
    lm_err err = {{0}};
    lm_chat_ids ids;
    lm_ids feed = {0};
    lm_tool_call *c = &a->calls[a->n_calls];
    size_t n_reply = a->seq.n - 1 - a->n_prompt;   /* before the <|result|> */
    int rc = lm_chat_ids_get(a->ctx->tok, &ids, &err);
    if (rc == 0) rc = lm_tool_run(a->ctx->tok, &ids, a->seq.ids + a->n_prompt, n_reply, c, &feed, &err);
    for (size_t i = 0; rc == 0 && i < feed.n; i++)
        if (lm_ids_push(&a->seq, feed.ids[i])) rc = lm_fail(&err, "out of memory");
    lm_ids_free(&feed);
    if (rc) {
        a->seq.n = a->n_prompt + n_reply + 1;
        snprintf(a->fwd_err, sizeof a->fwd_err, "calculator: %.230s", err.msg);
        return -1;
    }
    a->n_calls++;
    char text[160];
    ses_msg(a, 0, "calculator: %s", ses_call_text(c, text, sizeof text));
    return 0;
}

char *ses_call_text(const lm_tool_call *c, char *out, size_t cap) {
    char expr[64];
    size_t k = 0;
    for (const char *p = c->expr; *p && k + 1 < sizeof expr; p++)   /* one line: control bytes as spaces */
        expr[k++] = (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p;
    expr[k] = '\0';
    snprintf(out, cap, "%s%s = %s", c->status == LM_TOOL_MALFORMED ? "(no expression)" : expr,
             c->expr_len > k && c->status != LM_TOOL_MALFORMED ? "..." : "", c->value);
    return out;
}

int ses_step(ui_session *a) {
    if (context_full(a)) return 2;
    ses_update(a);
    if (!a->sres_ok) return -1;
    if (a->n_undo == a->cap_undo) {
        size_t nc = a->cap_undo ? a->cap_undo * 2 : 64;
        lm_rng *p = realloc(a->undo, nc * sizeof *p);
        if (!p) return -1;
        a->undo = p;
        a->cap_undo = nc;
    }
    int32_t tok = a->sres.token;
    if (lm_ids_push(&a->seq, tok)) return -1;
    a->undo[a->n_undo++] = a->rng;
    a->rng = a->rng_after;
    a->dirty = 1;
    if (ses_tools_on(a) && tok == lm_tok_special_id(a->ctx->tok, LM_CHAT_RESULT)) return answer_call(a);
    return is_stop(a, tok) ? 1 : 0;
}

int ses_undo(ui_session *a) {
    if (a->seq.n <= a->n_prompt || a->n_undo == 0) return -1;
    const lm_tool_call *c = a->n_calls ? &a->calls[a->n_calls - 1] : NULL;
    if (c && a->seq.n == a->n_prompt + (size_t)c->end_pos + 1) {   /* the tool's answer goes too */
        a->seq.n = a->n_prompt + (size_t)c->result_pos + 1;
        a->n_calls--;
    }
    a->seq.n--;
    a->rng = a->undo[--a->n_undo];
    a->dirty = 1;
    return 0;
}

void ses_reseed(ui_session *a) {
    lm_rng_seed(&a->rng, a->ctx->seed);
    ses_settings_changed(a);
}

void ses_settings_changed(ui_session *a) {
    a->sdirty = 1;   /* same logits, new cuts: only the sampler runs again */
    a->inputs_ver++;
}

void ses_inputs_changed(ui_session *a) {
    a->dirty = 1;
    a->inputs_ver++;
}

void ses_weights_published(ui_session *a) {
    a->wdirty = 1;
    a->weights_ver++;
}

void ses_model_changed(ui_session *a) {
    ses_lineage_reset(a);
    a->model_ver++;
    a->query = -1;
    ses_reseed(a);
    ses_reencode(a);
}

/* ------------------------------------------------------------ the window */

void ses_restore_forward(ui_session *a) {
    if (!a->fwd_ok || a->ctx->lmodel) return;
    size_t clip = 0;
    lm_err err = {{0}};
    if (lm_prefill_window(&a->ctx->model, a->seq.ids + a->fwd_off, (size_t)a->T, &clip, &err) != 0) a->dirty = 1;
}

int ses_context_note(const ui_session *a, int is_short, char *buf, size_t cap) {
    if (!cap) return 0;
    buf[0] = '\0';
    if (!ses_lm_ok(a) || a->seq.n == 0) return 0;
    const int n_ctx = cli_model_n_ctx(a->ctx);
    const size_t n = a->seq.n, np = a->n_prompt < n ? a->n_prompt : n, off = window_start(a);
    if (off > 0 && a->ctx->slide) {
        size_t pd = off < np ? off : np;
        if (is_short) snprintf(buf, cap, "ctx %d slid: first %zu of %zu tokens dropped", n_ctx, off, n);
        else snprintf(buf, cap, "the window (%d tokens) slid: the first %zu of %zu tokens are dropped (%zu of the "
                      "prompt's %zu); the model reads the last %zu (^W: stop instead)", n_ctx, off, n, pd, np, n - off);
    } else if (off > 0) {
        char what[96];   /* the prompt alone, or generated tokens too (stepped while the window slid) */
        if (n == np) snprintf(what, sizeof what, "the prompt has %zu tokens", np);
        else snprintf(what, sizeof what, "the text has %zu tokens (prompt %zu + %zu generated)", n, np, n - np);
        if (is_short) snprintf(buf, cap, "ctx %d: first %zu of %zu tokens dropped", n_ctx, off, n);
        else snprintf(buf, cap, "%s, more than the context of %d: the model reads the last %d, the first %zu are "
                      "dropped; generating is refused (^W: slide the window)", what, n_ctx, n_ctx, off);
    } else if (context_full(a)) {
        if (is_short) {
            snprintf(buf, cap, "context full (%d)", n_ctx);
        } else {
            lm_gen_result r = {.reason = LM_GEN_CONTEXT, .stop_token = -1, .n_new = (int)(n - np)};
            size_t len = lm_gen_note(&r, np, n_ctx, buf, cap) ? strlen(buf) : 0;
            snprintf(buf + len, cap - len, "; ^W slides the window");
        }
    } else {
        return 0;
    }
    return 1;
}

void ses_toggle_slide(ui_session *a) {
    a->ctx->slide = !a->ctx->slide;
    ses_inputs_changed(a);
    ses_msg(a, 0, a->ctx->slide ? "context: slide the window when the text outgrows it (^W: stop instead)"
                                : "context: stop when the window is full (^W: slide instead)");
}

/* ------------------------------------------------------------ the label */

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

void ses_lineage_reset(ui_session *a) { memset(&a->lin, 0, sizeof a->lin); }

void ses_lineage_fresh(ui_session *a, const char *desc) {
    ses_lineage_reset(a);
    snprintf(a->lin.origin, sizeof a->lin.origin, "%s", desc);
    a->lin.fresh = 1;
}

void ses_lineage_begin(ui_session *a, const char *obj) {
    ui_lineage *l = &a->lin;
    if (l->n_seg > 0 && l->seg[l->n_seg - 1].steps == 0) l->n_seg--;   /* an empty segment is replaced */
    if (l->n_seg == UI_LINEAGE_SEGS) {   /* full: the oldest two merge into "N ... steps" of the first's name */
        l->seg[0].steps += l->seg[1].steps;
        memmove(&l->seg[1], &l->seg[2], sizeof l->seg[0] * (UI_LINEAGE_SEGS - 2));
        l->n_seg--;
    }
    snprintf(l->seg[l->n_seg].obj, sizeof l->seg[0].obj, "%s", obj);
    l->seg[l->n_seg].steps = 0;
    l->n_seg++;
}

void ses_lineage_steps(ui_session *a, int steps) {
    if (a->lin.n_seg > 0 && steps >= 0) a->lin.seg[a->lin.n_seg - 1].steps = steps;
}

void ses_lineage_saved(ui_session *a, const char *path) {
    char obj[16] = "";
    if (a->lin.n_seg > 0) snprintf(obj, sizeof obj, "%s", a->lin.seg[a->lin.n_seg - 1].obj);
    ses_lineage_reset(a);
    snprintf(a->lin.origin, sizeof a->lin.origin, "%s", base_name(path));
    if (obj[0]) ses_lineage_begin(a, obj);   /* training may go on after the save */
}

/* "sft" -> "SFT", "rl" -> "RL", others as named */
static const char *obj_title(const char *obj) {
    if (strcmp(obj, "sft") == 0) return "SFT";
    if (strcmp(obj, "rl") == 0) return "RL";
    if (strcmp(obj, "dpo") == 0) return "DPO";
    return obj;
}

char *ses_model_label(const ui_session *a, char *buf, size_t cap) {
    const ui_lineage *l = &a->lin;
    if (!cap) return buf;
    const char *origin = l->origin[0] ? l->origin : base_name(a->ctx->model_path);
    size_t n = (size_t)snprintf(buf, cap, "%s", origin);
    int total = 0, any = 0;
    for (int i = 0; i < l->n_seg; i++) total += l->seg[i].steps;
    for (int i = 0; i < l->n_seg && n < cap; i++) {
        if (l->seg[i].steps <= 0) continue;
        int last = 1;
        for (int j = i + 1; j < l->n_seg; j++) if (l->seg[j].steps > 0) last = 0;
        n += (size_t)snprintf(buf + n, cap - n, "%s%d %s%s", any ? " + " : l->fresh ? ", " : " + ", l->seg[i].steps,
                              obj_title(l->seg[i].obj), last ? (total == 1 ? " step" : " steps") : "");
        any = 1;
    }
    if (n < cap && (any || l->fresh)) snprintf(buf + n, cap - n, " (unsaved)");
    return buf;
}
