/* view_tokens.c - the prompt text under several tokenisers side by side
 * (char, the model's own, gpt2, cl100k_base, o200k_base; those whose data
 * files are missing are listed as such), the BPE stepper (forward and back
 * through lm_tok_encode_trace, the merged token highlighted) and the letters
 * overlay (lm_letters_analyze: which letters fall in which token). Loading,
 * encoding and the analyses happen in the update step (tok_poll). */
#include "ui/app.h"

#include "ui/curses_inc.h"

#include <stdlib.h>
#include <string.h>

#include "tok/letters.h"

#define N_SLOTS 5
static const char *slot_specs[N_SLOTS] = {"char", "bpe", "gpt2", "cl100k_base", "o200k_base"};

typedef struct {
    const char *spec;        /* "char", "bpe", "gpt2", "cl100k_base", "o200k_base" */
    lm_tokenizer *tok;       /* NULL until loaded or when missing */
    int tried;
    char note[96];           /* why it is missing */
    lm_ids ids;              /* the prompt under this tokeniser */
} tok_slot;

typedef struct {
    tok_slot slots[N_SLOTS];
    int n_tried;
    int sel;                 /* which tokeniser the BPE stepper uses, -1 = not chosen yet */
    lm_bpe_trace trace;
    int trace_ok, dirty;     /* dirty: encode again (prompt, stepper or letter changed) */
    long step;               /* 0 = bytes before any merge */
    int letters;             /* letters overlay on */
    char letter[8];
    int want_letter;         /* the next key sets the letter */
    lm_letters L;            /* the overlay's analysis */
    int letters_ok;
    char letters_err[160];
    unsigned prompt_ver, model_ver;
} tok_state;

static void *tok_create(ui_app *a) {
    (void)a;
    tok_state *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->sel = -1;
    snprintf(t->letter, sizeof t->letter, "r");
    return t;
}

static void free_results(tok_state *t) {
    if (t->trace_ok) lm_bpe_trace_free(&t->trace);
    t->trace_ok = 0;
    if (t->letters_ok) lm_letters_free(&t->L);
    t->letters_ok = 0;
}

static void tok_free(void *st, ui_app *a) {
    (void)a;
    tok_state *t = st;
    if (!t) return;
    for (int i = 0; i < N_SLOTS; i++) {
        if (t->slots[i].tok) lm_tok_free(t->slots[i].tok);
        lm_ids_free(&t->slots[i].ids);
    }
    free_results(t);
    free(t);
}

static lm_tokenizer *stepper_tok(const tok_state *t) {
    return t->sel >= 0 && t->sel < N_SLOTS ? t->slots[t->sel].tok : NULL;
}

/* ------------------------------------------------------------ update */

/* loads at most one tokeniser per frame so the screen shows progress */
static int load_next_slot(tok_state *t, ui_app *a) {
    for (int i = 0; i < N_SLOTS; i++) {
        tok_slot *s = &t->slots[i];
        if (s->tried) continue;
        s->tried = 1;
        t->n_tried++;
        s->spec = slot_specs[i];
        if (i == 1 && (!ses_model_ok(&a->ses) || lm_tok_kind_of(a->ctx->tok) == LM_TOK_BYTE)) {
            snprintf(s->note, sizeof s->note, "the model's own tokeniser is char");
            return 1;
        }
        lm_err err = {{0}};
        s->tok = cli_open_tokenizer(a->ctx, s->spec, &err);
        if (!s->tok) snprintf(s->note, sizeof s->note, "not available: %.80s", err.msg);
        return 1;
    }
    return 0;
}

static void pick_default_stepper(tok_state *t) {
    static const int pref[] = {1, 2, 3, 4, 0};
    for (int k = 0; k < N_SLOTS; k++)
        if (t->slots[pref[k]].tok) { t->sel = pref[k]; return; }
}

/* the letters overlay: the stepper's tokeniser, letters hidden inside BPE tokens */
static void analyze_letters(tok_state *t, const ui_session *s) {
    lm_tokenizer *lt = stepper_tok(t);
    lm_ids own = {0};
    lm_err err = {{0}};
    t->letters_err[0] = 0;
    if (lt && lm_tok_encode(lt, (const uint8_t *)s->prompt, s->plen, 0, &own, NULL) == 0) {
        if (lm_letters_analyze(lt, own.ids, own.n, t->letter, 1, &t->L, &err) == 0) t->letters_ok = 1;
        else snprintf(t->letters_err, sizeof t->letters_err, "%s", err.msg);
    }
    lm_ids_free(&own);
}

