/* view_sentence.c - the probability of the prompt by the chain rule, for a
 * slide: the tokens as a strip coloured by their surprisal (-log2 p, bits)
 * with a legend, one bar per token, the sum (ln p of the text, in nats and
 * bits) and the perplexity; and a second text to compare (an edited copy of
 * the prompt, typed with b). The scores are decode/score.h over the view
 * model, computed in poll; afterwards the session's forward is run again so
 * the other panels keep reading the prompt's activations. */
#include "ui/app.h"

#include "decode/prefill.h"
#include "decode/score.h"
#include "ui/curses_inc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    lm_score sc;
    int ok;
    char err[240];
    long long lnp_u;    /* ln p as the rows print it: the sum of each row rounded to 1e-4 (as `llmlab score`) */
} scored;

typedef struct {
    scored A, B;
    char *btext;        /* the text compared with the prompt, NULL = none */
    unsigned in_ver, w_ver, m_ver;
    int sel;            /* the selected token of A */
    int dirty;
} sent_state;

extern const ui_panel panel_sentence;

static void *sent_create(ui_app *a) {
    (void)a;
    sent_state *t = calloc(1, sizeof *t);
    if (t) t->dirty = 1;
    return t;
}

static void sent_free(void *st, ui_app *a) {
    (void)a;
    sent_state *t = st;
    if (!t) return;
    lm_score_free(&t->A.sc);
    lm_score_free(&t->B.sc);
    free(t->btext);
    free(t);
}

static void score_ids(scored *r, lm_model *m, const int32_t *ids, size_t n, int32_t bos) {
    lm_err err = {{0}};
    lm_score_free(&r->sc);
    r->ok = lm_score_ids(m, ids, n, bos, &r->sc, &err) == 0;
    if (!r->ok) snprintf(r->err, sizeof r->err, "%.230s", err.msg);
    r->lnp_u = 0;
    for (int i = 0; r->ok && i < r->sc.n; i++) r->lnp_u += llround(r->sc.logp[i] * 1e4);
}

static void compute(sent_state *t, ui_app *a) {
    ui_session *s = &a->ses;
    lm_model *m = &a->ctx->model;
    int32_t bos = lm_tok_special_id(a->ctx->tok, "<|endoftext|>");
    score_ids(&t->A, m, s->seq.ids, s->seq.n, bos);
    if (t->btext) {
        lm_ids ids = {0};
        lm_err err = {{0}};
        if (lm_score_encode(a->ctx->tok, (const uint8_t *)t->btext, strlen(t->btext), s->chat, &ids, &err) == 0) {
            score_ids(&t->B, m, ids.ids, ids.n, bos);
        } else {
            t->B.ok = 0;
            snprintf(t->B.err, sizeof t->B.err, "%.230s", err.msg);
        }
        lm_ids_free(&ids);
    }
    if (t->A.ok && t->sel >= t->A.sc.n) t->sel = t->A.sc.n - 1;
    ses_restore_forward(s);
}

static int sent_poll(void *st, ui_app *a, int active) {
    sent_state *t = st;
    if (!active) return 0;
    ui_session *s = &a->ses;
    int r = ses_update(s) ? UI_POLL_AGAIN : 0;
    if (!ses_model_ok(s)) {
        snprintf(t->A.err, sizeof t->A.err, "no model loaded (:load MODEL)");
        t->A.ok = 0;
        return r;
    }
    if (s->model_ver != t->m_ver) t->sel = 0;
    if (s->inputs_ver != t->in_ver || s->weights_ver != t->w_ver || s->model_ver != t->m_ver) t->dirty = 1;
    if (!t->dirty) return r;
    t->in_ver = s->inputs_ver; t->w_ver = s->weights_ver; t->m_ver = s->model_ver;
    t->dirty = 0;
    if (s->seq.n == 0) {
        snprintf(t->A.err, sizeof t->A.err, "no text: press e and type a sentence");
        t->A.ok = 0;
        return r | UI_POLL_CHANGED;
    }
    compute(t, a);
    return r | UI_POLL_CHANGED;
}

/* ------------------------------------------------------------ drawing */

static double bits_of(const lm_score *sc, int i) { return -sc->logp[i] / log(2.0); }

/* heat level of a surprisal: 0 bits .. log2 V bits (a uniform guess) and beyond */
static int level(double bits, double maxbits) {
    int l = (int)(bits / maxbits * (UI_HEAT - 1) + 0.5);
    return l < 0 ? 0 : l >= UI_HEAT ? UI_HEAT - 1 : l;
}

