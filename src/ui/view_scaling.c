/* view_scaling.c - the Scaling view: the shipped scaling sweep
 * (data/scaling/sweep.tsv, made by `llmlab scaling run`) drawn as
 * `llmlab scaling plot` draws it (ui/scaling_draw.h): loss against
 * parameters and against compute on log-log axes with the fitted power
 * laws. The file is read (and the laws fitted) when the view first shows,
 * and again on 'r'; drawing only reads the table. */
#include "ui/app.h"

#include <stdio.h>
#include <stdlib.h>

#include "scaling/laws.h"
#include "scaling/results.h"
#include "ui/scaling_draw.h"

#define SWEEP "data/scaling/sweep.tsv"

typedef struct {
    int loaded, ok;
    lm_scaling_table t;
    lm_scaling_laws l;
    char path[LM_PATH_MAX];
    char err[300];
} scaling_state;

static void *scaling_create(ui_app *a) {
    (void)a;
    return calloc(1, sizeof(scaling_state));
}

static void unload(scaling_state *s) {
    if (s->ok) lm_scaling_laws_free(&s->l);
    lm_scaling_table_free(&s->t);
    s->ok = 0;
}

static void scaling_free_st(void *st, ui_app *a) {
    (void)a;
    if (st) unload(st);
    free(st);
}

static void load(scaling_state *s) {
    unload(s);
    s->loaded = 1;
    cli_find_shipped(SWEEP, s->path, sizeof s->path);
    lm_err err = {{0}};
    if (lm_scaling_tsv_load(&s->t, s->path, &err) == 0 && s->t.n == 0) lm_fail(&err, "%s has no runs", SWEEP);
    if (err.msg[0] || lm_scaling_laws_fit(&s->t, &s->l, &err)) {
        snprintf(s->err, sizeof s->err, "%.290s", err.msg);
        lm_scaling_table_free(&s->t);
        return;
    }
    s->ok = 1;
}

static int scaling_poll(void *st, ui_app *a, int active) {
    (void)a;
    scaling_state *s = st;
    if (!active || s->loaded) return 0;
    load(s);
    return UI_POLL_CHANGED;
}

static void scaling_draw_view(const void *st, const ui_app *a, ui_canvas *cv, int y, int h) {
    (void)a;
    const scaling_state *s = st;
    int W = cv->cols;
    if (!s->loaded) {
        draw_text(cv, y + 1, 2, W - 4, C_DIM, "reading " SWEEP " ...");
        return;
    }
    if (!s->ok) {
        draw_text(cv, y + 1, 2, W - 4, C_ERR, s->err);
        draw_text(cv, y + 2, 2, W - 4, C_DIM, "make it with `llmlab scaling run -o " SWEEP "`; r: read it again");
        return;
    }
    int x = 1 + draw_textf(cv, y, 1, W - 2, C_TITLE, " scaling laws: %d runs of %s ", s->t.n, SWEEP);
    draw_text_fit(cv, y, x, W - x, C_KEY, " r: read again  (llmlab scaling plot: the table)", " r");
    scaling_draw(cv, y + 1, 1, h - 1, W - 2, &s->t, &s->l);
}

static int act_reload(ui_app *a, void *st, int k) {
    (void)a; (void)k;
    load(st);
    return 1;
}

static const ui_binding scaling_keys[] = {
    {'r', 0, act_reload, "read the sweep again"},
    {0, 0, NULL, NULL},
};

const ui_panel panel_scaling = {
    .name = "Scaling laws", .tab = "Scaling", .keys = scaling_keys,
    .create = scaling_create, .poll = scaling_poll, .draw = scaling_draw_view, .free = scaling_free_st,
    .any_kind = 1,   /* it draws a saved sweep, whatever model is loaded */
};
