/* app.c - the UI's frame (tabs, prompt line, status line, help overlay, ':'
 * command line with its output pane) and key dispatch to the views. */
#include "ui/app.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

static const char *view_names[V_COUNT] = {"Next token", "Attention", "Tokens", "Compare", "Train"};
static const char *view_short[V_COUNT] = {"Next", "Attn", "Tok", "Cmp", "Train"};

/* every key, for the '?' overlay */
static const char *help_lines[] = {
    "everywhere",
    "  1 2 3 4 5 / Tab    views: next token, attention, tokens, compare, train",
    "  e (or just type)   edit the prompt (Enter or Esc ends; Up/Down: history); a letter no view uses (at start-up also any capital) starts a new prompt",
    "  c                  chat template on/off (shows the template's special tokens)",
    "  :                  command line: tokenize, generate, set temperature 0.7, load ...",
    "  o                  show/hide the command output pane (PgUp/PgDn scroll it)",
    "  H                  high-contrast colours (for projectors)",
    "  Ctrl-L             redraw the screen",
    "  ?                  this help (Up/Down/PgUp/PgDn scroll, any other key closes)",
    "  q                  quit (also Ctrl-C)",
    "  mouse              click a tab, a token, a head or a query row",
    "next token view (1)",
    "  space / n          take the drawn token (one generation step)",
    "  r                  run/stop continuous generation",
    "  u / Backspace      undo the last step;   0  back to the prompt",
    "  t / T              temperature down / up",
    "  k / K              top-k down / up (off = 0)",
    "  p / P              top-p down / up (off = 1)",
    "  g                  greedy / sampled",
    "  s / S              seed down / up",
    "attention view (2)",
    "  Left / Right       previous / next head",
    "  Up / Down          previous / next layer",
    "  [ ] or , .         previous / next query token;  Home / End  first / last",
    "tokens view (3)",
    "  Left / Right or , .  BPE merge step back / forward;  PgUp/PgDn 10 steps;  Home/End",
    "  t                  which tokeniser the stepper uses",
    "  l                  letters overlay on/off;   L then a letter: the letter to count",
    "compare view (4)",
    "  + / -              longer / shorter continuations;   n  run again",
    "train view (5)",
    "  s / space          start (on a working copy) / pause / resume",
    "  .                  one training step",
    "  x                  stop training (the view model keeps the weights)",
    "  w                  save the trained copy as a NEW file",
    "  m                  pretraining / SFT",
    "  + / -              learning rate x2 / /2",
    "  R                  revert the view model to its file",
};
#define N_HELP ((int)(sizeof help_lines / sizeof help_lines[0]))

double app_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void app_log(ui_app *a, const char *s, size_t n) {
    char *p = realloc(a->log, a->log_len + n + 1);
    if (!p) return;
    a->log = p;
    for (size_t i = 0; i < n; i++) a->log[a->log_len++] = s[i] == '\t' ? ' ' : s[i];
    a->log[a->log_len] = '\0';
    const size_t keep = 1 << 20;   /* keep the last MiB */
    if (a->log_len > keep) {
        memmove(a->log, a->log + a->log_len - keep, keep + 1);
        a->log_len = keep;
    }
}

/* ------------------------------------------------------------ frame */

static void draw_tabs(ui_app *a) {
    int W = a->cols;
    attr_t at = draw_attr(a, C_TAB);
    attron(at);
    mvhline(0, 0, ' ', W);
    attroff(at);
    int x = 0, small = W < 100;
    if (!small) x += draw_text(a, 0, x, W, C_TITLE, " llmlab ");
    for (int v = 0; v < V_COUNT; v++) {
        char lab[32];
        snprintf(lab, sizeof lab, " %d %s ", v + 1, small ? view_short[v] : view_names[v]);
        int w = draw_text(a, 0, x, W - x, v == a->view ? C_TABSEL : C_TAB, lab);
        draw_add_hit(a, 0, x, w, HIT_TAB, v, 0);
        x += w;
    }
    if (W - x > 30) draw_text(a, 0, W - 28, 28, C_TAB, "?: keys  :: command  q: quit");
}

