/* app.c - the UI's frame (see app.h): panel states, the update step (every
 * panel's poll), drawing the frame onto the canvas (tabs, prompt line, the
 * active panel, output pane, status line, help overlay) and rendering it or
 * exporting it (:export), and the order in which a key meets the modes and the bindings. */
#include "ui/app.h"

#include "ui/curses_inc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "models/lmodel.h"
#include "ui/export.h"

double app_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int app_init(ui_app *a, cli_ctx *ctx) {
    a->ctx = ctx;
    ses_init(&a->ses, ctx);
    a->pst = calloc((size_t)ui_n_panels, sizeof *a->pst);
    if (!a->pst) return -1;
    for (int v = 0; v < ui_n_panels; v++)
        if (ui_panels[v]->create) a->pst[v] = ui_panels[v]->create(a);
    return 0;
}

void app_free(ui_app *a) {
    for (int v = 0; a->pst && v < ui_n_panels; v++)
        if (ui_panels[v]->free) ui_panels[v]->free(a->pst[v], a);
    free(a->pst);
    a->pst = NULL;
    ses_free(&a->ses);
    editor_free(a);
    cmd_free(a);
    canvas_free(&a->cv);
}

void *app_panel_state(const ui_app *a, const ui_panel *p) {
    for (int v = 0; v < ui_n_panels; v++)
        if (ui_panels[v] == p) return a->pst[v];
    return NULL;
}

int ui_panel_usable(const ui_app *a, int v) {
    return ui_panels[v]->any_kind || !a->ctx->lmodel;
}

int app_poll(ui_app *a) {
    int r = 0;
    for (int v = 0; v < ui_n_panels; v++)
        if (ui_panels[v]->poll && ui_panel_usable(a, v)) r |= ui_panels[v]->poll(a->pst[v], a, v == a->view);
    return r;
}

/* a view that looks inside a transformer, while another kind is loaded */
static void draw_kind_notice(const ui_app *a, ui_canvas *cv, int y, int h) {
    char line[256];
    const struct lm_lmodel *lm = a->ctx->lmodel;
    snprintf(line, sizeof line, "The %s view looks inside a transformer; the loaded model is of kind %s.",
             ui_panels[a->view]->name, lm->kind);
    draw_text(cv, y + 1, 2, cv->cols - 4, C_ERR, line);
    snprintf(line, sizeof line, "(%.150s)", lm->desc);
    if (h > 2) draw_text(cv, y + 2, 2, cv->cols - 4, C_DIM, line);
    if (h > 4) {   /* the views that do work with it, from the table */
        int n = snprintf(line, sizeof line, "Views that work with it:");
        for (int v = 0; v < ui_n_panels && n < (int)sizeof line; v++)
            if (ui_panels[v]->any_kind)
                n += snprintf(line + n, sizeof line - (size_t)n, " %d %s,", v + 1, ui_panels[v]->name);
        if (n > 0 && n < (int)sizeof line && line[n - 1] == ',') line[n - 1] = '.';
        draw_text(cv, y + 4, 2, cv->cols - 4, C_NORMAL, line);
    }
    if (h > 5) draw_text(cv, y + 5, 2, cv->cols - 4, C_DIM, ":load models/base.llm brings the transformer back.");
}

/* ------------------------------------------------------------ frame */

/* a tab's label in form f: 0-1 the panel's name, 2 its short tab */
static void tab_label(int v, int f, char *lab, size_t cap) {
    const ui_panel *p = ui_panels[v];
    snprintf(lab, cap, " %d %s ", v + 1, f <= 1 ? p->name : p->tab);
}

/* The tab bar in the longest form that fits: " llmlab " and full names,
 * full names, short names; when short names do not fit either, the tabs
 * from the one that keeps the selected tab on screen, with < and >
 * marking tabs cut off on either side (Tab and the number keys reach
 * every view). */
