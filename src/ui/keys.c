/* keys.c - the keys that work everywhere (the global binding list), the
 * dispatcher that runs a key's binding (global list, then the active
 * panel's), and the '?' overlay printed from the same lists (panel.h). */
#include "ui/app.h"

#include "ui/curses_inc.h"

#include <ctype.h>
#include <string.h>

/* ------------------------------------------------------------ global actions */

static int act_quit(ui_app *a, void *st, int k) { (void)st; (void)k; a->quit = 1; return 1; }

static int act_help(ui_app *a, void *st, int k) {
    (void)st; (void)k;
    a->help_open = 1;
    a->help_scroll = 0;
    return 1;
}

static int act_command(ui_app *a, void *st, int k) { (void)st; (void)k; cmd_open(a, ":", "", NULL); return 1; }

static int act_view(ui_app *a, void *st, int k) {
    (void)st;
    int v = k >= KEY_F(1) ? k - KEY_F(1) : k - '1';
    if (v < 0 || v >= ui_n_panels) return 0;   /* no such tab: the key goes on */
    a->view = v;
    return 1;
}

static int act_next_view(ui_app *a, void *st, int k) {
    (void)st;
    a->view = (a->view + (k == KEY_BTAB ? ui_n_panels - 1 : 1)) % ui_n_panels;
    return 1;
}

static int act_edit(ui_app *a, void *st, int k) { (void)st; (void)k; app_start_editing(a, 0); return 1; }

static int act_chat(ui_app *a, void *st, int k) {
    (void)st; (void)k;
    a->ses.chat = !a->ses.chat;
    ses_reencode(&a->ses);
    if (!a->ses.msg_err) ses_msg(&a->ses, 0, "chat template %s", a->ses.chat ? "on" : "off");
    return 1;
}

static int act_contrast(ui_app *a, void *st, int k) {
    (void)st; (void)k;
    a->rd.hc = !a->rd.hc;
    a->cv.hc = a->rd.hc;
    a->cv.rich = render_init_colors(&a->rd);
    a->cv.mono = a->rd.mono;
    a->full_redraw = 1;
    if (a->rd.hc)
        ses_msg(&a->ses, 0, "high-contrast colours on: projector mode (large heatmap with values, legend, wide bars)");
    else ses_msg(&a->ses, 0, "high-contrast colours off");
    return 1;
}

static int act_pane(ui_app *a, void *st, int k) {
    (void)st; (void)k;
    a->cmd.pane_open = !a->cmd.pane_open;
    a->cmd.pane_scroll = 0;
    return 1;
}

static int act_pane_close(ui_app *a, void *st, int k) { (void)st; (void)k; a->cmd.pane_open = 0; return 1; }

static const ui_binding *find(const ui_binding *list, int key) {
    for (const ui_binding *b = list; b && b->act; b++)
        if (key == b->key || (b->last && key >= b->key && key <= b->last)) return b;
    return NULL;
}

/* PgUp/PgDn scroll the open pane, unless the panel binds them itself */
static int act_pane_scroll(ui_app *a, void *st, int k) {
    (void)st;
    if (!a->cmd.pane_open || find(ui_panels[a->view]->keys, k)) return 0;
    a->cmd.pane_scroll += k == KEY_PPAGE ? 5 : -5;
    if (a->cmd.pane_scroll < 0) a->cmd.pane_scroll = 0;
    return 1;
}

static int act_redraw(ui_app *a, void *st, int k) { (void)st; (void)k; a->full_redraw = 1; return 1; }

static int act_click(ui_app *a, void *st, int k) {
    (void)st; (void)k;
    int y, x;
    if (term_read_click(&y, &x)) return 1;
    const ui_hit *h = draw_hit_at(&a->cv, y, x);
    if (!h) return 1;
    if (h->kind == HIT_TAB) {
        if (h->a >= 0 && h->a < ui_n_panels) a->view = h->a;
        return 1;
    }
    const ui_panel *p = ui_panels[a->view];
    ui_hit copy = *h;
    if (p->click && ui_panel_usable(a, a->view)) p->click(a->pst[a->view], a, &copy);
    return 1;
}

#define EDIT_HELP "edit the prompt (Enter or Esc ends; Up/Down: history); or just type: a letter no view " \
                  "uses (at start-up also any capital) starts a new prompt"