static void put_lnp(char *out, size_t cap, long long u) {
    long long a = u < 0 ? -u : u;
    snprintf(out, cap, "%s%lld.%04lld", u < 0 ? "-" : "", a / 10000, a % 10000);
}

/* the text as a strip: each token on its surprisal's colour, its bits under
 * it; returns rows used (2 per line; the tail shows when it does not fit) */
static int draw_surprisal_strip(const scored *r, const ui_app *a, ui_canvas *cv, int y, int x, int w, int max_rows,
                                double maxbits, int sel, int hits) {
    const lm_score *sc = &r->sc;
    char piece[128], num[16];
    int n = sc->n, lines_max = max_rows / 2;
    if (n == 0 || lines_max < 1 || w < 8) return 0;
    int *cw = malloc(sizeof(int) * (size_t)n), *line = malloc(sizeof(int) * (size_t)n);
    if (!cw || !line) { free(cw); free(line); return 0; }
    int nl = 0, col = 0;
    for (int i = 0; i < n; i++) {   /* widths and line breaks */
        int pc = draw_piece(cv, a->ctx->tok, sc->ids[i], piece, sizeof piece);
        cw[i] = (pc > 14 ? 14 : pc < 4 ? 4 : pc) + 1;
        if (i == 0 || col + cw[i] > w) { nl++; col = 0; }
        line[i] = nl - 1;
        col += cw[i];
    }
    int first = nl > lines_max ? nl - lines_max : 0;
    int cx = x, ln = -1;
    for (int i = 0; i < n; i++) {
        if (line[i] < first) continue;
        if (line[i] != ln) { ln = line[i]; cx = x; }
        int ry = y + 2 * (ln - first);
        double b = bits_of(sc, i);
        int role = i == sel ? C_PICK : cv->mono ? C_NORMAL : C_HEAT0 + level(b, maxbits);
        draw_piece(cv, a->ctx->tok, sc->ids[i], piece, sizeof piece);
        draw_fill(cv, ry, cx, cw[i] - 1, role);
        draw_text(cv, ry, cx, cw[i] - 1, role, piece);
        snprintf(num, sizeof num, "%.1f", b);
        draw_text(cv, ry + 1, cx, cw[i] - 1, i == sel ? C_PICK : C_DIM, num);
        if (hits) draw_add_hit(cv, ry, cx, cw[i] - 1, HIT_TOKROW, i, 0);
        cx += cw[i];
    }
    free(cw);
    free(line);
    return 2 * (nl - first);
}

static void draw_legend(ui_canvas *cv, int y, int x, int w, double maxbits, int V) {
    int cw = w >= 100 ? 6 : 5;   /* a cell and its gap */
    int xx = x + draw_text(cv, y, x, w, C_DIM, w >= 100 ? "surprisal (bits): " : "bits: ");
    for (int l = 0; l < UI_HEAT && xx + cw <= x + w; l++) {
        char num[16];
        snprintf(num, sizeof num, l == UI_HEAT - 1 ? "%.0f+" : "%.1f", maxbits * l / (UI_HEAT - 1));
        int role = cv->mono ? C_NORMAL : C_HEAT0 + l;
        draw_fill(cv, y, xx, cw - 1, role);
        draw_text(cv, y, xx, cw - 1, role, num);
        xx += cw;
    }
    draw_text_fit(cv, y, xx, x + w - xx, C_DIM, "  low = expected, high = surprising; the top is a uniform guess",
                  "");
    (void)V;
}

/* "ln p = -12.3456 nats = 17.81 bits  7 tokens  2.54 bits/token  perplexity 5.83" */
static int draw_totals(const scored *r, ui_canvas *cv, int y, int x, int w, int role) {
    char lnp[32], full[160], brief[120];
    put_lnp(lnp, sizeof lnp, r->lnp_u);
    double bits = r->lnp_u / 1e4 / log(2.0), bpt = lm_score_bits_per_token(&r->sc), ppl = lm_score_perplexity(&r->sc);
    snprintf(full, sizeof full, "ln p = %s  log2 p = %.2f  %d tokens  %.2f bits/token  perplexity %.2f", lnp, bits,
             r->sc.n, bpt, ppl);
    snprintf(brief, sizeof brief, "ln p %s  log2 p %.2f  %.2f bits/tok  ppl %.1f", lnp, bits, bpt, ppl);
    return draw_text_fit(cv, y, x, w, role, full, brief);
}