static void encode_all(tok_state *t, ui_session *s) {
    t->dirty = 0;
    free_results(t);
    for (int i = 0; i < N_SLOTS; i++) {
        lm_ids_free(&t->slots[i].ids);
        if (t->slots[i].tok) lm_tok_encode(t->slots[i].tok, (const uint8_t *)s->prompt, s->plen, 0, &t->slots[i].ids, NULL);
    }
    lm_tokenizer *st = stepper_tok(t);
    if (!st) return;
    lm_err err = {{0}};
    if (lm_tok_encode_trace(st, (const uint8_t *)s->prompt, s->plen, &t->trace, &err) == 0) t->trace_ok = 1;
    else ses_msg(s, 1, "trace: %s", err.msg);
    if (t->step > (long)(t->trace_ok ? t->trace.n_steps : 0)) t->step = t->trace_ok ? (long)t->trace.n_steps : 0;
    analyze_letters(t, s);
}

static int tok_poll(void *st, ui_app *a, int active) {
    tok_state *t = st;
    if (t->model_ver != a->ses.model_ver) {   /* another model: its own tokeniser is another one */
        for (int i = 0; i < N_SLOTS; i++) {
            if (t->slots[i].tok) lm_tok_free(t->slots[i].tok);
            lm_ids_free(&t->slots[i].ids);
            memset(&t->slots[i], 0, sizeof t->slots[i]);
        }
        free_results(t);
        t->n_tried = 0;
        t->model_ver = a->ses.model_ver;
    }
    if (t->prompt_ver != a->ses.prompt_ver) { t->prompt_ver = a->ses.prompt_ver; t->dirty = 1; }
    if (!active) return 0;
    if (load_next_slot(t, a)) {
        t->dirty = 1;
        if (t->n_tried < N_SLOTS) return UI_POLL_AGAIN;
    }
    if (t->sel < 0 || !t->slots[t->sel].tok) {
        int was = t->sel;
        pick_default_stepper(t);
        if (t->sel != was) t->dirty = 1;
    }
    if (!t->dirty) return 0;
    encode_all(t, &a->ses);
    return UI_POLL_AGAIN;
}

/* ------------------------------------------------------------ drawing */

static void draw_letters(const tok_state *t, ui_canvas *cv, int y, int h) {
    int W = cv->cols;
    if (!t->letters_ok) {
        draw_text(cv, y, 1, W - 2, C_ERR, t->letters_err);
        return;
    }
    const lm_letters *L = &t->L;
    int x = 1, r = y;
    x += draw_textf(cv, r, x, W - 2, C_TITLE, " letters overlay: '%s' ", t->letter);
    draw_textf(cv, r, x, W - x, C_NORMAL,
               "  occurs %d times, in %d of %zu tokens%s. The model sees token ids, not letters.", L->total,
               L->n_tokens_with, L->n_tokens, L->n_split ? " (some cut by a boundary)" : "");
    r++;
    x = 1;
    for (size_t i = 0; i < L->n_tokens && r + 1 < y + h; i++) {
        const lm_letters_token *tk = &L->tokens[i];
        int w = 0;
        char buf[64];
        for (size_t j = 0; j < tk->n_chars; j++) {
            const lm_letters_char *c = &L->chars[tk->first_char + j];
            w += draw_bytes(cv, L->text + c->off, c->len, buf, sizeof buf);
        }
        if (w < 1) w = 1;
        if (x + w + 1 > W - 1) { x = 1; r += 2; if (r + 1 >= y + h) break; }
        int cx = x;
        for (size_t j = 0; j < tk->n_chars; j++) {
            const lm_letters_char *c = &L->chars[tk->first_char + j];
            int cw = draw_bytes(cv, L->text + c->off, c->len, buf, sizeof buf);
            draw_text(cv, r, cx, cw, c->match ? C_HILITE : C_TOK0 + (int)(i % 8), buf);
            cx += cw;
        }
        if (tk->count) draw_textf(cv, r + 1, x, w, C_KEY, "%d", tk->count);
        x += w + 1;
    }
}

