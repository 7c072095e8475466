/* view_compare.c - the same prompt through the base model and the instruct
 * model side by side: next-token bars of both (lm_forward_next + lm_sample)
 * and a continuation of both (lm_generate, same settings and seed), with the
 * positions where they disagree marked. */
#include "ui/app.h"

#include "decode/prefill.h"

#include <stdlib.h>
#include <string.h>

#include "tok/chat.h"
#include "decode/generate.h"

/* the prompt as model k sees it */
static int encode_for(ui_app *a, const lm_tokenizer *t, const lm_model *m, lm_ids *out, lm_err *err) {
    memset(out, 0, sizeof *out);
    int rc;
    if (a->chat) {
        lm_chat_msg msg = {LM_ROLE_USER, a->prompt, a->plen};
        rc = lm_chat_encode(t, &msg, 1, 1, out, NULL, err);
    } else {
        rc = lm_tok_encode(t, (const uint8_t *)a->prompt, a->plen, 0, out, err);
    }
    if (rc) return -1;
    if (out->n == 0) {
        int32_t eot = lm_tok_special_id(t, LM_CHAT_EOT);
        if (eot < 0) { lm_ids_free(out); return lm_fail(err, "empty prompt"); }
        if (lm_ids_push(out, eot)) { lm_ids_free(out); return lm_fail(err, "out of memory"); }
    }
    size_t keep = (size_t)m->cfg.n_ctx - (size_t)a->cmp_len;
    if (m->cfg.n_ctx <= a->cmp_len) keep = 1;
    if (out->n > keep) {
        memmove(out->ids, out->ids + (out->n - keep), keep * sizeof(int32_t));
        out->n = keep;
    }
    return 0;
}

static void run_one(ui_app *a, int k, const lm_model *m, const lm_tokenizer *t) {
    lm_err err = {{0}};
    lm_ids prompt;
    a->cmp_ok[k] = 0;
    lm_ids_free(&a->cmp_gen[k]);
    if (encode_for(a, t, m, &prompt, &err)) {
        snprintf(a->cmp_err[k], sizeof a->cmp_err[k], "%s", err.msg);
        return;
    }
    const int V = m->cfg.vocab_size;
    if (a->cmp_s[k].V != V) {
        if (a->cmp_s[k].V) lm_sample_result_free(&a->cmp_s[k]);
        memset(&a->cmp_s[k], 0, sizeof a->cmp_s[k]);
        if (lm_sample_result_init(&a->cmp_s[k], V, &err)) goto fail;
    }
    /* the prompt goes in once (lm_prefill); its next-token logits give the
     * bars and start the continuation (lm_decode). The KV cache leaves the
     * view model's own forward activations alone. */
    lm_kv kv;
    if (lm_kv_init(&kv, m, &err)) goto fail;
    float *logits = malloc(sizeof(float) * (size_t)V);   /* [V] */
    int rc = logits ? lm_prefill(m, &kv, prompt.ids, prompt.n, logits, &err) : lm_fail(&err, "out of memory");
    lm_rng rng;
    lm_rng_seed(&rng, a->ctx->seed);
    if (rc == 0) rc = lm_sample(logits, V, &a->ctx->sampling, &rng, &a->cmp_s[k], &err);
    if (rc == 0) {
        int32_t stop[2];
        int n_stop = uw_stop_ids(t, stop);
        lm_gen_opts o = {.max_new = a->cmp_len, .sampling = a->ctx->sampling,
                         .stop_ids = n_stop > 0 ? stop : NULL, .n_stop = n_stop > 0 ? n_stop : 0};
        lm_gen_result res;
        lm_rng_seed(&rng, a->ctx->seed);
        rc = lm_decode(m, &kv, logits, &o, &rng, &a->cmp_gen[k], &res, &err);
    }
    free(logits);
    lm_kv_free(&kv);
    if (rc) goto fail;
    a->cmp_ok[k] = 1;
    lm_ids_free(&prompt);
    return;
fail:
    snprintf(a->cmp_err[k], sizeof a->cmp_err[k], "%s", err.msg[0] ? err.msg : "failed");
    lm_ids_free(&prompt);
}

