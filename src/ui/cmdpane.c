/* cmdpane.c - the ':' line (any llmlab command, run in-process with its
 * output captured) and the output pane that shows the log of what the
 * commands printed. The same line also asks panels' questions (cmd_open with
 * a done callback, e.g. the train panel's "save as: "). ":export FILE"
 * writes the screen to a file (export.h). */
#include "ui/app.h"

#include "ui/curses_inc.h"
#include "ui/export.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cmd_log(ui_app *a, const char *s, size_t n) {
    char *p = realloc(a->cmd.log, a->cmd.log_len + n + 1);
    if (!p) return;
    a->cmd.log = p;
    for (size_t i = 0; i < n; i++) a->cmd.log[a->cmd.log_len++] = s[i] == '\t' ? ' ' : s[i];
    a->cmd.log[a->cmd.log_len] = '\0';
    const size_t keep = 1 << 20;   /* keep the last MiB */
    if (a->cmd.log_len > keep) {
        memmove(a->cmd.log, a->cmd.log + a->cmd.log_len - keep, keep + 1);
        a->cmd.log_len = keep;
    }
}

void cmd_draw_pane(ui_app *a, int y, int h) {
    ui_canvas *cv = &a->cv;
    int W = cv->cols;
    draw_hline(cv, y, 0, W, C_DIM);
    draw_text(cv, y, 2, W - 4, C_KEY, " command output (PgUp/PgDn scroll, o hides) ");
    for (int r = 1; r < h; r++) draw_fill(cv, y + r, 0, W, C_NORMAL);
    if (!a->cmd.log) return;
    /* find line starts from the end */
    int lines_wanted = h - 1 + a->cmd.pane_scroll;
    const char *end = a->cmd.log + a->cmd.log_len;
    if (end > a->cmd.log && end[-1] == '\n') end--;
    const char *starts[512];
    int n = 0;
    const char *p = end;
    while (n < lines_wanted && n < 512) {
        const char *s = p;
        while (s > a->cmd.log && s[-1] != '\n') s--;
        starts[n++] = s;
        if (s == a->cmd.log) break;
        p = s - 1;
    }
    if (a->cmd.pane_scroll > n - 1) a->cmd.pane_scroll = n > 0 ? n - 1 : 0;
    char line[1024];
    int first = n - 1, last = a->cmd.pane_scroll;   /* starts[] is newest first */
    int r = 1;
    for (int i = first; i >= last && r < h; i--) {
        if (n - 1 - i < n - (h - 1) - a->cmd.pane_scroll) continue;
        const char *s = starts[i], *e = s;
        while (e < a->cmd.log + a->cmd.log_len && *e != '\n') e++;
        size_t len = (size_t)(e - s) < sizeof line - 1 ? (size_t)(e - s) : sizeof line - 1;
        memcpy(line, s, len);
        line[len] = 0;
        draw_text(cv, y + r++, 1, W - 2, line[0] == '>' && line[1] == ' ' ? C_KEY : C_NORMAL, line);
    }
}

/* ":export FILE" / ":export! FILE": the screen to a file (app_export), not
 * a command of the CLI; the path is the rest of the line, quotes removed */
static int export_command(ui_app *a, const char *line, const char *first) {
    int force = strcmp(first, "export!") == 0;
    if (!force && strcmp(first, "export") != 0) return 0;
    const char *p = strstr(line, first) + strlen(first);
    while (*p == ' ') p++;
    char path[512];
    snprintf(path, sizeof path, "%s", p);
    size_t n = strlen(path);
    while (n && path[n - 1] == ' ') path[--n] = 0;
    if (n >= 2 && (path[0] == '"' || path[0] == '\'') && path[n - 1] == path[0]) {
        memmove(path, path + 1, n - 2);
        path[n - 2] = 0;
    }
    if (!path[0]) ses_msg(&a->ses, 1, "usage: :export FILE.svg | FILE.ans | FILE.txt (:export! overwrites)");
    else app_export(a, path, force);
    return 1;
}

