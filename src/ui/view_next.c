/* view_next.c - the main panel: the prompt's tokens as a strip, the next-token
 * distribution as bars (before and after the cuts, with the top-k and top-p
 * cut lines drawn where they fall), the decoding controls, and step / undo /
 * continuous generation. Everything drawn comes from the session (ses_update:
 * the core's forward + lm_sample), computed in the update step. */
#include "ui/app.h"

#include "ui/curses_inc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const int topk_ladder[] = {0, 1, 2, 3, 5, 10, 20, 50, 100, 200};
#define N_LADDER ((int)(sizeof topk_ladder / sizeof topk_ladder[0]))

/* the panel's own numbers: the raw distribution (softmax of the logits at
 * temperature 1), drawn beside the one the cuts apply to when the
 * temperature is not 1 */
typedef struct {
    float *raw;                    /* [V] */
    int V, raw_ok;
} next_state;

static void *next_create(ui_app *a) { (void)a; return calloc(1, sizeof(next_state)); }

static void next_free(void *st, ui_app *a) {
    (void)a;
    next_state *n = st;
    if (n) free(n->raw);
    free(n);
}

static int is_greedy(const lm_sampling *s) { return s->greedy || s->temperature <= 0; }

/* softmax of the last position's logits at temperature 1 */
static void compute_raw(next_state *n, const ui_app *a) {
    const ui_session *s = &a->ses;
    n->raw_ok = 0;
    int V = s->sres.V;
    if (!s->sres_ok || V <= 0) return;
    if (n->V != V) {
        float *p = realloc(n->raw, sizeof(float) * (size_t)V);
        if (!p) return;
        n->raw = p;
        n->V = V;
    }
    if (s->next_V != V) return;
    const float *z = s->next_logits;   /* [V] what follows the sequence */
    float mx = z[0];
    for (int i = 1; i < V; i++) mx = z[i] > mx ? z[i] : mx;
    double sum = 0;
    for (int i = 0; i < V; i++) sum += n->raw[i] = expf(z[i] - mx);
    for (int i = 0; i < V; i++) n->raw[i] = (float)(n->raw[i] / sum);
    n->raw_ok = 1;
}

/* the raw column is shown when it differs from the bars: sampling at T != 1 */
static int shows_raw(const ui_app *a) {
    const lm_sampling *s = &a->ctx->sampling;
    return !is_greedy(s) && fabsf(s->temperature - 1.0f) > 1e-6f;
}

static int next_poll(void *st, ui_app *a, int active) {
    if (!active) return 0;
    int r = ses_update(&a->ses) ? UI_POLL_AGAIN : 0;
    if (st && shows_raw(a)) compute_raw(st, a);
    return r;
}

/* ------------------------------------------------------------ drawing */

static void cut_line(ui_canvas *cv, int y, int x, int w, const char *label) {
    draw_hline(cv, y, x, w, C_KEY);
    draw_text(cv, y, x + 4, w - 4, C_KEY, label);
}