static void cmp_refresh(ui_app *a) {
    if (a->cmp_wdirty) {   /* new weights: as ses_refresh, a key press does not wait for them */
        if (a->in_key && (a->cmp_ok[0] || a->cmp_ok[1]) && !a->cmp_dirty) a->again = 1;
        else { a->cmp_wdirty = 0; a->cmp_dirty = 1; }
    }
    if (!a->cmp_dirty) return;
    a->cmp_dirty = 0;
    if (a->cmp_len <= 0) a->cmp_len = 24;
    if (ses_model_ok(a)) run_one(a, 0, &a->ctx->model, a->ctx->tok);
    if (a->has_inst) run_one(a, 1, &a->inst, a->inst_tok);
}

static int same_tokenizer(const ui_app *a) {
    return a->has_inst && ses_model_ok(a) && lm_tok_vocab_size(a->ctx->tok) == lm_tok_vocab_size(a->inst_tok) &&
           strcmp(lm_tok_name(a->ctx->tok), lm_tok_name(a->inst_tok)) == 0;
}

/* shortens s in place to at most w columns by cutting its middle (head…tail),
 * so both ends of a name such as <|assistant|> stay readable */
static void elide_middle(char *s, int w, int ascii) {
    if (w < 3 || draw_width(s) <= w) return;
    size_t n = strlen(s);
    /* character starts */
    size_t starts[128];
    int nc = 0;
    for (size_t i = 0; i < n && nc < 128; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) starts[nc++] = i;
    int head = (w - 1) / 2, tail = w - 1 - head;   /* counted in characters (pieces are mostly 1-column) */
    if (head + tail >= nc) return;
    char out[160];
    const char *dots = ascii ? "~" : "\xe2\x80\xa6";
    snprintf(out, sizeof out, "%.*s%s%s", (int)starts[head], s, dots, s + starts[nc - tail]);
    strcpy(s, out);
}

/* generated text drawn as text: real spaces, real line breaks, word-wrapped to
 * w columns over at most h rows; a token marked 3 (disagreement) keeps its
 * mark, a special token shows as its name. Returns rows used. */
static int draw_gen_text(ui_app *a, const lm_tokenizer *t, const int32_t *ids, size_t n, const uint8_t *marks,
                         int y, int x, int w, int h) {
    if (w < 2 || h < 1) return 0;
    if (n == 0) { draw_text(a, y, x, w, C_DIM, "(nothing generated)"); return 1; }
    /* the bytes of the text and the colour of each */
    size_t cap = 256, len = 0;
    char *txt = malloc(cap);
    unsigned char *col = malloc(cap);
    if (!txt || !col) { free(txt); free(col); return 0; }
    for (size_t i = 0; i < n; i++) {
        size_t pl = 0;
        const uint8_t *pb = t ? lm_tok_piece(t, ids[i], &pl) : NULL;
        int special = t && lm_tok_is_special(t, ids[i]);
        char nb[128];
        if (!pb || special) {   /* a name, not text */
            draw_piece(a, t, ids[i], nb, sizeof nb);
            pb = (const uint8_t *)nb;
            pl = strlen(nb);
        }
        if (len + pl + 1 > cap) {
            while (len + pl + 1 > cap) cap *= 2;
            char *nt = realloc(txt, cap);
            if (nt) txt = nt;
            unsigned char *nc = realloc(col, cap);
            if (nc) col = nc;
            if (!nt || !nc) { free(txt); free(col); return 0; }
        }
        int c = marks && marks[i] == 3 ? C_DIFF : special ? C_SPECIAL : C_NORMAL;
        for (size_t k = 0; k < pl; k++) { txt[len] = (char)pb[k]; col[len++] = (unsigned char)c; }
    }
    txt[len] = 0;
    int row = 0, cx = 0;
    size_t i = 0;
    while (i < len && row < h) {
        unsigned char ch = (unsigned char)txt[i];
        if (ch == '\n') { row++; cx = 0; i++; continue; }
        if (ch == ' ' || ch == '\t' || ch == '\r') {
            /* a space at the start of a wrapped line is dropped unless it is marked */
            if (cx < w && (cx > 0 || col[i] == C_DIFF)) draw_text(a, y + row, x + cx++, 1, col[i], " ");
            i++;
            continue;
        }
        /* a word: up to the next space or line break */
        size_t j = i;
        while (j < len && txt[j] != ' ' && txt[j] != '\n' && txt[j] != '\t' && txt[j] != '\r') j++;
        char save = txt[j];
        txt[j] = 0;
        int ww = draw_width(txt + i);
        txt[j] = save;
        if (cx > 0 && cx + ww > w) { row++; cx = 0; if (row >= h) break; }
        /* the word's characters, each in its token's colour (long words break anywhere) */
        while (i < j && row < h) {
            size_t k = i + 1;
            while (k < j && ((unsigned char)txt[k] & 0xC0) == 0x80) k++;
            char one[8];
            size_t cl = k - i < sizeof one - 1 ? k - i : sizeof one - 1;
            memcpy(one, txt + i, cl);
            one[cl] = 0;
            if (((unsigned char)one[0]) < 0x20 || one[0] == 0x7f) { one[0] = '?'; one[1] = 0; }
            int cw = draw_width(one);
            if (cw < 1) cw = 1;
            if (cx + cw > w) { row++; cx = 0; if (row >= h) break; }
            draw_text(a, y + row, x + cx, cw, col[i], one);
            cx += cw;
            i = k;
        }
    }
    if (i < len && h > 0) draw_text(a, y + h - 1, x + w - 1, 1, C_DIM, a->ascii ? ">" : "\xe2\x80\xa6");
    free(txt);
    free(col);
    return row < h ? row + 1 : h;
}