/* the first line: sizes and the keys */
static void draw_header(const tok_state *t, const ui_app *a, ui_canvas *cv, int r) {
    int W = cv->cols, x = 1, wide = W >= 100;
    lm_tokenizer *st = stepper_tok(t);
    if (W >= 80) x += draw_textf(cv, r, x, W - 2, C_DIM, wide ? "%zu bytes of text.  " : "%zu bytes  ", a->ses.plen);
    x += draw_text(cv, r, x, W - x, C_KEY, "t");
    x += draw_textf(cv, r, x, W - x, C_DIM, wide ? " stepper tokeniser: %s  " : " stepper %s  ", st ? lm_tok_name(st) : "-");
    x += draw_text(cv, r, x, W - x, C_KEY, wide ? "Left/Right" : "<- ->");
    x += draw_text(cv, r, x, W - x, C_DIM, wide ? " merge step  " : " merge  ");
    x += draw_text(cv, r, x, W - x, C_KEY, "l");
    x += draw_textf(cv, r, x, W - x, C_DIM, " letters %s  ", t->letters ? "on" : "off");
    x += draw_text(cv, r, x, W - x, C_KEY, "L");
    draw_textf(cv, r, x, W - x, C_DIM, " letter '%s'", t->letter);
}

/* the tokenisers side by side; returns the next free row */
static int draw_slots(const tok_state *t, ui_canvas *cv, int r, int end, int per) {
    int W = cv->cols;
    for (int i = 0; i < N_SLOTS && r < end - 4; i++) {
        const tok_slot *s = &t->slots[i];
        draw_textf(cv, r, 1, 13, i == t->sel ? C_PICK : C_KEY, "%-12s", i == 1 && s->tok ? "bpe (model)" : s->spec);
        if (!s->tok) { draw_text(cv, r, 15, W - 16, C_DIM, s->note); r++; continue; }
        draw_textf(cv, r, 14, 7, C_NORMAL, "%5zu", s->ids.n);
        int used = draw_strip(cv, s->tok, s->ids.ids, s->ids.n, NULL, r, 21, W - 22, per, 0, 0);
        r += used > 0 ? used : 1;
    }
    return r;
}

/* the stepper's title line: which merge, what it joined */
static void draw_step_title(const tok_state *t, ui_canvas *cv, int r, size_t n_cur) {
    const lm_bpe_trace *tr = &t->trace;
    const lm_tokenizer *st = stepper_tok(t);
    int W = cv->cols, x = 1;
    long s = t->step;
    x += draw_textf(cv, r, x, W - 2, C_TITLE, " BPE %s: merge %ld/%zu ", lm_tok_name(st), s, tr->n_steps);
    char p1[128], p2[128], p3[128];
    if (s == 0) {
        char l1[128], l2[64];
        snprintf(l1, sizeof l1, "  %zu pieces after pre-tokenisation, %zu bytes before any merge", tr->n_pieces,
                 tr->n_initial);
        snprintf(l2, sizeof l2, " %zu pieces, %zu bytes", tr->n_pieces, tr->n_initial);
        draw_text_fit(cv, r, x, W - x, C_NORMAL, l1, l2);
        return;
    }
    const lm_bpe_step *stp = &tr->steps[s - 1];
    draw_piece(cv, st, stp->merged, p3, sizeof p3);
    if (stp->left < 0) {
        draw_textf(cv, r, x, W - x, C_NORMAL, "  piece %d is itself a token -> '%s' (id %d)", stp->piece, p3,
                   stp->merged);
    } else {
        draw_piece(cv, st, stp->left, p1, sizeof p1);
        draw_piece(cv, st, stp->right, p2, sizeof p2);
        draw_textf(cv, r, x, W - x, C_NORMAL, "  '%s' + '%s' -> '%s' (id %d, rank %d), %zu tokens", p1, p2, p3,
                   stp->merged, stp->merged, n_cur);
    }
}

/* the stepper: the tokens after t->step merges, the newest merge highlighted;
 * returns the next free row */
static int draw_stepper(const tok_state *t, ui_canvas *cv, int r, int end) {
    const lm_bpe_trace *tr = &t->trace;
    long s = t->step;
    const int32_t *cur = s == 0 ? tr->initial : tr->steps[s - 1].tokens;
    size_t n_cur = s == 0 ? tr->n_initial : tr->steps[s - 1].n_tokens;
    draw_step_title(t, cv, r++, n_cur);
    /* highlight the token the last merge made: where this list first differs from the previous */
    uint8_t *marks = calloc(n_cur + 1, 1);
    if (marks && s > 0) {
        const int32_t *prev = s == 1 ? tr->initial : tr->steps[s - 2].tokens;
        size_t n_prev = s == 1 ? tr->n_initial : tr->steps[s - 2].n_tokens;
        for (size_t i = 0; i < n_cur; i++)
            if (i >= n_prev || prev[i] != cur[i]) { marks[i] = 2; break; }
    }
    int rows_left = end - r - (t->letters ? 5 : 0);
    int used = draw_strip(cv, stepper_tok(t), cur, n_cur, marks, r, 1, cv->cols - 2, rows_left > 8 ? 8 : rows_left, 1, 0);
    free(marks);
    return r + used + 1;
}

