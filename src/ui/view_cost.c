/* view_cost.c - the cost of training vs generating, measured live: one
 * forward over T tokens at once, T decoding steps with the KV cache, and T
 * steps without a cache, for T = 8, 16, ... up to the context, drawn as
 * curves (time on a log axis; T doubles at every step of the x axis) with
 * the measured table and attention's share. The measuring is decode/cost.h,
 * stepped in poll a few milliseconds at a time so that keys stay answered;
 * drawing only reads the rows. */
#include "ui/app.h"

#include "decode/cost.h"
#include "ui/curses_inc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define COST_BUDGET_MS 25.0

typedef struct {
    lm_cost c;
    int started, running, ok, log_y;
    char err[200];
    unsigned m_ver;
} cost_state;

static void *cost_create(ui_app *a) {
    (void)a;
    cost_state *t = calloc(1, sizeof *t);
    if (t) t->log_y = 1;
    return t;
}

static void cost_free_st(void *st, ui_app *a) {
    (void)a;
    cost_state *t = st;
    if (t) lm_cost_free(&t->c);
    free(t);
}

static void start(cost_state *t, ui_app *a) {
    lm_err err = {{0}};
    lm_cost_free(&t->c);
    t->started = 1;
    t->m_ver = a->ses.model_ver;
    t->ok = lm_cost_begin(&t->c, &a->ctx->model, a->ctx->model.cfg.n_ctx, 1, &err) == 0;
    t->running = t->ok;
    if (!t->ok) snprintf(t->err, sizeof t->err, "cost: %.180s", err.msg);
}

static int cost_poll(void *st, ui_app *a, int active) {
    cost_state *t = st;
    if (!active || !ses_model_ok(&a->ses)) return 0;
    if (!t->started || a->ses.model_ver != t->m_ver) { start(t, a); return UI_POLL_AGAIN; }
    if (!t->running || a->ses.in_key) return 0;   /* a key is answered before more measuring */
    lm_err err = {{0}};
    int rc = lm_cost_step(&t->c, COST_BUDGET_MS, &err);
    if (rc < 0) { t->ok = 0; t->running = 0; snprintf(t->err, sizeof t->err, "cost: %.180s", err.msg); }
    if (rc != 0) t->running = 0;
    return t->running ? UI_POLL_AGAIN : UI_POLL_CHANGED;
}

/* ------------------------------------------------------------ drawing */

static float yval(const cost_state *t, double ms) {
    if (ms < 0) return NAN;
    return t->log_y ? (float)log10(ms > 1e-3 ? ms : 1e-3) : (float)ms;
}

static void draw_curves(const cost_state *t, ui_canvas *cv, int y, int x, int h, int w) {
    const lm_cost *c = &t->c;
    float f[LM_COST_MAX_ROWS], kv[LM_COST_MAX_ROWS], nc[LM_COST_MAX_ROWS], lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < c->n_rows; i++) {
        f[i] = yval(t, c->rows[i].fwd_ms);
        kv[i] = yval(t, c->rows[i].kv_ms);
        nc[i] = yval(t, c->rows[i].nocache_ms);
        float v3[3] = {f[i], kv[i], nc[i]};
        for (int k = 0; k < 3; k++)
            if (!isnan(v3[k])) { lo = v3[k] < lo ? v3[k] : lo; hi = v3[k] > hi ? v3[k] : hi; }
    }
    if (!(hi > lo)) { lo = 0; hi = 1; }
    if (t->log_y) { lo = floorf(lo); hi = ceilf(hi); }
    else lo = 0;
    int ax = 9;
    for (int r = 0; r < h; r++) draw_text(cv, y + r, x + ax - 1, 1, C_DIM, "|");
    float top = t->log_y ? powf(10, hi) : hi, bot = t->log_y ? powf(10, lo) : lo;
    draw_textf(cv, y, x, ax - 1, C_DIM, "%7.3g", top);
    draw_textf(cv, y + h - 1, x, ax - 1, C_DIM, "%7.3g", bot);
    draw_text(cv, y + h / 2, x, ax - 1, C_DIM, t->log_y ? " ms log" : " ms");
    int pw = w - ax;
    draw_plot(cv, y, x + ax, h, pw, nc, NULL, (size_t)c->n_rows, lo, hi, C_ERR, C_ERR);
    draw_plot(cv, y, x + ax, h, pw, f, kv, (size_t)c->n_rows, lo, hi, C_OK, C_BAR);
    for (int i = 0; i < c->n_rows; i++) {   /* T under its point */
        int px = c->n_rows == 1 ? 0 : i * (pw - 1) / (c->n_rows - 1);
        draw_textf(cv, y + h, x + ax + px - (i == c->n_rows - 1 ? 3 : 0), 5, C_DIM, "%d", c->rows[i].T);
    }
}

