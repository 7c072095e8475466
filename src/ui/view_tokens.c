/* view_tokens.c - the prompt text under several tokenisers side by side
 * (char, the model's own, gpt2, cl100k_base, o200k_base; those whose data
 * files are missing are listed as such), the BPE stepper (forward and back
 * through lm_tok_encode_trace, the merged token highlighted) and the letters
 * overlay (lm_letters_analyze: which letters fall in which token). */
#include "ui/app.h"

#include <stdlib.h>
#include <string.h>

#include "tok/letters.h"

static const char *slot_specs[UI_N_TOKS] = {"char", "bpe", "gpt2", "cl100k_base", "o200k_base"};

/* loads at most one tokeniser per frame so the screen shows progress */
static int load_next_slot(ui_app *a) {
    for (int i = 0; i < UI_N_TOKS; i++) {
        ui_tokslot *s = &a->toks[i];
        if (s->tried) continue;
        s->tried = 1;
        s->spec = slot_specs[i];
        if (i == 1 && (!ses_model_ok(a) || lm_tok_kind_of(a->ctx->tok) == LM_TOK_BYTE)) {
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

static lm_tokenizer *stepper_tok(ui_app *a) {
    if (a->tok_sel >= 0 && a->tok_sel < UI_N_TOKS && a->toks[a->tok_sel].tok) return a->toks[a->tok_sel].tok;
    return NULL;
}

static void pick_default_stepper(ui_app *a) {
    static const int pref[] = {1, 2, 3, 4, 0};
    for (int k = 0; k < 5; k++)
        if (a->toks[pref[k]].tok) { a->tok_sel = pref[k]; return; }
}

static void refresh_trace(ui_app *a) {
    if (!a->trace_dirty) return;
    a->trace_dirty = 0;
    if (a->trace_ok) lm_bpe_trace_free(&a->trace);
    a->trace_ok = 0;
    for (int i = 0; i < UI_N_TOKS; i++) {
        lm_ids_free(&a->toks[i].ids);
        if (a->toks[i].tok) lm_tok_encode(a->toks[i].tok, (const uint8_t *)a->prompt, a->plen, 0, &a->toks[i].ids, NULL);
    }
    lm_tokenizer *t = stepper_tok(a);
    if (!t) return;
    lm_err err = {{0}};
    if (lm_tok_encode_trace(t, (const uint8_t *)a->prompt, a->plen, &a->trace, &err) == 0) a->trace_ok = 1;
    else ses_msg(a, 1, "trace: %s", err.msg);
    if (a->trace_step > (long)(a->trace_ok ? a->trace.n_steps : 0))
        a->trace_step = a->trace_ok ? (long)a->trace.n_steps : 0;
}

static void draw_letters(ui_app *a, int y, int h, const lm_tokenizer *t, const lm_ids *ids) {
    int W = a->cols;
    lm_letters L;
    lm_err err = {{0}};
    if (lm_letters_analyze(t, ids->ids, ids->n, a->letter, 1, &L, &err)) {
        draw_text(a, y, 1, W - 2, C_ERR, err.msg);
        return;
    }
    int x = 1, r = y;
    x += draw_textf(a, r, x, W - 2, C_TITLE, " letters overlay: '%s' ", a->letter);
    draw_textf(a, r, x, W - x, C_NORMAL,
               "  occurs %d times, in %d of %zu tokens%s. The model sees token ids, not letters.", L.total,
               L.n_tokens_with, L.n_tokens, L.n_split ? " (some cut by a boundary)" : "");
    r++;
    x = 1;
    for (size_t i = 0; i < L.n_tokens && r + 1 < y + h; i++) {
        const lm_letters_token *tk = &L.tokens[i];
        int w = 0;
        char buf[64];
        for (size_t j = 0; j < tk->n_chars; j++) {
            const lm_letters_char *c = &L.chars[tk->first_char + j];
            w += draw_bytes(a, L.text + c->off, c->len, buf, sizeof buf);
        }
        if (w < 1) w = 1;
        if (x + w + 1 > W - 1) { x = 1; r += 2; if (r + 1 >= y + h) break; }
        int cx = x;
        for (size_t j = 0; j < tk->n_chars; j++) {
            const lm_letters_char *c = &L.chars[tk->first_char + j];
            int cw = draw_bytes(a, L.text + c->off, c->len, buf, sizeof buf);
            draw_text(a, r, cx, cw, c->match ? C_HILITE : C_TOK0 + (int)(i % 8), buf);
            cx += cw;
        }
        if (tk->count) draw_textf(a, r + 1, x, w, C_KEY, "%d", tk->count);
        x += w + 1;
    }
    lm_letters_free(&L);
}

void view_tokens_draw(ui_app *a, int y, int h) {
    int W = a->cols;
    if (load_next_slot(a)) {
        int loaded = 0;
        for (int i = 0; i < UI_N_TOKS; i++) loaded += a->toks[i].tried;
        draw_textf(a, y + 1, 2, W - 4, C_DIM, "loading tokenisers... (%d of %d)", loaded, UI_N_TOKS);
        a->again = 1;
        a->trace_dirty = 1;
        return;
    }
    if (a->tok_sel < 0 || !a->toks[a->tok_sel].tok) pick_default_stepper(a);
    refresh_trace(a);
    int r = y;
    lm_tokenizer *st = stepper_tok(a);
    int x = 1;
    int wide = W >= 100;
    if (W >= 80) x += draw_textf(a, r, x, W - 2, C_DIM, wide ? "%zu bytes of text.  " : "%zu bytes  ", a->plen);
    x += draw_text(a, r, x, W - x, C_KEY, "t");
    x += draw_textf(a, r, x, W - x, C_DIM, wide ? " stepper tokeniser: %s  " : " stepper %s  ", st ? lm_tok_name(st) : "-");
    x += draw_text(a, r, x, W - x, C_KEY, wide ? "Left/Right" : "<- ->");
    x += draw_text(a, r, x, W - x, C_DIM, wide ? " merge step  " : " merge  ");
    x += draw_text(a, r, x, W - x, C_KEY, "l");
    x += draw_textf(a, r, x, W - x, C_DIM, " letters %s  ", a->letters ? "on" : "off");
    x += draw_text(a, r, x, W - x, C_KEY, "L");
    draw_textf(a, r, x, W - x, C_DIM, " letter '%s'", a->letter);
    r += 2;
    /* tokenisers side by side */
    int per = h >= 30 ? 2 : 1;
    for (int i = 0; i < UI_N_TOKS && r < y + h - 4; i++) {
        ui_tokslot *s = &a->toks[i];
        int sel = i == a->tok_sel;
        draw_textf(a, r, 1, 13, sel ? C_PICK : C_KEY, "%-12s", i == 1 && s->tok ? "bpe (model)" : s->spec);
        if (!s->tok) { draw_text(a, r, 15, W - 16, C_DIM, s->note); r++; continue; }
        draw_textf(a, r, 14, 7, C_NORMAL, "%5zu", s->ids.n);
        int used = draw_strip(a, s->tok, s->ids.ids, s->ids.n, NULL, r, 21, W - 22, per, 0, 0);
        r += used > 0 ? used : 1;
    }
    r++;
    if (r >= y + h) return;
    /* the stepper */
    if (!a->trace_ok || !st) {
        draw_text(a, r, 1, W - 2, C_DIM, "no BPE trace for this text");
        return;
    }
    const lm_bpe_trace *tr = &a->trace;
    long s = a->trace_step;
    const int32_t *cur = s == 0 ? tr->initial : tr->steps[s - 1].tokens;
    size_t n_cur = s == 0 ? tr->n_initial : tr->steps[s - 1].n_tokens;
    x = 1;
    x += draw_textf(a, r, x, W - 2, C_TITLE, " BPE %s: merge %ld/%zu ", lm_tok_name(st), s, tr->n_steps);
    char p1[128], p2[128], p3[128];
    if (s == 0) {
        char l1[128], l2[64];
        snprintf(l1, sizeof l1, "  %zu pieces after pre-tokenisation, %zu bytes before any merge", tr->n_pieces,
                 tr->n_initial);
        snprintf(l2, sizeof l2, " %zu pieces, %zu bytes", tr->n_pieces, tr->n_initial);
        draw_text_fit(a, r, x, W - x, C_NORMAL, l1, l2);
    } else {
        const lm_bpe_step *stp = &tr->steps[s - 1];
        draw_piece(a, st, stp->merged, p3, sizeof p3);
        if (stp->left < 0) {
            draw_textf(a, r, x, W - x, C_NORMAL, "  piece %d is itself a token -> '%s' (id %d)", stp->piece, p3,
                       stp->merged);
        } else {
            draw_piece(a, st, stp->left, p1, sizeof p1);
            draw_piece(a, st, stp->right, p2, sizeof p2);
            draw_textf(a, r, x, W - x, C_NORMAL, "  '%s' + '%s' -> '%s' (id %d, rank %d), %zu tokens", p1, p2, p3,
                       stp->merged, stp->merged, n_cur);
        }
    }
    r++;
    /* highlight the token the last merge made: where this list first differs from the previous */
    uint8_t *marks = calloc(n_cur + 1, 1);
    if (marks && s > 0) {
        const int32_t *prev = s == 1 ? tr->initial : tr->steps[s - 2].tokens;
        size_t n_prev = s == 1 ? tr->n_initial : tr->steps[s - 2].n_tokens;
        for (size_t i = 0; i < n_cur; i++)
            if (i >= n_prev || prev[i] != cur[i]) { marks[i] = 2; break; }
    }
    int rows_left = y + h - r - (a->letters ? 5 : 0);
    int used = draw_strip(a, st, cur, n_cur, marks, r, 1, W - 2, rows_left > 8 ? 8 : rows_left, 1, 0);
    free(marks);
    r += used + 1;
    if (a->letters && r < y + h - 1) {
        const lm_tokenizer *lt = st;   /* the stepper's tokeniser: letters hidden inside BPE tokens */
        lm_ids own = {0};
        if (lt && lm_tok_encode(lt, (const uint8_t *)a->prompt, a->plen, 0, &own, NULL) == 0)
            draw_letters(a, r, y + h - r, lt, &own);
        lm_ids_free(&own);
    }
}

int view_tokens_key(ui_app *a, int ch) {
    if (a->want_letter) {
        a->want_letter = 0;
        if (ch > ' ' && ch < 127) {
            a->letter[0] = (char)ch;
            a->letter[1] = 0;
            a->letters = 1;
            ses_msg(a, 0, "counting '%c'", ch);
        }
        return 1;
    }
    long n = a->trace_ok ? (long)a->trace.n_steps : 0;
    switch (ch) {
    case KEY_RIGHT: case '.': if (a->trace_step < n) a->trace_step++; return 1;
    case KEY_LEFT: case ',': if (a->trace_step > 0) a->trace_step--; return 1;
    case KEY_NPAGE: a->trace_step = a->trace_step + 10 < n ? a->trace_step + 10 : n; return 1;
    case KEY_PPAGE: a->trace_step = a->trace_step > 10 ? a->trace_step - 10 : 0; return 1;
    case KEY_HOME: a->trace_step = 0; return 1;
    case KEY_END: a->trace_step = n; return 1;
    case 't':
        for (int k = 1; k <= UI_N_TOKS; k++) {
            int i = (a->tok_sel + k) % UI_N_TOKS;
            if (a->toks[i].tok) { a->tok_sel = i; break; }
        }
        a->trace_dirty = 1;
        a->trace_step = 0;
        return 1;
    case 'l': a->letters = !a->letters; return 1;
    case 'L': a->want_letter = 1; ses_msg(a, 0, "press the letter to count"); return 1;
    default: return 0;
    }
}

void view_tokens_free(ui_app *a) {
    for (int i = 0; i < UI_N_TOKS; i++) {
        if (a->toks[i].tok) lm_tok_free(a->toks[i].tok);
        lm_ids_free(&a->toks[i].ids);
        memset(&a->toks[i], 0, sizeof a->toks[i]);
    }
    if (a->trace_ok) lm_bpe_trace_free(&a->trace);
    a->trace_ok = 0;
}