/* the counts line and the token strip; returns the next free row */
static int draw_tokens(const ui_app *a, ui_canvas *cv, int y, int h) {
    const ui_session *s = &a->ses;
    int W = cv->cols;
    size_t n_gen = s->seq.n - s->n_prompt;
    char l1[200], l2[96];
    snprintf(l1, sizeof l1, "%zu tokens (prompt %zu + generated %zu) under %s%s%s", s->seq.n, s->n_prompt, n_gen,
             lm_tok_name(a->ctx->tok), s->chat ? ", chat template" : "", s->running ? "  [generating: r stops]" : "");
    snprintf(l2, sizeof l2, "%zu tokens (prompt %zu + generated %zu)%s%s", s->seq.n, s->n_prompt, n_gen,
             s->chat ? " chat" : "", s->running ? " [r stops]" : "");
    draw_text_fit(cv, y, 1, W - 2, C_DIM, l1, l2);
    char note[256];   /* what the context window leaves out, said (session.h) */
    if (ses_context_note(s, 0, note, sizeof note)) y += draw_text_wrap(cv, y + 1, 1, W - 2, 2, C_ERR, note);
    /* the token strip: generated tokens marked, the calculator's answers
     * highlighted, the tokens outside the window dimmed */
    uint8_t *marks = calloc(s->seq.n + 1, 1);
    for (size_t i = s->n_prompt; marks && i < s->seq.n; i++) marks[i] = 1;
    for (int k = 0; marks && k < s->n_calls; k++)
        for (size_t i = s->n_prompt + (size_t)s->calls[k].result_pos + 1;
             i <= s->n_prompt + (size_t)s->calls[k].end_pos && i < s->seq.n; i++)
            marks[i] = 2;
    for (size_t i = 0; marks && (s->fwd_ok || s->sres_ok) && i < s->fwd_off && i < s->seq.n; i++) marks[i] = 4;
    if (s->n_calls > 0) {   /* one line of the calls: [calc EXPR = VALUE] ... */
        int x = 1;
        x += draw_text(cv, ++y, x, W - 2, C_DIM, "calculator: ");
        for (int k = 0; k < s->n_calls && x < W - 1; k++) {
            char text[160];
            x += draw_textf(cv, y, x, W - 1 - x, C_HILITE, "[calc %s]", ses_call_text(&s->calls[k], text, sizeof text));
            x += draw_text(cv, y, x, W - 1 - x, C_NORMAL, " ");
        }
    }
    int strip_rows = h / 3;
    if (strip_rows > 12) strip_rows = 12;
    if (strip_rows < 2) strip_rows = h > 8 ? 2 : 1;
    int used = draw_strip(cv, a->ctx->tok, s->seq.ids, s->seq.n, marks, y + 1, 1, W - 2, strip_rows,
                          strip_rows >= 2, HIT_TOKEN);
    free(marks);
    return y + 1 + (used > 0 ? used : 1);
}

/* the decoding controls: full labels with their keys, then short labels,
 * then no keys, whichever fits */
/* greedy: only what is in force (the argmax), and how to get the rest back */
static void draw_controls_greedy(const ui_app *a, ui_canvas *cv, int r) {
    const lm_sampling *s = &a->ctx->sampling;
    int W = cv->cols, x = 1;
    x += draw_text(cv, r, x, W - x, C_OK, "greedy");
    x += draw_text(cv, r, x, W - x, C_KEY, s->greedy ? " [g]" : "");
    draw_text_fit(cv, r, x, W - x, C_DIM,
                  s->greedy ? "  always takes the most likely token: temperature, top-k, top-p and seed are not used"
                            : "  temperature 0 = always the most likely token [T raises it]",
                  s->greedy ? "  the most likely token" : "  temperature 0 [T]");
}

static void draw_controls(const ui_app *a, ui_canvas *cv, int r) {
    const lm_sampling *s = &a->ctx->sampling;
    int W = cv->cols;
    if (is_greedy(s)) { draw_controls_greedy(a, cv, r); return; }
    const char *lab[3][5] = {{"temperature ", "top-k ", "top-p ", "", "seed "},
                             {"temp ", "top-k ", "top-p ", "", "seed "},
                             {"T=", "k=", "p=", "", "seed "}};
    const char *key[5] = {" [t/T]", " [k/K]", " [p/P]", " [g]", " [s/S]"};
    char val[5][32];
    snprintf(val[0], sizeof val[0], "%.2f", s->temperature);
    if (s->top_k > 0) snprintf(val[1], sizeof val[1], "%d", s->top_k); else snprintf(val[1], sizeof val[1], "off");
    if (s->top_p < 1) snprintf(val[2], sizeof val[2], "%.2f", s->top_p); else snprintf(val[2], sizeof val[2], "off");
    snprintf(val[3], sizeof val[3], "%s", s->greedy ? "greedy" : "sampled");
    snprintf(val[4], sizeof val[4], "%llu", (unsigned long long)a->ctx->seed);
    int form = 0;
    for (; form < 2; form++) {
        int w = 0;
        for (int i = 0; i < 5; i++)
            w += (int)(strlen(lab[form][i]) + strlen(val[i]) + strlen(key[i])) + (form == 0 ? 2 : 1);
        if (w <= W - 2) break;
    }
    int x = 1;
    for (int i = 0; i < 5; i++) {
        x += draw_textf(cv, r, x, W - x, i == 3 && s->greedy ? C_OK : C_NORMAL, "%s%s", lab[form][i], val[i]);
        if (form < 2) x += draw_text(cv, r, x, W - x, C_KEY, key[i]);
        x += draw_text(cv, r, x, W - x, C_NORMAL, form == 0 ? "  " : " ");
    }
}