/* one row per token: p, bits, a bar of the surprisal, the model's top guess */
static int draw_rows(const sent_state *t, const ui_app *a, ui_canvas *cv, int y, int h, double maxbits) {
    const lm_score *sc = &t->A.sc;
    int W = cv->cols, bw = W >= 120 ? 40 : W / 4;
    if (h < 2) return 0;
    char piece[128], top[128];
    draw_textf(cv, y, 1, W - 2, C_DIM, "%4s  %-14s %9s %7s  %-*s  %s", "#", "token", "p", "bits", bw, "surprisal",
               "model's top guess");
    int rows = sc->n < h - 1 ? sc->n : h - 1;
    int first = t->sel >= rows ? t->sel - rows + 1 : 0;
    for (int r = 0; r < rows; r++) {
        int i = first + r, ry = y + 1 + r;
        double lp = sc->logp[i], b = -lp / log(2.0), p = exp(lp);
        draw_piece(cv, a->ctx->tok, sc->ids[i], piece, sizeof piece);
        draw_textf(cv, ry, 1, 5, C_DIM, "%4d", i + 1);
        draw_text(cv, ry, 7, 14, i == t->sel ? C_PICK : C_NORMAL, piece);
        if (p >= 1e-5) draw_textf(cv, ry, 22, 9, C_NORMAL, "%8.3f%%", 100 * p);
        else draw_textf(cv, ry, 22, 9, C_NORMAL, "%9.1e", p);
        draw_textf(cv, ry, 32, 7, C_NORMAL, "%7.2f", b);
        draw_bar(cv, ry, 41, bw, b / maxbits > 1 ? 1 : b / maxbits, cv->mono ? C_BAR : C_HEAT0 + level(b, maxbits));
        draw_add_hit(cv, ry, 1, 40, HIT_TOKROW, i, 0);
        int x = 43 + bw;
        if (sc->rank[i] == 0) {
            draw_text(cv, ry, x, W - x, C_OK, "= this token");
        } else {
            draw_piece(cv, a->ctx->tok, sc->top[i], top, sizeof top);
            draw_textf(cv, ry, x, W - x, C_DIM, "%s %.1f%% (this one: #%d)", top, 100.0 * sc->top_p[i], sc->rank[i] + 1);
        }
    }
    return rows + 1;
}

static void draw_compare(const sent_state *t, const ui_app *a, ui_canvas *cv, int y, int h, double maxbits) {
    int W = cv->cols;
    if (h < 2) return;
    int x = 1 + draw_text(cv, y, 1, W - 2, C_TITLE, " B ");
    char shown[256];
    snprintf(shown, sizeof shown, "%.250s", t->btext);
    for (char *p = shown; *p; p++) if ((unsigned char)*p < 0x20) *p = ' ';
    x += 1 + draw_text(cv, y, x + 1, W / 3, C_NORMAL, shown);
    if (!t->B.ok) {
        draw_text(cv, y, x + 2, W - x - 3, C_ERR, t->B.err);
        return;
    }
    draw_totals(&t->B, cv, y, x + 2, W - x - 3, C_NORMAL);
    int used = draw_surprisal_strip(&t->B, a, cv, y + 1, 1, W - 2, h - 2 > 2 ? 2 : h - 2, maxbits, -1, 0);
    if (!t->A.ok || 1 + used >= h) return;
    long long d = t->A.lnp_u - t->B.lnp_u;
    char dn[32];
    put_lnp(dn, sizeof dn, d < 0 ? -d : d);
    double db = fabs(d / 1e4) / log(2.0);
    double pa = lm_score_bits_per_token(&t->A.sc), pb = lm_score_bits_per_token(&t->B.sc);
    if (d == 0)
        draw_textf(cv, y + 1 + used, 1, W - 2, C_KEY, "A and B are equally probable");
    else
        draw_textf(cv, y + 1 + used, 1, W - 2, C_KEY,
                   "%s is more probable: by %s nats = %.2f bits, p(%s)/p(%s) = %.3g;  per token %s costs %.2f bits less",
                   d > 0 ? "A" : "B", dn, db, d > 0 ? "A" : "B", d > 0 ? "B" : "A", exp(fabs(d / 1e4)),
                   pa < pb ? "A" : "B", fabs(pa - pb));
}