static void draw_side(ui_app *a, int k, int y, int x, int w, int nb, const lm_tokenizer *t,
                      const char *name, const uint8_t *marks, int h_gen) {
    draw_textf(a, y, x, w, C_TITLE, " %s ", name);
    if (!a->cmp_ok[k]) { draw_text(a, y + 1, x, w, C_ERR, a->cmp_err[k]); return; }
    const lm_sample_result *s = &a->cmp_s[k], *o = &a->cmp_s[1 - k];
    int other = a->cmp_ok[1 - k] && same_tokenizer(a);
    char piece[128];
    /* the token column: as wide as the widest token shown (special tokens
     * such as <|assistant|> included), within limits; longer ones elided in the middle */
    int lw = 8;
    for (int r = 0; r < nb && r < s->V; r++) {
        draw_piece(a, t, s->order[r], piece, sizeof piece);
        int pw = draw_width(piece) + 1;
        if (pw > lw) lw = pw;
    }
    if (lw > 18) lw = 18;
    if (lw > w / 2) lw = w / 2;
    int bw = w - lw - 10;
    if (bw > 30) bw = 30;
    float top = s->probs_before[s->order[0]];
    draw_text(a, y + 1, x, w, C_DIM, "next token:");
    for (int r = 0; r < nb && r < s->V; r++) {
        int32_t id = s->order[r];
        draw_piece(a, t, id, piece, sizeof piece);
        int differs = other && r == 0 && o->order[0] != id;
        elide_middle(piece, lw - 1, a->ascii);
        draw_text(a, y + 2 + r, x, lw - 1, differs ? C_DIFF : C_TOK0 + r % 8, piece);
        draw_bar(a, y + 2 + r, x + lw, bw, top > 0 ? s->probs_before[id] / top : 0, C_BAR);
        draw_textf(a, y + 2 + r, x + lw + 1 + bw, 9, C_NORMAL, "%6.2f%%", 100.0 * s->probs_before[id]);
    }
    int gy = y + 3 + nb;
    draw_textf(a, gy, x, w, C_DIM, "continuation (%zu tokens):", a->cmp_gen[k].n);
    draw_gen_text(a, t, a->cmp_gen[k].ids, a->cmp_gen[k].n, marks, gy + 1, x, w, h_gen);
}