/* "V=.. -> top-k keeps .. -> draw: <token>", shorter when narrow */
static void draw_pick(const ui_app *a, ui_canvas *cv, int r) {
    const lm_sample_result *sr = &a->ses.sres;
    int W = cv->cols;
    char piece[128], head[160], tail[96];
    draw_piece(cv, a->ctx->tok, sr->token, piece, sizeof piece);
    float p = sr->probs_after[sr->token];
    if (is_greedy(&a->ctx->sampling)) {
        p = sr->probs_before[sr->token];
        snprintf(head, sizeof head, "V=%d -> greedy takes the most likely: ", sr->V);
        snprintf(tail, sizeof tail, " (id %d, p=%.3f at T=1)  space: take it  u: undo  r: run", sr->token, p);
    } else {
        snprintf(head, sizeof head, "V=%d -> top-k keeps %d -> top-p keeps %d -> draw: ", sr->V, sr->kept_by_top_k,
                 sr->kept_by_top_p);
        snprintf(tail, sizeof tail, " (id %d, p=%.3f)  space: take it  u: undo  r: run", sr->token, p);
    }
    if (draw_width(head) + draw_width(piece) + draw_width(tail) > W - 2) {
        snprintf(head, sizeof head, "V=%d, k keeps %d, p keeps %d, draw: ", sr->V, sr->kept_by_top_k,
                 sr->kept_by_top_p);
        snprintf(tail, sizeof tail, " p=%.3f  space: take", p);
    }
    if (draw_width(head) + draw_width(piece) + draw_width(tail) > W - 2) {
        snprintf(head, sizeof head, "draw: ");
        snprintf(tail, sizeof tail, " p=%.3f (of %d kept)", p, sr->kept_by_top_p);
    }
    int x = 1;
    x += draw_text(cv, r, x, W - x, C_DIM, head);
    x += draw_text(cv, r, x, W - x, C_PICK, piece);
    draw_text(cv, r, x, W - x, C_DIM, tail);
}

/* bar columns: rank | token | id | bar | raw (T=1) | before | after | drawn
 * marker; narrow screens drop the id, then the raw and before columns, and
 * shorten the token column; the projector mode gives the bars the width */
typedef struct {
    int show_id, show_raw, show_before, piece_w, x_id, x_bar, bar_w, x_raw, x_pb, x_pa, x_mark;
} bar_cols;

static bar_cols bar_layout(const ui_canvas *cv, int raw) {
    int W = cv->cols;
    bar_cols b;
    b.show_id = W >= 70;
    b.show_before = W >= 56;
    b.show_raw = raw && W >= 80;
    b.piece_w = cv->hc && W >= 120 ? 20 : W >= 70 ? 14 : 8;
    b.x_id = 6 + b.piece_w + 1;
    b.x_bar = b.x_id + (b.show_id ? 8 : 0);
    int fixed = b.x_bar + 1 + (b.show_raw ? 9 : 0) + (b.show_before ? 9 : 0) + 8 + 3;
    b.bar_w = W - fixed;
    if (b.bar_w > 60 && !cv->hc) b.bar_w = 60;
    if (b.bar_w > 120) b.bar_w = 120;
    if (b.bar_w < 4) b.bar_w = 4;
    b.x_raw = b.x_bar + b.bar_w + 1;
    b.x_pb = b.x_raw + (b.show_raw ? 9 : 0);
    b.x_pa = b.x_pb + (b.show_before ? 9 : 0);
    b.x_mark = b.x_pa + 9;
    return b;
}