static void draw_prompt(ui_app *a) {
    int W = a->cols;
    int x = draw_text(a, 1, 0, W, a->editing ? C_KEY : C_DIM, a->editing ? "prompt> " : "prompt  ");
    const char *hint = W >= 70 ? " e: edit prompt (or just type) " : W >= 50 ? " e: edit prompt " : " e: edit ";
    int hint_w = (int)strlen(hint);
    int avail = W - x - (a->editing ? 1 : hint_w + 1);
    /* show a window of the text that holds the cursor */
    size_t start = 0;
    if (draw_width(a->prompt) > avail) {
        start = a->pcur;
        char tmp[UI_PROMPT_MAX];
        for (;;) {
            size_t s2 = start;
            if (s2 == 0) break;
            do s2--; while (s2 > 0 && (a->prompt[s2] & 0xC0) == 0x80);
            memcpy(tmp, a->prompt + s2, a->pcur - s2);
            tmp[a->pcur - s2] = 0;
            if (draw_width(tmp) >= avail - 4) break;
            start = s2;
        }
    }
    draw_text(a, 1, x, avail, C_NORMAL, a->prompt + start);
    if (!a->editing) draw_text(a, 1, W - hint_w, hint_w, C_TABSEL, hint);
    if (a->editing) {
        char tmp[UI_PROMPT_MAX];
        memcpy(tmp, a->prompt + start, a->pcur - start);
        tmp[a->pcur - start] = 0;
        a->hits[UI_MAX_HITS - 1] = (ui_hit){1, x + draw_width(tmp), 0, 0, 0, 0};   /* cursor spot */
    }
}

static void draw_status(ui_app *a) {
    int W = a->cols, y = a->rows - 1;
    attr_t at = draw_attr(a, C_STATUS);
    attron(at);
    mvhline(y, 0, ' ', W);
    attroff(at);
    if (a->cmd_active) {
        const char *lab = a->cmd_purpose == 1 ? "save as: " : ":";
        int x = draw_text(a, y, 0, W, C_STATUS, lab);
        draw_text(a, y, x, W - x - 1, C_STATUS, a->cmdbuf);
        char tmp[512];
        memcpy(tmp, a->cmdbuf, a->cmdcur);
        tmp[a->cmdcur] = 0;
        a->hits[UI_MAX_HITS - 1] = (ui_hit){y, x + draw_width(tmp), 0, 0, 0, 0};
        return;
    }
    cli_ctx *c = a->ctx;
    const char *mp = strrchr(c->model_path, '/');
    mp = mp ? mp + 1 : c->model_path;
    char st[512], tk[16], tp[16];
    if (c->sampling.top_k > 0) snprintf(tk, sizeof tk, "%d", c->sampling.top_k); else snprintf(tk, sizeof tk, "off");
    if (c->sampling.top_p < 1) snprintf(tp, sizeof tp, "%.2f", c->sampling.top_p); else snprintf(tp, sizeof tp, "off");
    const char *tn = ses_model_ok(a) ? lm_tok_name(c->tok) : "-", *dec = c->sampling.greedy ? "greedy" : "sampled";
    int msg_w = a->msg[0] ? draw_width(a->msg) + 1 : 0;
    /* the longest form that leaves room for the message; the message wins over the settings */
    for (int form = 0; form < 4; form++) {
        if (form == 0)
            snprintf(st, sizeof st, " %.60s | %.30s | T=%.2f k=%s p=%s %s | seed %llu | chat %s%s ", mp, tn,
                     c->sampling.temperature, tk, tp, dec, (unsigned long long)c->seed, a->chat ? "on" : "off",
                     a->w ? " | training copy (w saves)" : "");
        else if (form == 1)
            snprintf(st, sizeof st, " %.24s|T=%.2f k=%s p=%s %s|seed %llu%s%s ", mp, c->sampling.temperature, tk,
                     tp, dec, (unsigned long long)c->seed, a->chat ? "|chat" : "", a->w ? "|copy" : "");
        else if (form == 2)
            snprintf(st, sizeof st, " T=%.2f k=%s p=%s%s ", c->sampling.temperature, tk, tp, a->w ? " train" : "");
        else
            st[0] = 0;
        if (draw_width(st) + msg_w <= W) break;
    }
    int x = st[0] ? draw_text(a, y, 0, W, C_STATUS, st) : 0;
    if (a->msg[0] && x < W - 4) draw_text(a, y, x ? x + 1 : 1, W - x - 1, a->msg_err ? C_ERR : C_STATUS, a->msg);
}