static void draw_tabs(ui_app *a) {
    ui_canvas *cv = &a->cv;
    int W = cv->cols;
    draw_fill(cv, 0, 0, W, C_TAB);
    char lab[64];
    int f = 0, total = 0;
    for (; f < 3; f++) {
        total = f == 0 ? 8 : 0;
        for (int v = 0; v < ui_n_panels; v++) {
            tab_label(v, f, lab, sizeof lab);
            total += draw_width(lab);
        }
        if (total <= W) break;
    }
    if (f == 3) f = 2;
    int first = 0;   /* scroll just enough that the selected tab shows, with room for < and > */
    if (total > W) {
        int upto = 0;    /* columns from tab `first` to the end of the selected tab */
        for (int v = 0; v <= a->view; v++) {
            tab_label(v, f, lab, sizeof lab);
            upto += draw_width(lab);
        }
        while (first < a->view && upto + (first > 0) + 1 > W) {
            tab_label(first++, f, lab, sizeof lab);
            upto -= draw_width(lab);
        }
    }
    int x = 0;
    if (f == 0) x += draw_text(cv, 0, x, W, C_TITLE, " llmlab ");
    if (first > 0) x += draw_text(cv, 0, x, W - x, C_DIM, "<");
    for (int v = first; v < ui_n_panels && x < W; v++) {
        tab_label(v, f, lab, sizeof lab);
        if (x + draw_width(lab) > W - (v + 1 < ui_n_panels)) {
            draw_text(cv, 0, W - 1, 1, C_DIM, ">");
            break;
        }
        int w = draw_text(cv, 0, x, W - x, v == a->view ? C_TABSEL : C_TAB, lab);
        draw_add_hit(cv, 0, x, w, HIT_TAB, v, 0);
        x += w;
    }
    if (W - x > 30) draw_text(cv, 0, W - 28, 28, C_TAB, "?: keys  :: command  q: quit");
}

/* the settings line, in the longest form that leaves room for the message */
static void status_settings(const ui_app *a, int W, int msg_w, char *st, size_t cap) {
    const cli_ctx *c = a->ctx;
    char mp[256];
    ses_model_label(&a->ses, mp, sizeof mp);   /* what the view model is, not only its file */
    char tk[16], tp[16];
    if (c->sampling.top_k > 0) snprintf(tk, sizeof tk, "%d", c->sampling.top_k); else snprintf(tk, sizeof tk, "off");
    if (c->sampling.top_p < 1) snprintf(tp, sizeof tp, "%.2f", c->sampling.top_p); else snprintf(tp, sizeof tp, "off");
    const char *tn = ses_lm_ok(&a->ses) ? lm_tok_name(c->tok) : "-";
    int chat = a->ses.chat;
    /* only the settings in force: greedy uses none of T, k, p */
    char dec[64];
    if (c->sampling.greedy || c->sampling.temperature <= 0) snprintf(dec, sizeof dec, "greedy");
    else snprintf(dec, sizeof dec, "T=%.2f k=%s p=%s sampled", c->sampling.temperature, tk, tp);
    for (int form = 0; form < 4; form++) {
        if (form == 0)
            snprintf(st, cap, " %.60s | %.30s | %s | seed %llu | chat %s%s ", mp, tn, dec,
                     (unsigned long long)c->seed, chat ? "on" : "off",
                     a->ses.training ? " | training copy (w saves)" : "");
        else if (form == 1)
            snprintf(st, cap, " %.24s|%s|seed %llu%s%s ", mp, dec, (unsigned long long)c->seed,
                     chat ? "|chat" : "", a->ses.training ? "|copy" : "");
        else if (form == 2)
            snprintf(st, cap, " %s%s ", dec, a->ses.training ? " train" : "");
        else
            st[0] = 0;
        if (draw_width(st) + msg_w <= W) break;
    }
}

static void draw_status(ui_app *a) {
    ui_canvas *cv = &a->cv;
    int W = cv->cols, y = cv->rows - 1;
    draw_fill(cv, y, 0, W, C_STATUS);
    if (cmd_draw_line(a, y)) return;
    const ui_session *s = &a->ses;
    char st[512];
    status_settings(a, W, s->msg[0] ? draw_width(s->msg) + 1 : 0, st, sizeof st);
    int x = st[0] ? draw_text(cv, y, 0, W, C_STATUS, st) : 0;
    if (s->msg[0] && x < W - 4) draw_text(cv, y, x ? x + 1 : 1, W - x - 1, s->msg_err ? C_ERR : C_STATUS, s->msg);
}

/* below the smallest size: one message, word-wrapped (a word longer than the
 * width is cut) and centred */