static void sent_draw(const void *st, const ui_app *a, ui_canvas *cv, int y, int h) {
    const sent_state *t = st;
    int W = cv->cols;
    int x = 1 + draw_text(cv, y, 1, W - 2, C_TITLE, " sentence probability ");
    if (!t->A.ok) {
        draw_text(cv, y + 2, 2, W - 4, C_ERR, t->A.err);
        return;
    }
    const lm_score *sc = &t->A.sc;
    const int V = a->ctx->model.cfg.vocab_size;
    const double maxbits = log2((double)V);
    x += 1 + draw_totals(&t->A, cv, y, x + 1, W - x - 1, C_NORMAL);
    draw_text_fit(cv, y, x + 1, W - x - 1, C_KEY, "  b: compare with an edited copy  r: remove it  Left/Right: a token",
                  "  b r Left/Right");
    char ctxp[128];
    draw_piece(cv, a->ctx->tok, sc->context, ctxp, sizeof ctxp);
    char line[400], brief[200];
    if (sc->prepended) {
        snprintf(line, sizeof line, "p(text) = p(t1 | %s) p(t2 | t1) ... : read after %s (the start of a document)", ctxp,
                 ctxp);
        snprintf(brief, sizeof brief, "read after %s (the start of a document)", ctxp);
    } else {
        snprintf(line, sizeof line, "p(text) = p(t2 | t1) p(t3 | t1 t2) ... : the first token, %s, is the context", ctxp);
        snprintf(brief, sizeof brief, "the first token, %s, is the context (not scored)", ctxp);
    }
    draw_text_fit(cv, y + 1, 1, W - 2, C_DIM, line, brief);
    int bh = t->btext ? 5 : 0;   /* B: its line, its strip, the comparison */
    int avail = h - 4 - bh;
    int strip_rows = avail / 3 < 2 ? 2 : avail / 3;
    if (strip_rows > 8) strip_rows = 8;
    int used = draw_surprisal_strip(&t->A, a, cv, y + 3, 1, W - 2, strip_rows, maxbits, t->sel, 1);
    int ly = y + 3 + used;
    draw_legend(cv, ly, 1, W - 2, maxbits, V);
    int rows_h = y + h - bh - (ly + 2);
    if (rows_h > 1) draw_rows(t, a, cv, ly + 2, rows_h, maxbits);
    if (t->btext) draw_compare(t, a, cv, y + h - bh, bh, maxbits);
}

/* ------------------------------------------------------------ keys */

static void b_done(ui_app *a, const char *line) {
    sent_state *t = app_panel_state(a, &panel_sentence);
    if (!t) return;
    free(t->btext);
    t->btext = line[0] ? strdup(line) : NULL;
    t->dirty = 1;
}

static int act_b(ui_app *a, void *st, int k) {
    sent_state *t = st;
    if (k == 'r') {
        free(t->btext);
        t->btext = NULL;
        return 1;
    }
    cmd_open(a, "compare with: ", t->btext ? t->btext : a->ses.prompt, b_done);
    return 1;
}

static int act_sel(ui_app *a, void *st, int k) {
    (void)a;
    sent_state *t = st;
    if (!t->A.ok || t->A.sc.n == 0) return 0;
    int n = t->A.sc.n;
    if (k == KEY_LEFT || k == KEY_UP) t->sel = t->sel > 0 ? t->sel - 1 : 0;
    else if (k == KEY_RIGHT || k == KEY_DOWN) t->sel = t->sel + 1 < n ? t->sel + 1 : n - 1;
    else t->sel = k == KEY_HOME ? 0 : n - 1;
    return 1;
}

static const ui_binding sent_keys[] = {
    {'b', 0, act_b, "compare with a second text (starts as a copy of the prompt)"},
    {'r', 0, act_b, "remove the second text"},
    {KEY_LEFT, 0, act_sel, "previous / next token"},
    {KEY_RIGHT, 0, act_sel, "previous / next token"},
    {KEY_UP, 0, act_sel, "previous / next token"},
    {KEY_DOWN, 0, act_sel, "previous / next token"},
    {KEY_HOME, 0, act_sel, "first / last token"},
    {KEY_END, 0, act_sel, "first / last token"},
    {0, 0, NULL, NULL},
};

static void sent_click(void *st, ui_app *a, const ui_hit *h) {
    (void)a;
    sent_state *t = st;
    if (h->kind == HIT_TOKROW && t->A.ok && h->a >= 0 && h->a < t->A.sc.n) t->sel = h->a;
}

const ui_panel panel_sentence = {
    .name = "Sentence probability", .tab = "Prob", .keys = sent_keys,
    .create = sent_create, .poll = sent_poll, .draw = sent_draw, .click = sent_click, .free = sent_free,
};