/* the output pane: the last lines of the command log */
static void draw_pane(ui_app *a, int y, int h) {
    int W = a->cols;
    draw_hline(a, y, 0, W, C_DIM);
    draw_text(a, y, 2, W - 4, C_KEY, " command output (PgUp/PgDn scroll, o hides) ");
    for (int r = 1; r < h; r++) {
        attr_t at = draw_attr(a, C_NORMAL);
        attron(at);
        mvhline(y + r, 0, ' ', W);
        attroff(at);
    }
    if (!a->log) return;
    /* find line starts from the end */
    int lines_wanted = h - 1 + a->pane_scroll;
    const char *end = a->log + a->log_len;
    if (end > a->log && end[-1] == '\n') end--;
    const char *starts[512];
    int n = 0;
    const char *p = end;
    while (n < lines_wanted && n < 512) {
        const char *s = p;
        while (s > a->log && s[-1] != '\n') s--;
        starts[n++] = s;
        if (s == a->log) break;
        p = s - 1;
    }
    if (a->pane_scroll > n - 1) a->pane_scroll = n > 0 ? n - 1 : 0;
    char line[1024];
    int first = n - 1, last = a->pane_scroll;   /* starts[] is newest first */
    int r = 1;
    for (int i = first; i >= last && r < h; i--) {
        if (n - 1 - i < n - (h - 1) - a->pane_scroll) continue;
        const char *s = starts[i], *e = s;
        while (e < a->log + a->log_len && *e != '\n') e++;
        size_t len = (size_t)(e - s) < sizeof line - 1 ? (size_t)(e - s) : sizeof line - 1;
        memcpy(line, s, len);
        line[len] = 0;
        draw_text(a, y + r++, 1, W - 2, line[0] == '>' && line[1] == ' ' ? C_KEY : C_NORMAL, line);
    }
}

/* the help lines word-wrapped to w columns; a continuation is indented under
 * the description (column 21) */
static int help_wrap(int w, char rows[][128], int max) {
    int n = 0;
    for (int i = 0; i < N_HELP && n < max; i++) {
        const char *l = help_lines[i];
        int len = (int)strlen(l), indent = 0, first = 1;
        while (len > 0 && n < max) {
            int room = w - indent;
            if (room < 8) room = 8;
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
            if (first) { indent = len && help_lines[i][0] == ' ' ? (w >= 60 ? 21 : 6) : 2; first = 0; }
        }
    }
    return n;
}

static void draw_help(ui_app *a) {
    int W = a->cols, H = a->rows;
    int bw = W <= 94 ? W : 92, bh = H - 2;   /* full width when narrow: no stray column beside the title */
    int bx = (W - bw) / 2, by = 1;
    static char rows[200][128];
    int nrows = help_wrap(bw - 2, rows, 200);
    if (a->help_scroll > nrows - (bh - 2)) a->help_scroll = nrows - (bh - 2) > 0 ? nrows - (bh - 2) : 0;
    attr_t at = draw_attr(a, C_STATUS);
    attron(at);
    for (int r = 0; r < bh; r++) mvhline(by + r, bx, ' ', bw);
    attroff(at);
    draw_text_fit(a, by, bx + 1, bw - 2, C_STATUS, "keys  (? or Esc closes; Up/Down scroll)", "keys (Esc closes)");
    for (int r = 0; r < bh - 2 && a->help_scroll + r < nrows; r++)
        draw_text(a, by + 1 + r, bx + 1, bw - 2, C_STATUS, rows[a->help_scroll + r]);
    if (a->help_scroll + bh - 2 < nrows) draw_text(a, by + bh - 1, bx + 1, bw - 2, C_STATUS, "... more below (Down)");
}