static void draw_table(const lm_cost *c, ui_canvas *cv, int y, int h) {
    int W = cv->cols;
    draw_textf(cv, y, 1, W - 2, C_TITLE, "%5s %11s %13s %12s %8s %12s %10s %11s", "T", "forward ms",
               "KV decode ms", "no-cache ms", "KV/fwd", "no-cache/KV", "attn time", "attn FLOPs");
    for (int i = 0; i < c->n_rows && 1 + i < h; i++) {
        const lm_cost_row *r = &c->rows[i];
        int x = 1 + draw_textf(cv, y + 1 + i, 1, 6, C_NORMAL, "%5d", r->T);
        double v[3] = {r->fwd_ms, r->kv_ms, r->nocache_ms};
        int wd[3] = {12, 14, 13};
        for (int k = 0; k < 3; k++)
            x += v[k] < 0 ? draw_textf(cv, y + 1 + i, x, wd[k], C_DIM, "%*s", wd[k], "...")
                          : draw_textf(cv, y + 1 + i, x, wd[k], C_NORMAL, "%*.3f", wd[k], v[k]);
        if (r->nocache_ms < 0) continue;
        draw_textf(cv, y + 1 + i, x, W - x - 1, C_NORMAL, " %7.1fx %11.1fx %9.1f%% %10.1f%%", r->kv_ms / r->fwd_ms,
                   r->nocache_ms / r->kv_ms, 100.0 * r->attn_share_time, 100.0 * r->attn_share_flops);
    }
}

static void cost_draw(const void *st, const ui_app *a, ui_canvas *cv, int y, int h) {
    const cost_state *t = st;
    int W = cv->cols;
    if (!t->started || !t->ok) {
        draw_text(cv, y + 1, 2, W - 4, t->started ? C_ERR : C_DIM, t->started ? t->err : "starting ...");
        return;
    }
    const lm_cost *c = &t->c;
    const lm_config *cf = &a->ctx->model.cfg;
    int x = 1 + draw_text(cv, y, 1, W - 2, C_TITLE, " cost of training vs generating ");
    if (t->running) {
        x += draw_textf(cv, y, x, W - x, C_NORMAL, " measuring %3.0f%% ", 100.0 * lm_cost_progress(c));
        draw_bar(cv, y, x, 20, lm_cost_progress(c), C_BAR);
        x += 21;
    } else {
        x += draw_textf(cv, y, x, W - x, C_OK, " measured (%d layers, width %d, %d thread%s) ", cf->n_layer,
                        cf->d_model, lm_get_threads(), lm_get_threads() == 1 ? "" : "s");
    }
    draw_text_fit(cv, y, x, W - x, C_KEY, " r: measure again  g: log/linear", " r g");
    x = 1 + draw_text(cv, y + 1, 1, W - 2, C_OK, "forward over T at once (training) ");
    x += draw_text(cv, y + 1, x, W - x, C_BAR, " T steps with the KV cache (generating) ");
    draw_text(cv, y + 1, x, W - x, C_ERR, " T steps without a cache");
    int th = c->n_rows + 1, ph = h - 2 - th - 2;
    if (ph >= 4) draw_curves(t, cv, y + 2, 1, ph, W - 3);
    draw_table(c, cv, y + h - th, th);
}

/* ------------------------------------------------------------ keys */

static int act_again(ui_app *a, void *st, int k) {
    (void)k;
    start(st, a);
    return 1;
}

static int act_log(ui_app *a, void *st, int k) {
    (void)a; (void)k;
    cost_state *t = st;
    t->log_y = !t->log_y;
    return 1;
}

static const ui_binding cost_keys[] = {
    {'r', 0, act_again, "measure again"},
    {'g', 0, act_log, "time axis: log / linear"},
    {0, 0, NULL, NULL},
};

const ui_panel panel_cost = {
    .name = "Cost", .tab = "Cost", .keys = cost_keys,
    .create = cost_create, .poll = cost_poll, .draw = cost_draw, .free = cost_free_st,
};