static void run_command(ui_app *a, const char *line) {
    cli_ctx *c = a->ctx;
    char first[32] = {0};
    sscanf(line, " %31s", first);
    if (export_command(a, line, first)) return;
    cmd_log(a, "> ", 2);
    cmd_log(a, line, strlen(line));
    cmd_log(a, "\n", 1);
    a->cmd.pane_open = 1;
    a->cmd.pane_scroll = 0;
    if (!first[0]) return;
    if (strcmp(first, "repl") == 0 || strcmp(first, "ui") == 0 || strcmp(first, "q") == 0 ||
        strcmp(first, "quit") == 0) {
        const char *m = strcmp(first, "q") == 0 || strcmp(first, "quit") == 0
                            ? "(q quits the UI; the command line runs commands)\n"
                            : "(not from inside the UI)\n";
        cmd_log(a, m, strlen(m));
        return;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) return;
    FILE *oo = c->out, *oe = c->err;
    int ocol = c->color, oint = c->interactive;
    c->out = c->err = mem;
    c->color = 0;
    c->interactive = 1;
    /* a command that reads stdin gets /dev/null, never the terminal curses owns */
    int saved_in = dup(0), dn = open("/dev/null", O_RDONLY);
    if (dn >= 0) { dup2(dn, 0); close(dn); }
    const float *old_params = c->model.params;
    int old_loaded = c->model_loaded;
    uint64_t old_seed = c->seed;
    char old_path[sizeof c->model_path];
    memcpy(old_path, c->model_path, sizeof old_path);
    int rc = cli_run_line(c, line);
    if (saved_in >= 0) { dup2(saved_in, 0); close(saved_in); }
    clearerr(stdin);
    c->out = oo;
    c->err = oe;
    c->color = ocol;
    c->interactive = oint;
    fclose(mem);
    if (buf && len) cmd_log(a, buf, len);
    if (len && buf[len - 1] != '\n') cmd_log(a, "\n", 1);
    if (rc) {
        char st[48];
        int n = snprintf(st, sizeof st, "(exit status %d)\n", rc);
        cmd_log(a, st, (size_t)n);
    }
    free(buf);
    if (c->model.params != old_params || c->model_loaded != old_loaded || strcmp(c->model_path, old_path) != 0)
        ses_model_changed(&a->ses);   /* the panels reset what belonged to the old model */
    if (c->seed != old_seed) ses_reseed(&a->ses);
    ses_inputs_changed(&a->ses);
}

void cmd_open(ui_app *a, const char *label, const char *initial, ui_line_done done) {
    ui_cmdline *c = &a->cmd;
    c->active = 1;
    c->label = label;
    c->done = done;
    snprintf(c->buf, sizeof c->buf, "%s", initial);
    c->len = c->cur = strlen(c->buf);
}

void cmd_key(ui_app *a, int ch, int is_key) {
    ui_cmdline *c = &a->cmd;
    if (!is_key && ch == 27) { c->active = 0; return; }
    if ((!is_key && (ch == '\r' || ch == '\n')) || (is_key && ch == KEY_ENTER)) {
        c->active = 0;
        char line[sizeof c->buf];
        memcpy(line, c->buf, sizeof line);
        c->buf[0] = 0;
        c->len = c->cur = 0;
        if (c->done) c->done(a, line);
        else run_command(a, line);
        return;
    }
    edit_line(c->buf, sizeof c->buf, &c->len, &c->cur, ch, is_key);
}

int cmd_draw_line(ui_app *a, int y) {
    ui_cmdline *c = &a->cmd;
    if (!c->active) return 0;
    ui_canvas *cv = &a->cv;
    int W = cv->cols;
    int x = draw_text(cv, y, 0, W, C_STATUS, c->label ? c->label : ":");
    draw_text(cv, y, x, W - x - 1, C_STATUS, c->buf);
    char tmp[sizeof c->buf];
    memcpy(tmp, c->buf, c->cur);
    tmp[c->cur] = 0;
    draw_cursor(cv, y, x + draw_width(tmp));
    return 1;
}

void cmd_free(ui_app *a) {
    free(a->cmd.log);
    a->cmd.log = NULL;
    a->cmd.log_len = 0;
}
