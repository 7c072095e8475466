/* view_lms.c - the table of language models of every kind (n-gram,
 * feed-forward, recurrent, transformer) on one number: held-out loss in
 * bits per byte, as bars, with parameters and training time on two cores
 * beside a uniform guess. It draws a saved table (eval/lmtable.h; default
 * the shipped models/lms.tsv that `llmlab lms --save` writes), so nothing
 * here runs seven models: `r` reads the file again, `:lms --save FILE`
 * remakes one. Works whatever kind the session's model is. */
#include "ui/app.h"

#include "eval/lmtable.h"
#include "ui/curses_inc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int loaded, ok;
    lm_lmtable t;
    char path[LM_PATH_MAX];
    char err[300];
} lms_state;

static void *lms_create(ui_app *a) {
    (void)a;
    return calloc(1, sizeof(lms_state));
}

static void lms_free_st(void *st, ui_app *a) {
    (void)a;
    free(st);
}

static void load(lms_state *t) {
    lm_err err = {{0}};
    t->loaded = 1;
    if (cli_find_shipped("models/lms.tsv", t->path, sizeof t->path) != 0) {
        t->ok = 0;
        snprintf(t->err, sizeof t->err, "no table yet: models/lms.tsv is missing (make lms-table writes it)");
        return;
    }
    t->ok = lm_lmtable_load(&t->t, t->path, &err) == 0;
    if (!t->ok) snprintf(t->err, sizeof t->err, "%.290s", err.msg);
}

static int lms_poll(void *st, ui_app *a, int active) {
    (void)a;
    lms_state *t = st;
    if (!active || t->loaded) return 0;
    load(t);
    return UI_POLL_CHANGED;
}

static void lms_draw(const void *st, const ui_app *a, ui_canvas *cv, int y, int h) {
    (void)a;
    const lms_state *t = st;
    int W = cv->cols, r = y;
    draw_text_fit(cv, r++, 1, W - 2, C_TITLE, "Language models of every kind on one number: held-out loss in bits per byte",
                  "Every LM: held-out bits per byte");
    if (!t->loaded) return;
    if (!t->ok) {
        draw_text(cv, r + 1, 2, W - 4, C_ERR, t->err);
        return;
    }
    draw_textf(cv, r++, 1, W - 2, C_DIM, "scored: %s   (shorter is better; %s)", t->t.text_desc, t->path);
    r++;
    double worst = 0;
    for (int i = 0; i < t->t.n; i++) worst = fmax(worst, t->t.rows[i].bits_per_byte);
    /* wide: every column; narrow (a small terminal): the name, bits per byte and the bar */
    int wide = W >= 66, bar_x = wide ? 54 : 22, bar_w = W - bar_x - 2;
    if (wide)
        draw_textf(cv, r++, 1, W - 2, C_DIM, "%-12s %-6s %10s %10s %8s", "model", "kind", "parameters", "training",
                   "bits/B");
    else
        draw_textf(cv, r++, 1, W - 2, C_DIM, "%-12s %7s", "model", "bits/B");
    for (int i = 0; i < t->t.n && r < y + h; i++, r++) {
        const lm_lmtable_row *row = &t->t.rows[i];
        char params[32], secs[32];
        lm_lmtable_fmt_count(row->n_params, params, sizeof params);
        lm_lmtable_fmt_seconds(row->train_seconds, secs, sizeof secs);
        if (wide)
            draw_textf(cv, r, 1, bar_x - 1, C_NORMAL, "%-12.12s %-6.6s %10s %10s %8.3f", row->name, row->kind, params,
                       secs, row->bits_per_byte);
        else
            draw_textf(cv, r, 1, bar_x - 1, C_NORMAL, "%-12.12s %7.3f", row->name, row->bits_per_byte);
        if (bar_w > 4) draw_bar(cv, r, bar_x, bar_w, worst > 0 ? row->bits_per_byte / worst : 0,
                                strcmp(row->kind, "-") == 0 ? C_DIM : C_OK);
    }
    r++;
    for (int i = 0; i < t->t.n && r < y + h; i++, r++)
        draw_textf(cv, r, 2, W - 4, C_DIM, "%-12.12s %s", t->t.rows[i].name, t->t.rows[i].desc);
    if (r + 1 < y + h)
        draw_text(cv, r + 1, 1, W - 2, C_DIM,
                  "r: read the table again   :lms MODEL... measures others (the output pane shows it)");
}

static int act_reload(ui_app *a, void *st, int k) {
    (void)k;
    load(st);
    ses_msg(&a->ses, !((lms_state *)st)->ok, "%s", ((lms_state *)st)->ok ? "table read again" : ((lms_state *)st)->err);
    return 1;
}

static const ui_binding lms_keys[] = {
    {'r', 0, act_reload, "read the table file again"},
    {0, 0, NULL, NULL},
};

const ui_panel panel_lms = {
    .name = "Language models", .tab = "LMs", .keys = lms_keys,
    .create = lms_create, .poll = lms_poll, .draw = lms_draw, .free = lms_free_st,
    .any_kind = 1,
};