const ui_binding keys_global[] = {
    {'1', '9', act_view, "the view with that number on its tab"},
    {KEY_F(1), KEY_F(12), act_view, "the view with that number on its tab"},
    {'\t', 0, act_next_view, "next / previous view"},
    {KEY_BTAB, 0, act_next_view, "next / previous view"},
    {'e', 0, act_edit, EDIT_HELP},
    {'i', 0, act_edit, EDIT_HELP},
    {'c', 0, act_chat, "chat template on/off (shows the template's special tokens)"},
    {':', 0, act_command, "command line: tokenize, generate, set temperature 0.7, load ...; "
                          ":export FILE.svg (or .ans, .txt) writes the screen, :export! overwrites"},
    {'o', 0, act_pane, "show/hide the command output pane"},
    {KEY_PPAGE, 0, act_pane_scroll, "scroll the output pane (when the view does not use the key)"},
    {KEY_NPAGE, 0, act_pane_scroll, "scroll the output pane (when the view does not use the key)"},
    {27, 0, act_pane_close, "hide the output pane"},
    {'H', 0, act_contrast, "projector mode: high-contrast colours, large heatmap cells with values and a legend, "
                           "full token labels, bars as wide as the screen"},
    {12, 0, act_redraw, "redraw the screen"},
    {'?', 0, act_help, "this help (Up/Down/PgUp/PgDn scroll, any other key closes)"},
    {'q', 0, act_quit, "quit"},
    {3, 0, act_quit, "quit"},
    {KEY_MOUSE, 0, act_click, "click a tab, a token, a head or a query row"},
    {0, 0, NULL, NULL},
};

int keys_dispatch(ui_app *a, int key) {
    const ui_binding *b = find(keys_global, key);
    if (b && b->act(a, NULL, key)) return 1;
    const ui_panel *p = ui_panels[a->view];
    void *st = a->pst[a->view];
    if (!ui_panel_usable(a, a->view)) return 0;
    if (p->key && p->key(st, a, key)) return 1;
    b = find(p->keys, key);
    return b && b->act(a, st, key);
}

/* ------------------------------------------------------------ help text */

void keys_name(int key, char *out, size_t cap) {
    static const struct { int key; const char *name; } names[] = {
        {' ', "space"}, {'\t', "Tab"}, {27, "Esc"}, {127, "Backspace"}, {8, "Backspace"},
        {KEY_BACKSPACE, "Backspace"}, {KEY_BTAB, "Shift-Tab"}, {KEY_LEFT, "Left"}, {KEY_RIGHT, "Right"},
        {KEY_UP, "Up"}, {KEY_DOWN, "Down"}, {KEY_HOME, "Home"}, {KEY_END, "End"}, {KEY_PPAGE, "PgUp"},
        {KEY_NPAGE, "PgDn"}, {KEY_ENTER, "Enter"}, {'\r', "Enter"}, {KEY_MOUSE, "mouse"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].key == key) { snprintf(out, cap, "%s", names[i].name); return; }
    if (key >= KEY_F(0) && key <= KEY_F(63)) snprintf(out, cap, "F%d", key - KEY_F(0));
    else if (key > 0 && key < 32) snprintf(out, cap, "Ctrl-%c", '@' + key);
    else snprintf(out, cap, "%c", key);
}

/* appends the name of binding b (a range as "1-9") to keys unless it is there */
static void add_key_name(char *keys, size_t cap, const ui_binding *b) {
    char n1[24], n2[24], name[56];
    keys_name(b->key, n1, sizeof n1);
    if (b->last) {
        keys_name(b->last, n2, sizeof n2);
        snprintf(name, sizeof name, "%s-%s", n1, n2);
    } else {
        snprintf(name, sizeof name, "%s", n1);
    }
    for (const char *p = keys; (p = strstr(p, name)); p++)   /* "Backspace" from 127 and KEY_BACKSPACE: once */
        if ((p == keys || p[-1] == ' ') && (p[strlen(name)] == 0 || p[strlen(name)] == ' ')) return;
    size_t len = strlen(keys);
    snprintf(keys + len, cap - len, "%s%s", len ? " / " : "", name);
}

