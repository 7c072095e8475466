/* editor.c - the prompt line and its editor: UTF-8 line editing (also used by
 * the ':' line), the prompt history (Up/Down), the start-up example that the
 * first letter typed replaces, and "just type": a printable key no binding
 * takes starts a new prompt with it. The prompt text is the session's. */
#include "ui/app.h"

#include "ui/curses_inc.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

int edit_line(char *buf, size_t cap, size_t *len, size_t *cur, int ch, int is_key) {
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
    if (!a->ses.plen) return;
    if (a->ed.nhist && strcmp(a->ed.hist[a->ed.nhist - 1], a->ses.prompt) == 0) return;
    if (a->ed.nhist == UI_HIST) {
        free(a->ed.hist[0]);
        memmove(a->ed.hist, a->ed.hist + 1, sizeof(char *) * (UI_HIST - 1));
        a->ed.nhist--;
    }
    a->ed.hist[a->ed.nhist] = strdup(a->ses.prompt);
    if (a->ed.hist[a->ed.nhist]) a->ed.nhist++;
}

/* a new prompt text with the cursor at its end */
static void set_prompt(ui_app *a, const char *text) {
    ses_set_prompt(&a->ses, text);
    a->ed.pcur = a->ses.plen;
}

void editor_key(ui_app *a, int ch, int is_key) {
    if (a->ed.placeholder) {   /* the first printable key replaces the example prompt */
        a->ed.placeholder = 0;
        if (!is_key && ch >= 32 && ch != 127) {
            hist_add(a);
            set_prompt(a, "");
        }
    }
    if ((!is_key && (ch == '\r' || ch == '\n' || ch == 27)) || (is_key && ch == KEY_ENTER)) {
        a->ed.editing = 0;
        hist_add(a);
        a->ed.hist_pos = a->ed.nhist;
        return;
    }
    if (is_key && (ch == KEY_UP || ch == KEY_DOWN)) {
        if (!a->ed.nhist) return;
        if (ch == KEY_UP && a->ed.hist_pos > 0) a->ed.hist_pos--;
        else if (ch == KEY_DOWN && a->ed.hist_pos < a->ed.nhist) a->ed.hist_pos++;
        set_prompt(a, a->ed.hist_pos < a->ed.nhist ? a->ed.hist[a->ed.hist_pos] : "");
        return;
    }
    if (edit_line(a->ses.prompt, sizeof a->ses.prompt, &a->ses.plen, &a->ed.pcur, ch, is_key)) ses_reencode(&a->ses);
}

void app_start_editing(ui_app *a, int placeholder) {
    a->ed.editing = 1;
    a->ed.placeholder = placeholder;
    a->ed.pcur = a->ses.plen;
    a->ed.hist_pos = a->ed.nhist;
    ses_msg(&a->ses, 0, placeholder ? "type a prompt starting with a capital letter (it replaces the example), or use the keys: space next token, ? help"
                              : "editing the prompt: Enter or Esc ends, Ctrl-U clears, Up/Down history");
}

/* which keys leave the start-up editor to act as keys (see app_key) */
int editor_placeholder_passes(int ch, int is_key) {
    if (is_key) return ch == KEY_BTAB || (ch >= KEY_F(1) && ch <= KEY_F(12));
    return ch == ' ' || ch == '\t' || ch == '?' || ch == ':' || (ch >= 'a' && ch <= 'z') ||
           (ch >= '0' && ch <= '9');
}

/* a newcomer who just starts typing: a printable key that no binding takes
 * starts a new prompt with that character (the old one stays in the history,
 * Up brings it back); Enter edits the current prompt */
int editor_start_typing(ui_app *a, int ch, int is_key) {
    if (is_key) {
        if (ch != KEY_ENTER) return 0;
        app_start_editing(a, 0);
        return 1;
    }
    if (!(ch == '\r' || ch == '\n' || (ch > 32 && ch != 127 && (ch < 0x80 || ch >= 0xa0)))) return 0;
    if (ch != '\r' && ch != '\n') {
        hist_add(a);
        set_prompt(a, "");
    }
    app_start_editing(a, 0);
    if (ch != '\r' && ch != '\n' && edit_line(a->ses.prompt, sizeof a->ses.prompt, &a->ses.plen, &a->ed.pcur, ch, 0))
        ses_reencode(&a->ses);
    return 1;
}

void editor_draw(ui_app *a) {
    ui_canvas *cv = &a->cv;
    int W = cv->cols;
    int x = draw_text(cv, 1, 0, W, a->ed.editing ? C_KEY : C_DIM, a->ed.editing ? "prompt> " : "prompt  ");
    const char *hint = W >= 70 ? " e: edit prompt (or just type) " : W >= 50 ? " e: edit prompt " : " e: edit ";
    /* what the context window leaves out, in every view, in place of the hint */
    char note[160], boxed[170];
    int hint_c = C_TABSEL;
    if (ses_context_note(&a->ses, 1, note, sizeof note) && (int)strlen(note) + 2 <= W * 2 / 3) {
        snprintf(boxed, sizeof boxed, " %s ", note);
        hint = boxed;
        hint_c = C_ERR;
    }
    int hint_w = draw_width(hint);
    int avail = W - x - (a->ed.editing ? 1 : hint_w + 1);
    /* show a window of the text that holds the cursor */
    size_t start = 0;
    if (draw_width(a->ses.prompt) > avail) {
        start = a->ed.pcur;
        char tmp[UI_PROMPT_MAX];
        for (;;) {
            size_t s2 = start;
            if (s2 == 0) break;
            do s2--; while (s2 > 0 && (a->ses.prompt[s2] & 0xC0) == 0x80);
            memcpy(tmp, a->ses.prompt + s2, a->ed.pcur - s2);
            tmp[a->ed.pcur - s2] = 0;
            if (draw_width(tmp) >= avail - 4) break;
            start = s2;
        }
    }
    draw_text(cv, 1, x, avail, C_NORMAL, a->ses.prompt + start);
    if (!a->ed.editing) draw_text(cv, 1, W - hint_w, hint_w, hint_c, hint);
    if (a->ed.editing) {
        char tmp[UI_PROMPT_MAX];
        memcpy(tmp, a->ses.prompt + start, a->ed.pcur - start);
        tmp[a->ed.pcur - start] = 0;
        draw_cursor(cv, 1, x + draw_width(tmp));
    }
}

void editor_free(ui_app *a) {
    for (int i = 0; i < a->ed.nhist; i++) free(a->ed.hist[i]);
    a->ed.nhist = 0;
}