void view_compare_draw(ui_app *a, int y, int h) {
    int W = a->cols;
    cmp_refresh(a);
    int x = 1;
    if (W >= 110) x += draw_text(a, y, x, W - 2, C_DIM, "same prompt, same settings and seed, base vs instruct.  ");
    else if (W >= 80) x += draw_text(a, y, x, W - 2, C_DIM, "base vs instruct, same settings.  ");
    x += draw_text(a, y, x, W - x, C_KEY, "c");
    x += draw_textf(a, y, x, W - x, C_DIM, W >= 80 ? " chat template %s  " : " chat %s  ", a->chat ? "ON" : "off");
    x += draw_text(a, y, x, W - x, C_KEY, "+/-");
    x += draw_textf(a, y, x, W - x, C_DIM, " length %d  ", a->cmp_len);
    draw_text(a, y, x, W - x, C_KEY, "n rerun");
    if (!a->has_inst) {
        draw_text(a, y + 2, 2, W - 4, C_ERR, a->inst_note[0] ? a->inst_note : "no instruct model");
        draw_text(a, y + 3, 2, W - 4, C_DIM, "start with --instruct MODEL (default: instruct.llm next to the base model)");
    }
    int hw = (W - 3) / 2;
    int nb = (h - 6) / 3;
    if (nb > 10) nb = 10;
    if (nb < 1) nb = 1;
    int h_gen = h - 5 - nb - (a->has_inst ? 0 : 3);
    if (h_gen < 1) h_gen = 1;
    /* disagreements: positions where the two continuations differ */
    size_t n0 = a->cmp_gen[0].n, n1 = a->cmp_gen[1].n;
    uint8_t *m0 = calloc(n0 + 1, 1), *m1 = calloc(n1 + 1, 1);
    int diff_first = -1;
    if (m0 && m1 && a->cmp_ok[0] && a->cmp_ok[1] && same_tokenizer(a)) {
        size_t n = n0 > n1 ? n0 : n1;
        for (size_t i = 0; i < n; i++) {
            int d = i >= n0 || i >= n1 || a->cmp_gen[0].ids[i] != a->cmp_gen[1].ids[i];
            if (d && diff_first < 0) diff_first = (int)i;
            if (d && i < n0) m0[i] = 3;
            if (d && i < n1) m1[i] = 3;
        }
    }
    int yy = y + 1 + (a->has_inst ? 0 : 3);
    char name[160];
    snprintf(name, sizeof name, "base: %.140s", a->ctx->model_path);
    draw_side(a, 0, yy, 1, hw, nb, a->ctx->tok, name, m0, h_gen);
    if (a->has_inst) {
        snprintf(name, sizeof name, "instruct: %.140s", a->inst_path);
        draw_side(a, 1, yy, hw + 2, hw, nb, a->inst_tok, name, m1, h_gen);
        if (a->cmp_ok[0] && a->cmp_ok[1]) {
            const char *txt = !same_tokenizer(a) ? "different tokenisers: positions are not compared"
                              : diff_first < 0 ? "the two continuations agree everywhere" : NULL;
            if (txt) draw_text(a, y + h - 1, 1, W - 2, C_DIM, txt);
            else if (diff_first == 0)
                draw_text(a, y + h - 1, 1, W - 2, C_DIFF, " they differ from the first token on (marked) ");
            else draw_textf(a, y + h - 1, 1, W - 2, C_DIFF,
                            W >= 60 ? " they agree on the first %d token%s, then differ (marked) "
                                    : " agree on %d token%s, then differ ", diff_first, diff_first == 1 ? "" : "s");
        }
    }
    free(m0);
    free(m1);
}

int view_compare_key(ui_app *a, int ch) {
    switch (ch) {
    case '+': case '=': a->cmp_len = a->cmp_len < 128 ? a->cmp_len * 2 : 128; break;
    case '-': a->cmp_len = a->cmp_len > 4 ? a->cmp_len / 2 : 4; break;
    case 'n': case ' ': break;
    default: return 0;
    }
    a->cmp_dirty = 1;
    return 1;
}

void view_compare_free(ui_app *a) {
    for (int k = 0; k < 2; k++) {
        lm_ids_free(&a->cmp_gen[k]);
        if (a->cmp_s[k].V) lm_sample_result_free(&a->cmp_s[k]);
        memset(&a->cmp_s[k], 0, sizeof a->cmp_s[k]);
    }
    if (a->has_inst) {
        lm_model_free(&a->inst);
        lm_tok_free(a->inst_tok);
        a->has_inst = 0;
    }
}