#define HELP_MAX 160
static char help_store[HELP_MAX][320];

/* one line per run of bindings with the same help */
static int help_list(const ui_binding *list, int n) {
    for (int i = 0; list[i].act && n < HELP_MAX;) {
        const char *help = list[i].help ? list[i].help : "";
        char keys[128] = "";
        int j = i;
        for (; list[j].act && strcmp(list[j].help ? list[j].help : "", help) == 0; j++)
            add_key_name(keys, sizeof keys, &list[j]);
        snprintf(help_store[n++], sizeof help_store[0], "  %-18s %s", keys, help);
        i = j;
    }
    return n;
}

int keys_help_lines(const char **lines, int max) {
    int n = 0;
    snprintf(help_store[n++], sizeof help_store[0], "everywhere");
    n = help_list(keys_global, n);
    for (int v = 0; v < ui_n_panels && n < HELP_MAX; v++) {
        char name[64];
        snprintf(name, sizeof name, "%s", ui_panels[v]->name);
        for (char *p = name; *p; p++) *p = (char)tolower((unsigned char)*p);
        snprintf(help_store[n++], sizeof help_store[0], "%s view (%d)", name, v + 1);
        n = help_list(ui_panels[v]->keys, n);
    }
    if (n > max) n = max;
    for (int i = 0; i < n; i++) lines[i] = help_store[i];
    return n;
}

/* ------------------------------------------------------------ the overlay */

/* the help lines word-wrapped to w columns; a continuation is indented under
 * the description (column 21) */
static int help_wrap(int w, char rows[][128], int max) {
    const char *lines[HELP_MAX];
    int n_lines = keys_help_lines(lines, HELP_MAX), n = 0;
    for (int i = 0; i < n_lines && n < max; i++) {
        const char *l = lines[i];
        int len = (int)strlen(l), indent = 0, first = 1;
        while (len > 0 && n < max) {
            int room = w - indent;
            if (room < 8) room = 8;
            if (room > 120) room = 120;
            int take = len;
            if (take > room) {
                take = room;
                while (take > 0 && l[take] != ' ') take--;
                if (take == 0) take = room;
            }
            snprintf(rows[n++], 128, "%*s%.*s", indent, "", take, l);
            l += take;
            len -= take;
            while (len > 0 && *l == ' ') { l++; len--; }
            if (first) { indent = len && lines[i][0] == ' ' ? (w >= 60 ? 21 : 6) : 2; first = 0; }
        }
    }
    return n;
}

void help_draw(ui_app *a) {
    ui_canvas *cv = &a->cv;
    int W = cv->cols, H = cv->rows;
    int bw = W <= 94 ? W : 92, bh = H - 2;   /* full width when narrow: no stray column beside the title */
    int bx = (W - bw) / 2, by = 1;
    static char rows[400][128];
    int nrows = help_wrap(bw - 2, rows, 400);
    if (a->help_scroll > nrows - (bh - 2)) a->help_scroll = nrows - (bh - 2) > 0 ? nrows - (bh - 2) : 0;
    for (int r = 0; r < bh; r++) draw_fill(cv, by + r, bx, bw, C_STATUS);
    draw_text_fit(cv, by, bx + 1, bw - 2, C_STATUS, "keys  (? or Esc closes; Up/Down scroll)", "keys (Esc closes)");
    for (int r = 0; r < bh - 2 && a->help_scroll + r < nrows; r++)
        draw_text(cv, by + 1 + r, bx + 1, bw - 2, C_STATUS, rows[a->help_scroll + r]);
    if (a->help_scroll + bh - 2 < nrows) draw_text(cv, by + bh - 1, bx + 1, bw - 2, C_STATUS, "... more below (Down)");
}

int help_key(ui_app *a, int ch, int is_key) {
    int step = is_key && (ch == KEY_NPAGE || ch == KEY_PPAGE) ? 10 : 1;
    if (is_key && (ch == KEY_DOWN || ch == KEY_NPAGE)) a->help_scroll += step;
    else if (is_key && (ch == KEY_UP || ch == KEY_PPAGE)) a->help_scroll = a->help_scroll > step ? a->help_scroll - step : 0;
    else a->help_open = 0;
    return 1;
}
