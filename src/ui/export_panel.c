/* export_panel.c - a UI panel drawn for the command line (export.h): a
 * headless app (no curses) with the session set to the prompt's ids, the
 * panel's own poll (the forward and the sampler) and draw onto a canvas of a
 * fixed size, then canvas_export. The command line and the UI show one
 * drawing, not two. */
#include "ui/export.h"

#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ui/app.h"

static int find_panel(const char *name) {
    for (int v = 0; v < ui_n_panels; v++)
        if (strcasecmp(name, ui_panels[v]->tab) == 0 || strcasecmp(name, ui_panels[v]->name) == 0) return v;
    return -1;
}

/* the panel on the canvas: state, one update step, one draw */
static int draw_headless(ui_app *a, int v, const export_panel_opts *o) {
    const ui_panel *p = ui_panels[v];
    a->view = v;
    a->pst[v] = p->create ? p->create(a) : NULL;
    if (p->create && !a->pst[v]) return -1;
    if (strcmp(p->tab, "Attn") == 0) attention_select(a->pst[v], o->layer, o->head);
    if (p->poll) p->poll(a->pst[v], a, 1);
    if (canvas_resize(&a->cv, o->rows, o->cols)) return -1;
    p->draw(a->pst[v], a, &a->cv, 0, o->rows);
    return 0;
}

static int write_file(cli_ctx *ctx, const char *cmd, const ui_canvas *cv, int format, const char *path) {
    int to_stdout = strcmp(path, "-") == 0;
    FILE *f = to_stdout ? ctx->out : fopen(path, "w");
    if (!f) {
        fprintf(ctx->err, "llmlab %s: cannot write %s: %s\n", cmd, path, strerror(errno));
        return -1;
    }
    int rc = canvas_export(cv, format, f);
    if (!to_stdout && fclose(f)) rc = -1;
    if (rc) fprintf(ctx->err, "llmlab %s: writing %s failed: %s\n", cmd, path, strerror(errno));
    return rc;
}

int export_panel(cli_ctx *ctx, const char *cmd, const lm_ids *ids, const export_panel_opts *o, int format,
                 const char *path) {
    int v = find_panel(o->panel);
    if (v < 0) {
        fprintf(ctx->err, "llmlab %s: no panel '%s'\n", cmd, o->panel);
        return -1;
    }
    ui_app *a = calloc(1, sizeof *a);
    if (!a || !(a->pst = calloc((size_t)ui_n_panels, sizeof *a->pst))) {
        free(a);
        fprintf(ctx->err, "llmlab %s: out of memory\n", cmd);
        return -1;
    }
    a->ctx = ctx;
    a->bench = 1;
    ses_init(&a->ses, ctx);
    a->ses.chat = o->chat;
    a->cv.rich = 1;
    a->cv.ascii = o->ascii;
    a->cv.hc = a->rd.hc = o->hc;
    int rc = 0;
    for (size_t i = 0; i < ids->n && rc == 0; i++) rc = lm_ids_push(&a->ses.seq, ids->ids[i]);
    a->ses.n_prompt = a->ses.seq.n;
    /* the canvas reads and writes UTF-8 through the C library: whatever the
     * caller's locale, the drawing and the file are UTF-8 */
    locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0), old = utf8 ? uselocale(utf8) : NULL;
    if (rc == 0) rc = draw_headless(a, v, o);
    if (rc) fprintf(ctx->err, "llmlab %s: out of memory\n", cmd);
    else rc = write_file(ctx, cmd, &a->cv, format, path);
    if (utf8) { uselocale(old); freelocale(utf8); }
    const ui_panel *p = ui_panels[v];
    if (p->free && a->pst[v]) p->free(a->pst[v], a);
    free(a->pst);
    ses_free(&a->ses);
    canvas_free(&a->cv);
    free(a);
    return rc;
}

int export_text(cli_ctx *ctx, const char *cmd, const char *text, const char *mark, int format, const char *path) {
    ui_canvas cv = {.rich = 1};
    int rows = 0, cols = 1, rc = 0;
    for (const char *l = text; *l; rows++) {   /* the size: lines, and columns of the longest */
        const char *nl = strchr(l, '\n');
        size_t n = nl ? (size_t)(nl - l) : strlen(l);
        int c = 0;
        for (size_t i = 0; i < n; i++) c += ((unsigned char)l[i] & 0xC0) != 0x80;
        if (c > cols) cols = c;
        l += n + (nl ? 1 : 0);
    }
    locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0), old = utf8 ? uselocale(utf8) : NULL;
    char *copy = strdup(text);
    if (!copy || canvas_resize(&cv, rows > 0 ? rows : 1, cols)) {
        fprintf(ctx->err, "llmlab %s: out of memory\n", cmd);
        rc = -1;
    }
    wchar_t wmark = 0;
    if (mark && mbtowc(&wmark, mark, strlen(mark)) <= 0) wmark = 0;
    int y = 0;
    for (char *l = copy, *nl; rc == 0 && *l; l = nl ? nl + 1 : l + strlen(l), y++) {
        if ((nl = strchr(l, '\n'))) *nl = 0;
        draw_text(&cv, y, 0, cols, C_NORMAL, l);
        for (int x = 0; wmark && x < cols; x++)
            if (cv.cells[y * cols + x].ch[0] == wmark) cv.cells[y * cols + x].role = C_BAR;
    }
    if (rc == 0) rc = write_file(ctx, cmd, &cv, format, path);
    if (utf8) { uselocale(old); freelocale(utf8); }
    free(copy);
    canvas_free(&cv);
    return rc;
}

int export_cli_option(cli_ctx *ctx, const char *cmd, int opt, const char *arg, export_cli *e) {
    if (!e->cols) { e->cols = 100; e->rows = 30; }
    switch (opt) {
    case 1101: e->path = arg; e->format = EXPORT_SVG; return 1;
    case 1102: e->path = arg; e->format = EXPORT_ANSI; return 1;
    case 1103: e->path = arg; e->format = EXPORT_TEXT; return 1;
    case 1105: e->hc = 1; return 1;
    case 1104: {
        char tail;
        if (sscanf(arg, "%dx%d%c", &e->cols, &e->rows, &tail) != 2 || e->cols < UI_MIN_COLS ||
            e->rows < UI_MIN_ROWS - 3 || e->cols > 1000 || e->rows > 1000) {
            fprintf(ctx->err, "llmlab %s: --size is WxH, from %dx%d to 1000x1000, e.g. 100x30\n", cmd,
                    UI_MIN_COLS, UI_MIN_ROWS - 3);
            return -1;
        }
        return 1;
    }
    default: return 0;
    }
}