static void tok_draw(const void *st, const ui_app *a, ui_canvas *cv, int y, int h) {
    const tok_state *t = st;
    int W = cv->cols;
    if (t->n_tried < N_SLOTS) {
        draw_textf(cv, y + 1, 2, W - 4, C_DIM, "loading tokenisers... (%d of %d)", t->n_tried, N_SLOTS);
        return;
    }
    draw_header(t, a, cv, y);
    int r = draw_slots(t, cv, y + 2, y + h, h >= 30 ? 2 : 1) + 1;
    if (r >= y + h) return;
    if (!t->trace_ok || !stepper_tok(t)) {
        draw_text(cv, r, 1, W - 2, C_DIM, "no BPE trace for this text");
        return;
    }
    r = draw_stepper(t, cv, r, y + h);
    if (t->letters && r < y + h - 1) draw_letters(t, cv, r, y + h - r);
}

/* ------------------------------------------------------------ keys */

/* after L: the next key is the letter to count */
static int tok_key(void *st, ui_app *a, int ch) {
    tok_state *t = st;
    if (!t->want_letter) return 0;
    t->want_letter = 0;
    if (ch > ' ' && ch < 127) {
        t->letter[0] = (char)ch;
        t->letter[1] = 0;
        t->letters = 1;
        t->dirty = 1;
        ses_msg(&a->ses, 0, "counting '%c'", ch);
    }
    return 1;
}

static int act_merge_step(ui_app *a, void *st, int k) {
    (void)a;
    tok_state *t = st;
    long n = t->trace_ok ? (long)t->trace.n_steps : 0;
    long to = t->step;
    if (k == KEY_RIGHT || k == '.') to++;
    else if (k == KEY_LEFT || k == ',') to--;
    else if (k == KEY_NPAGE) to += 10;
    else if (k == KEY_PPAGE) to -= 10;
    else to = k == KEY_HOME ? 0 : n;
    t->step = to < 0 ? 0 : to > n ? n : to;
    return 1;
}

static int act_stepper(ui_app *a, void *st, int k) {
    (void)a; (void)k;
    tok_state *t = st;
    for (int j = 1; j <= N_SLOTS; j++) {
        int i = (t->sel + j + N_SLOTS) % N_SLOTS;
        if (t->slots[i].tok) { t->sel = i; break; }
    }
    t->dirty = 1;
    t->step = 0;
    return 1;
}

static int act_letters(ui_app *a, void *st, int k) {
    (void)a; (void)k;
    tok_state *t = st;
    t->letters = !t->letters;
    return 1;
}

static int act_letter(ui_app *a, void *st, int k) {
    (void)k;
    tok_state *t = st;
    t->want_letter = 1;
    ses_msg(&a->ses, 0, "press the letter to count");
    return 1;
}

static const ui_binding tok_keys[] = {
    {KEY_LEFT, 0, act_merge_step, "BPE merge step back / forward"},
    {KEY_RIGHT, 0, act_merge_step, "BPE merge step back / forward"},
    {',', 0, act_merge_step, "BPE merge step back / forward"},
    {'.', 0, act_merge_step, "BPE merge step back / forward"},
    {KEY_PPAGE, 0, act_merge_step, "10 merge steps back / forward"},
    {KEY_NPAGE, 0, act_merge_step, "10 merge steps back / forward"},
    {KEY_HOME, 0, act_merge_step, "before the first / after the last merge"},
    {KEY_END, 0, act_merge_step, "before the first / after the last merge"},
    {'t', 0, act_stepper, "which tokeniser the stepper uses"},
    {'l', 0, act_letters, "letters overlay on/off"},
    {'L', 0, act_letter, "then a letter: the letter the overlay counts"},
    {0, 0, NULL, NULL},
};

const ui_panel panel_tokens = {
    .name = "Tokens", .tab = "Tok", .keys = tok_keys,
    .create = tok_create, .poll = tok_poll, .draw = tok_draw, .key = tok_key, .free = tok_free,
};