static void draw_bar_row(const ui_app *a, const next_state *n, ui_canvas *cv, const bar_cols *b, int r, int rank) {
    const lm_sample_result *sr = &a->ses.sres;
    int greedy = is_greedy(&a->ctx->sampling);
    int32_t id = sr->order[rank];
    float pb = sr->probs_before[id], pa = sr->probs_after[id], top = sr->probs_before[sr->order[0]];
    int kept = greedy || pa > 0;   /* greedy cuts nothing away: it takes the top one */
    char piece[128];
    draw_piece(cv, a->ctx->tok, id, piece, sizeof piece);
    draw_textf(cv, r, 1, 5, C_DIM, "%4d", rank + 1);
    draw_text(cv, r, 6, b->piece_w, kept ? C_TOK0 + rank % 8 : C_BARCUT, piece);
    if (b->show_id) draw_textf(cv, r, b->x_id, 6, C_DIM, "%6d", id);
    draw_bar(cv, r, b->x_bar, b->bar_w, top > 0 ? pb / top : 0, kept ? C_BAR : C_BARCUT);
    if (b->show_raw && n && n->raw_ok) draw_textf(cv, r, b->x_raw, 8, C_DIM, "%7.2f%%", 100.0 * n->raw[id]);
    if (b->show_before) draw_textf(cv, r, b->x_pb, 8, kept ? C_NORMAL : C_BARCUT, "%7.2f%%", 100.0 * pb);
    if (greedy) draw_text(cv, r, b->x_pa, 8, C_OK, id == sr->token ? "  argmax" : "");
    else draw_textf(cv, r, b->x_pa, 8, kept ? C_NORMAL : C_BARCUT, "%7.2f%%", 100.0 * pa);
    if (id == sr->token) draw_text(cv, r, b->x_mark, cv->cols - b->x_mark, C_PICK, cv->ascii ? "<" : "\xe2\x97\x80");
}

static void draw_bar_header(const ui_app *a, ui_canvas *cv, const bar_cols *b, int r) {
    const lm_sampling *s = &a->ctx->sampling;
    int greedy = is_greedy(s);
    char lab[96];
    if (greedy) snprintf(lab, sizeof lab, "p at temperature 1 (bar); greedy takes the top one");
    else if (b->show_raw) snprintf(lab, sizeof lab, "p at T=%.2f, before the cuts (bar)", s->temperature);
    else snprintf(lab, sizeof lab, "p before the cuts (bar) / after");
    draw_text(cv, r, 1, 5, C_DIM, "rank");
    draw_text(cv, r, 6, b->piece_w, C_DIM, "token");
    if (b->show_id) draw_text(cv, r, b->x_id, 7, C_DIM, "    id");
    draw_text_fit(cv, r, b->x_bar, b->bar_w, C_DIM, lab, "p (bar)");
    if (b->show_raw) draw_text(cv, r, b->x_raw, 8, C_DIM, "  at T=1");
    char tcol[16];
    snprintf(tcol, sizeof tcol, "%8.8s", greedy ? "p" : b->show_raw ? "" : "before");
    if (b->show_raw) snprintf(tcol, sizeof tcol, "  T=%.2f", s->temperature);
    if (b->show_before) draw_text(cv, r, b->x_pb, 8, C_DIM, tcol);
    draw_text(cv, r, b->x_pa, 8, C_DIM, greedy ? "   taken" : b->show_before ? "   after" : "       p");
}

/* the distribution, most likely first, with the cut lines where they fall;
 * greedy shows every row too, the one it takes marked */