static void draw_too_small(ui_app *a) {
    ui_canvas *cv = &a->cv;
    char m[96];
    snprintf(m, sizeof m, "terminal too small: %dx%d; llmlab needs at least %dx%d", cv->cols, cv->rows,
             UI_MIN_COLS, UI_MIN_ROWS);
    char lines[8][96];
    int nl = 0, len = (int)strlen(m), W = cv->cols > 0 ? cv->cols : 1;
    for (int i = 0; i < len && nl < 8;) {
        while (m[i] == ' ') i++;
        int end = i, last_fit = -1;
        while (end < len && end - i <= W) {
            if (m[end] == ' ') last_fit = end;
            end++;
        }
        int stop = end >= len && end - i <= W ? len : last_fit > i ? last_fit : i + W;
        if (stop > len) stop = len;
        snprintf(lines[nl++], sizeof lines[0], "%.*s", stop - i, m + i);
        i = stop;
    }
    int y0 = (cv->rows - nl) / 2;
    if (y0 < 0) y0 = 0;
    for (int r = 0; r < nl && y0 + r < cv->rows; r++) {
        int lw = (int)strlen(lines[r]);
        draw_text(cv, y0 + r, lw < W ? (W - lw) / 2 : 0, W, C_NORMAL, lines[r]);
    }
}

/* the frame onto the canvas (the screen's size), without rendering it */
static void compose(ui_app *a) {
    int rows, cols;
    term_size(&rows, &cols);
    ui_canvas *cv = &a->cv;
    if (canvas_resize(cv, rows, cols)) return;
    cv->hc = a->rd.hc;   /* projector mode: the panels' large layout */
    if (rows < UI_MIN_ROWS || cols < UI_MIN_COLS) {
        draw_too_small(a);
    } else {
        draw_tabs(a);
        editor_draw(a);
        int top = 2, bottom = rows - 1;   /* the panel gets rows [top, bottom) */
        int pane_h = 0;
        if (a->cmd.pane_open) {
            pane_h = (bottom - top) / 3;
            if (pane_h < 3) pane_h = 3;
            if (pane_h > bottom - top - 3) pane_h = bottom - top - 3;
            if (pane_h < 2) pane_h = 0;
        }
        int vh = bottom - top - pane_h;
        if (ui_panel_usable(a, a->view)) ui_panels[a->view]->draw(a->pst[a->view], a, cv, top, vh);
        else draw_kind_notice(a, cv, top, vh);
        if (pane_h) cmd_draw_pane(a, top + vh, pane_h);
        draw_status(a);
        if (a->help_open) help_draw(a);
    }
    if (a->help_open || !(a->ed.editing || a->cmd.active)) cv->cur_y = -1;
}

void app_draw(ui_app *a) {
    compose(a);
    render_canvas(&a->rd, &a->cv, a->full_redraw);
    a->full_redraw = 0;
}

/* opens path for writing; without force an existing file is refused (O_EXCL) */
static FILE *open_new(const char *path, int force) {
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0644);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "w");
    if (!f) close(fd);
    return f;
}

int app_export(ui_app *a, const char *path, int force) {
    int format = export_format_of(path);
    FILE *f = open_new(path, force);
    if (!f) {
        if (errno == EEXIST) ses_msg(&a->ses, 1, "%s exists: :export! %s overwrites it", path, path);
        else ses_msg(&a->ses, 1, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    a->ses.msg[0] = '\0';
    compose(a);   /* the frame as the screen shows it, without the ':' line */
    int rc = canvas_export(&a->cv, format, f);
    if (fclose(f)) rc = -1;
    if (rc) ses_msg(&a->ses, 1, "writing %s failed: %s", path, strerror(errno));
    else ses_msg(&a->ses, 0, "exported the screen (%dx%d, %s) to %s", a->cv.cols, a->cv.rows,
                 export_format_name(format), path);
    return rc;
}

/* ------------------------------------------------------------ keys */

int app_key(ui_app *a, int ch, int is_key) {
    if (is_key && ch == KEY_RESIZE) { a->full_redraw = 1; return 1; }
    if (is_key && ch == KEY_MOUSE) return keys_dispatch(a, ch);
    if (a->help_open) return help_key(a, ch, is_key);
    if (a->cmd.active) { cmd_key(a, ch, is_key); return 1; }
    if (a->ed.editing && a->ed.placeholder && editor_placeholder_passes(ch, is_key)) {
        /* the start-up editor: keys (space, lower-case letters, digits, ?, :,
         * Tab, F-keys) act as keys, as the help says; a capital letter or any
         * other character starts a prompt of its own */
        a->ed.editing = 0;
        a->ed.placeholder = 0;
    }
    if (a->ed.editing) { editor_key(a, ch, is_key); return 1; }
    a->ses.msg[0] = '\0';
    /* bindings are ASCII keys and KEY_ codes: never confuse a wide character with a KEY_ code */
    int handled = (is_key || ch < 0x100) && keys_dispatch(a, ch);
    if (!handled && !is_key && ch == ' ') handled = 1;   /* a space no view binds does nothing */
    if (!handled) handled = editor_start_typing(a, ch, is_key);
    return handled;
}