void app_draw(ui_app *a) {
    a->n_hits = 0;
    a->hits[UI_MAX_HITS - 1].w = -1;
    getmaxyx(stdscr, a->rows, a->cols);
    erase();
    if (a->rows < UI_MIN_ROWS || a->cols < UI_MIN_COLS) {
        char m[96];
        snprintf(m, sizeof m, "terminal too small: %dx%d; llmlab needs at least %dx%d", a->cols, a->rows,
                 UI_MIN_COLS, UI_MIN_ROWS);
        /* word-wrapped (a word longer than the width is cut), centred */
        char lines[8][96];
        int nl = 0, len = (int)strlen(m), W = a->cols > 0 ? a->cols : 1;
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
        int y0 = (a->rows - nl) / 2;
        if (y0 < 0) y0 = 0;
        for (int r = 0; r < nl && y0 + r < a->rows; r++) {
            int lw = (int)strlen(lines[r]);
            mvaddnstr(y0 + r, lw < W ? (W - lw) / 2 : 0, lines[r], W);
        }
        curs_set(0);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    draw_tabs(a);
    draw_prompt(a);
    int top = 2, bottom = a->rows - 1;   /* the view gets rows [top, bottom) */
    int pane_h = 0;
    if (a->pane_open) {
        pane_h = (bottom - top) / 3;
        if (pane_h < 3) pane_h = 3;
        if (pane_h > bottom - top - 3) pane_h = bottom - top - 3;
        if (pane_h < 2) pane_h = 0;
    }
    int vh = bottom - top - pane_h;
    switch (a->view) {
    case V_NEXT: view_next_draw(a, top, vh); break;
    case V_ATTN: view_attention_draw(a, top, vh); break;
    case V_TOKENS: view_tokens_draw(a, top, vh); break;
    case V_COMPARE: view_compare_draw(a, top, vh); break;
    default: view_train_draw(a, top, vh); break;
    }
    if (pane_h) draw_pane(a, top + vh, pane_h);
    draw_status(a);
    if (a->help_open) draw_help(a);
    ui_hit *cur = &a->hits[UI_MAX_HITS - 1];
    if ((a->editing || a->cmd_active) && cur->w == 0 && !a->help_open) {
        curs_set(1);
        move(cur->y, cur->x < a->cols ? cur->x : a->cols - 1);
    } else {
        curs_set(0);
    }
    wnoutrefresh(stdscr);
    doupdate();
}

/* ------------------------------------------------------------ commands */

static void model_changed(ui_app *a) {
    view_train_free(a);
    view_tokens_free(a);
    a->layer = a->head = 0;
    a->query = -1;
    ses_reseed(a);
    ses_reencode(a);
}

static void run_command(ui_app *a, const char *line) {
    cli_ctx *c = a->ctx;
    char first[32] = {0};
    sscanf(line, " %31s", first);
    app_log(a, "> ", 2);
    app_log(a, line, strlen(line));
    app_log(a, "\n", 1);
    a->pane_open = 1;
    a->pane_scroll = 0;
    if (!first[0]) return;
    if (strcmp(first, "repl") == 0 || strcmp(first, "ui") == 0 || strcmp(first, "q") == 0 ||
        strcmp(first, "quit") == 0) {
        const char *m = strcmp(first, "q") == 0 || strcmp(first, "quit") == 0
                            ? "(q quits the UI; the command line runs commands)\n"
                            : "(not from inside the UI)\n";
        app_log(a, m, strlen(m));
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
    if (buf && len) app_log(a, buf, len);
    if (len && buf[len - 1] != '\n') app_log(a, "\n", 1);
    if (rc) {
        char st[48];
        int n = snprintf(st, sizeof st, "(exit status %d)\n", rc);
        app_log(a, st, (size_t)n);
    }
    free(buf);
    if (c->model.params != old_params || c->model_loaded != old_loaded || strcmp(c->model_path, old_path) != 0)
        model_changed(a);
    if (c->seed != old_seed) ses_reseed(a);
    a->dirty = a->cmp_dirty = 1;
}

/* ------------------------------------------------------------ line editing */

/* edits buf (UTF-8, *len bytes, cursor *cur) by one key; returns 1 if the text changed,
 * 0 if only the cursor moved or nothing happened */
static int edit_line(char *buf, size_t cap, size_t *len, size_t *cur, int ch, int is_key) {
    if (!is_key && (ch >= 32 && ch != 127)) {
        char mb[8];
        mbstate_t st;
        memset(&st, 0, sizeof st);
        size_t k = wcrtomb(mb, (wchar_t)ch, &st);
        if (k == (size_t)-1 || *len + k >= cap) return 0;
        memmove(buf + *cur + k, buf + *cur, *len - *cur + 1);
        memcpy(buf + *cur, mb, k);
        *len += k;
        *cur += k;
        return 1;
    }
    switch (ch) {
    case KEY_LEFT:
        if (*cur > 0) do (*cur)--; while (*cur > 0 && (buf[*cur] & 0xC0) == 0x80);
        return 0;
    case KEY_RIGHT:
        if (*cur < *len) do (*cur)++; while (*cur < *len && (buf[*cur] & 0xC0) == 0x80);
        return 0;
    case KEY_HOME: case 1: *cur = 0; return 0;
    case KEY_END: case 5: *cur = *len; return 0;
    case KEY_BACKSPACE: case 127: case 8: {
        if (*cur == 0) return 0;
        size_t s = *cur;
        do s--; while (s > 0 && (buf[s] & 0xC0) == 0x80);
        memmove(buf + s, buf + *cur, *len - *cur + 1);
        *len -= *cur - s;
        *cur = s;
        return 1;
    }
    case KEY_DC: {
        if (*cur >= *len) return 0;
        size_t e = *cur + 1;
        while (e < *len && (buf[e] & 0xC0) == 0x80) e++;
        memmove(buf + *cur, buf + e, *len - e + 1);
        *len -= e - *cur;
        return 1;
    }
    case 21:   /* Ctrl-U */
        memmove(buf, buf + *cur, *len - *cur + 1);
        *len -= *cur;
        *cur = 0;
        return 1;
    case 11:   /* Ctrl-K */
        buf[*cur] = 0;
        *len = *cur;
        return 1;
    case 23: {   /* Ctrl-W */
        size_t s = *cur;
        while (s > 0 && buf[s - 1] == ' ') s--;
        while (s > 0 && buf[s - 1] != ' ') s--;
        memmove(buf + s, buf + *cur, *len - *cur + 1);
        *len -= *cur - s;
        *cur = s;
        return 1;
    }
    default: return 0;
    }
}

static void hist_add(ui_app *a) {
    if (!a->plen) return;
    if (a->nhist && strcmp(a->hist[a->nhist - 1], a->prompt) == 0) return;
    if (a->nhist == UI_HIST) {
        free(a->hist[0]);
        memmove(a->hist, a->hist + 1, sizeof(char *) * (UI_HIST - 1));
        a->nhist--;
    }
    a->hist[a->nhist] = strdup(a->prompt);
    if (a->hist[a->nhist]) a->nhist++;
}

static void prompt_key(ui_app *a, int ch, int is_key) {
    if (a->placeholder) {   /* the first printable key replaces the example prompt */
        a->placeholder = 0;
        if (!is_key && ch >= 32 && ch != 127) {
            hist_add(a);
            ses_set_prompt(a, "");
            a->pcur = a->plen = 0;
        }
    }
    if ((!is_key && (ch == '\r' || ch == '\n' || ch == 27)) || (is_key && ch == KEY_ENTER)) {
        a->editing = 0;
        hist_add(a);
        a->hist_pos = a->nhist;
        return;
    }
    if (is_key && (ch == KEY_UP || ch == KEY_DOWN)) {
        if (!a->nhist) return;
        if (ch == KEY_UP && a->hist_pos > 0) a->hist_pos--;
        else if (ch == KEY_DOWN && a->hist_pos < a->nhist) a->hist_pos++;
        ses_set_prompt(a, a->hist_pos < a->nhist ? a->hist[a->hist_pos] : "");
        return;
    }
    if (edit_line(a->prompt, sizeof a->prompt, &a->plen, &a->pcur, ch, is_key)) ses_reencode(a);
}

static void cmd_key(ui_app *a, int ch, int is_key) {
    if (!is_key && ch == 27) { a->cmd_active = 0; return; }
    if ((!is_key && (ch == '\r' || ch == '\n')) || (is_key && ch == KEY_ENTER)) {
        a->cmd_active = 0;
        char line[512];
        snprintf(line, sizeof line, "%s", a->cmdbuf);
        a->cmdbuf[0] = 0;
        a->cmdlen = a->cmdcur = 0;
        if (a->cmd_purpose == 1) {
            char *p = line;
            while (*p == ' ') p++;
            if (*p) view_train_save(a, p);
        } else {
            run_command(a, line);
        }
        return;
    }
    edit_line(a->cmdbuf, sizeof a->cmdbuf, &a->cmdlen, &a->cmdcur, ch, is_key);
}

static void mouse_key(ui_app *a) {
    MEVENT ev;
    if (getmouse(&ev) != OK) return;
    if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))) return;
    for (int i = a->n_hits - 1; i >= 0; i--) {
        const ui_hit *h = &a->hits[i];
        if (ev.y != h->y || ev.x < h->x || ev.x >= h->x + h->w) continue;
        switch (h->kind) {
        case HIT_TAB: a->view = h->a; break;
        case HIT_HEAD:
            if (ses_model_ok(a) && h->a < a->ctx->model.cfg.n_layer && h->b < a->ctx->model.cfg.n_head) {
                a->layer = h->a;
                a->head = h->b;
            }
            break;
        case HIT_QUERY: a->query = h->a; break;
        case HIT_TOKEN: {
            if (!ses_model_ok(a) || (size_t)h->a >= a->seq.n) break;   /* the strip changed since */
            int q = h->a - (int)a->fwd_off;
            char piece[128];
            draw_piece(a, a->ctx->tok, a->seq.ids[h->a], piece, sizeof piece);
            ses_msg(a, 0, "token %d: '%s' id %d%s", h->a, piece, a->seq.ids[h->a],
                    q >= 0 ? " (the attention view's query now)" : "");
            if (q >= 0) a->query = q;
            break;
        }
        default: break;
        }
        return;
    }
}