static void draw_bars(const ui_app *a, const next_state *n, ui_canvas *cv, int r, int end) {
    const lm_sample_result *sr = &a->ses.sres;
    const lm_sampling *s = &a->ctx->sampling;
    int W = cv->cols;
    bar_cols b = bar_layout(cv, shows_raw(a));
    draw_bar_header(a, cv, &b, r++);
    int cut_k = s->top_k > 0 && sr->kept_by_top_k < sr->V, cut_p = s->top_p < 1 && sr->kept_by_top_p < sr->kept_by_top_k;
    int greedy = is_greedy(s);
    char lab[64];
    for (int rank = 0; rank < sr->V && r < end; rank++) {
        draw_bar_row(a, n, cv, &b, r, rank);
        if (++r >= end) break;
        if (greedy && rank == 0) {
            cut_line(cv, r++, 1, W - 2, " greedy: only the most likely token is taken; the rest for reference ");
        } else if (!greedy && cut_k && rank + 1 == sr->kept_by_top_k) {
            snprintf(lab, sizeof lab, " top-k cut: k=%d ", s->top_k);
            cut_line(cv, r++, 1, W - 2, lab);
        } else if (!greedy && cut_p && rank + 1 == sr->kept_by_top_p) {
            snprintf(lab, sizeof lab, " top-p cut: mass >= %.2f ", s->top_p);
            cut_line(cv, r++, 1, W - 2, lab);
        }
    }
}

static void next_draw(const void *st, const ui_app *a, ui_canvas *cv, int y, int h) {
    const ui_session *s = &a->ses;
    int W = cv->cols;
    if (!ses_lm_ok(s)) {
        draw_text(cv, y + 1, 2, W - 4, C_ERR, s->fwd_err[0] ? s->fwd_err : "no model loaded");
        return;
    }
    int r = draw_tokens(a, cv, y, h);
    if (r >= y + h) return;
    draw_controls(a, cv, r++);
    if (!s->sres_ok) {
        draw_text(cv, r + 1, 2, W - 4, C_ERR, s->fwd_err);
        return;
    }
    if (r < y + h) draw_pick(a, cv, r++);
    if (r + 1 >= y + h) return;
    draw_bars(a, st, cv, r, y + h);
}

/* ------------------------------------------------------------ keys */

static int act_step(ui_app *a, void *st, int k) {
    (void)st; (void)k;
    int rc = ses_step(&a->ses);
    if (rc < 0) ses_msg(&a->ses, 1, "%s", a->ses.fwd_err[0] ? a->ses.fwd_err : "cannot step");
    else if (rc == 1) ses_msg(&a->ses, 0, "the model chose a stop token");
    else if (rc == 2)
        ses_msg(&a->ses, 1, "refused: the context of %d tokens is full (^W slides the window)", cli_model_n_ctx(a->ctx));
    return 1;
}

static int act_window(ui_app *a, void *st, int k) {
    (void)st; (void)k;
    ses_toggle_slide(&a->ses);
    return 1;
}

static int act_run(ui_app *a, void *st, int k) {
    (void)st; (void)k;
    a->ses.running = !a->ses.running;
    ses_msg(&a->ses, 0, a->ses.running ? "generating continuously (r stops)" : "stopped");
    return 1;
}

static int act_undo(ui_app *a, void *st, int k) {
    (void)st; (void)k;
    if (ses_undo(&a->ses)) ses_msg(&a->ses, 0, "nothing to undo: only the prompt is left");
    return 1;
}

static int act_restart(ui_app *a, void *st, int k) {
    (void)st; (void)k;
    ses_reencode(&a->ses);
    ses_msg(&a->ses, 0, "back to the prompt");
    return 1;
}

/* a decoding setting changed: rounded for display, and the sampler runs
 * again on the same logits */
static int setting_changed(ui_app *a) {
    lm_sampling *s = &a->ctx->sampling;
    s->temperature = roundf(s->temperature * 100) / 100;
    s->top_p = roundf(s->top_p * 100) / 100;
    ses_settings_changed(&a->ses);
    return 1;
}

/* the upper-case key of a pair goes up */
static int act_temperature(ui_app *a, void *st, int k) {
    (void)st;
    float *t = &a->ctx->sampling.temperature;
    if (k == 'T') *t = *t < 0.1f ? 0.1f : fminf(*t + 0.1f, 5);
    else *t = *t > 0.15f ? *t - 0.1f : 0.05f;
    return setting_changed(a);
}

/* top-k moves along a ladder of round values */
static int act_top_k(ui_app *a, void *st, int k) {
    (void)st;
    int *top_k = &a->ctx->sampling.top_k, i = 0;
    while (i < N_LADDER - 1 && topk_ladder[i] < *top_k) i++;
    if (k == 'K') { if (topk_ladder[i] <= *top_k && i < N_LADDER - 1) i++; }
    else if (i > 0 && topk_ladder[i] >= *top_k) i--;
    *top_k = topk_ladder[i];
    return setting_changed(a);
}

static int act_top_p(ui_app *a, void *st, int k) {
    (void)st;
    float *p = &a->ctx->sampling.top_p;
    if (k == 'P') *p = *p + 0.05f >= 0.999f ? 1.0f : *p + 0.05f;
    else *p = *p > 0.1f ? *p - 0.05f : 0.05f;
    return setting_changed(a);
}

static int act_greedy(ui_app *a, void *st, int k) {
    (void)st; (void)k;
    a->ctx->sampling.greedy = !a->ctx->sampling.greedy;
    return setting_changed(a);
}

static int act_seed(ui_app *a, void *st, int k) {
    (void)st;
    if (k == 'S') a->ctx->seed++;
    else if (a->ctx->seed > 0) a->ctx->seed--;
    ses_reseed(&a->ses);
    return setting_changed(a);
}

static const ui_binding next_keys[] = {
    {' ', 0, act_step, "take the drawn token (one generation step)"},
    {'n', 0, act_step, "take the drawn token (one generation step)"},
    {'r', 0, act_run, "run/stop continuous generation"},
    {'u', 0, act_undo, "undo the last step"},
    {KEY_BACKSPACE, 0, act_undo, "undo the last step"},
    {127, 0, act_undo, "undo the last step"},
    {'0', 0, act_restart, "back to the prompt"},
    {'t', 0, act_temperature, "temperature down / up"},
    {'T', 0, act_temperature, "temperature down / up"},
    {'k', 0, act_top_k, "top-k down / up (off = 0)"},
    {'K', 0, act_top_k, "top-k down / up (off = 0)"},
    {'p', 0, act_top_p, "top-p down / up (off = 1)"},
    {'P', 0, act_top_p, "top-p down / up (off = 1)"},
    {'g', 0, act_greedy, "greedy / sampled"},
    {'s', 0, act_seed, "seed down / up"},
    {'S', 0, act_seed, "seed down / up"},
    {23, 0, act_window, "context window full: stop, or slide it (also :set context stop|slide)"},
    {0, 0, NULL, NULL},
};

/* a click on a token of the strip: say what it is; it becomes the attention panel's query */
static void next_click(void *st, ui_app *a, const ui_hit *h) {
    (void)st;
    ui_session *s = &a->ses;
    if (h->kind != HIT_TOKEN || !ses_lm_ok(s) || (size_t)h->a >= s->seq.n) return;   /* the strip changed since */
    int q = h->a - (int)s->fwd_off;
    char piece[128];
    draw_piece(&a->cv, a->ctx->tok, s->seq.ids[h->a], piece, sizeof piece);
    ses_msg(s, 0, "token %d: '%s' id %d%s", h->a, piece, s->seq.ids[h->a],
            q >= 0 ? " (the attention view's query now)" : "");
    if (q >= 0) s->query = q;
}

const ui_panel panel_next = {
    .name = "Next token", .tab = "Next", .keys = next_keys,
    .create = next_create, .poll = next_poll, .draw = next_draw, .click = next_click, .free = next_free,
    .any_kind = 1,
};