void app_start_editing(ui_app *a, int placeholder) {
    a->editing = 1;
    a->placeholder = placeholder;
    a->pcur = a->plen;
    a->hist_pos = a->nhist;
    ses_msg(a, 0, placeholder ? "type a prompt starting with a capital letter (it replaces the example), or use the keys: space next token, ? help"
                              : "editing the prompt: Enter or Esc ends, Ctrl-U clears, Up/Down history");
}

static void start_editing(ui_app *a) { app_start_editing(a, 0); }

/* which keys leave the start-up editor to act as keys (see app_key) */
static int placeholder_passes(int ch, int is_key) {
    if (is_key) return ch == KEY_BTAB || (ch >= KEY_F(1) && ch <= KEY_F(12));
    return ch == ' ' || ch == '\t' || ch == '?' || ch == ':' || (ch >= 'a' && ch <= 'z') ||
           (ch >= '0' && ch <= '9');
}

int app_key(ui_app *a, int ch, int is_key) {
    if (is_key && ch == KEY_RESIZE) { clearok(stdscr, TRUE); return 1; }
    if (is_key && ch == KEY_MOUSE) { mouse_key(a); return 1; }
    if (a->help_open) {
        if (is_key && (ch == KEY_DOWN || ch == KEY_NPAGE)) a->help_scroll += ch == KEY_NPAGE ? 10 : 1;
        else if (is_key && (ch == KEY_UP || ch == KEY_PPAGE))
            a->help_scroll = a->help_scroll > (ch == KEY_PPAGE ? 10 : 1) ? a->help_scroll - (ch == KEY_PPAGE ? 10 : 1) : 0;
        else a->help_open = 0;
        return 1;
    }
    if (a->cmd_active) { cmd_key(a, ch, is_key); return 1; }
    if (a->editing && a->placeholder && placeholder_passes(ch, is_key)) {
        /* the start-up editor: keys (space, lower-case letters, digits, ?, :,
         * Tab, F-keys) act as keys, as the help says; a capital letter or any
         * other character starts a prompt of its own */
        a->editing = 0;
        a->placeholder = 0;
    }
    if (a->editing) { prompt_key(a, ch, is_key); return 1; }
    a->msg[0] = '\0';
    if (!is_key) {
        switch (ch) {
        case 'q': a->quit = 1; return 1;
        case 3: a->quit = 1; return 1;   /* Ctrl-C when it arrives as a key */
        case '?': a->help_open = 1; a->help_scroll = 0; return 1;
        case ':': a->cmd_active = 1; a->cmd_purpose = 0; a->cmdbuf[0] = 0; a->cmdlen = a->cmdcur = 0; return 1;
        case '1': case '2': case '3': case '4': case '5': a->view = ch - '1'; return 1;
        case '\t': a->view = (a->view + 1) % V_COUNT; return 1;
        case 'e': case 'i': start_editing(a); return 1;
        case 'c':
            a->chat = !a->chat;
            ses_reencode(a);
            if (!a->msg_err) ses_msg(a, 0, "chat template %s", a->chat ? "on" : "off");
            return 1;
        case 'H':
            a->hc = !a->hc;
            draw_init_colors(a);
            clearok(stdscr, TRUE);
            ses_msg(a, 0, "high-contrast colours %s", a->hc ? "on" : "off");
            return 1;
        case 'o': a->pane_open = !a->pane_open; a->pane_scroll = 0; return 1;
        case 12: clearok(stdscr, TRUE); return 1;   /* Ctrl-L */
        default: break;
        }
    } else if (ch == KEY_BTAB) {
        a->view = (a->view + V_COUNT - 1) % V_COUNT;
        return 1;
    } else if (a->pane_open && (ch == KEY_PPAGE || ch == KEY_NPAGE) && a->view != V_TOKENS) {
        a->pane_scroll += ch == KEY_PPAGE ? 5 : -5;
        if (a->pane_scroll < 0) a->pane_scroll = 0;
        return 1;
    } else if (ch >= KEY_F(1) && ch <= KEY_F(5)) {
        a->view = ch - KEY_F(1);
        return 1;
    }
    if (!is_key && ch == 27) { a->pane_open = 0; return 1; }
    int handled = 0;
    if (!is_key && ch >= 0x100) goto unbound;   /* views bind ASCII keys only; never confuse with KEY_ codes */
    switch (a->view) {
    case V_NEXT: handled = view_next_key(a, ch); break;
    case V_ATTN: handled = view_attention_key(a, ch); break;
    case V_TOKENS: handled = view_tokens_key(a, ch); break;
    case V_COMPARE: handled = view_compare_key(a, ch); break;
    default: handled = view_train_key(a, ch); break;
    }
    if (!handled && !is_key && ch == ' ') handled = 1;
unbound:
    /* a newcomer who just starts typing: a printable key that no view binds
     * starts a new prompt with that character (the old one stays in the
     * history, Up brings it back); Enter edits the current prompt */
    if (!handled && !is_key && (ch == '\r' || ch == '\n' || (ch > 32 && ch != 127 && (ch < 0x80 || ch >= 0xa0)))) {
        if (ch != '\r' && ch != '\n') {
            hist_add(a);
            ses_set_prompt(a, "");
        }
        start_editing(a);
        if (ch != '\r' && ch != '\n' && edit_line(a->prompt, sizeof a->prompt, &a->plen, &a->pcur, ch, 0))
            ses_reencode(a);
        handled = 1;
    }
    if (!handled && is_key && ch == KEY_ENTER) { start_editing(a); handled = 1; }
    return handled;
}
