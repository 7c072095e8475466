/* view_compare.c - the same prompt through the base model and the instruct
 * model side by side: next-token bars of both (lm_gen_prefill + lm_sample)
 * and a continuation of both (lm_decode, same settings and seed), with the
 * positions where they disagree marked. Both run in the update step
 * (cmp_poll), only when the panel is shown. With the chat template on, a
 * model whose tokeniser has the tool markers continues through the tool
 * loop (decode/tools.h): its calculator calls are answered, the answers
 * highlighted. The whole prompt goes in: when prompt + continuation outgrow
 * a model's context, its side says what the context policy (ctx->slide,
 * Ctrl-W) did: stopped (context full), slid (the tokens dropped) or refused
 * a prompt longer than the context; the tool loop starts on the same window
 * and stops when it is full (it does not slide). */
#include "ui/app.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode/generate.h"
#include "decode/prefill.h"
#include "decode/tools.h"
#include "io/modelfile.h"
#include "tok/chat.h"

typedef struct {
    lm_model inst;                 /* the instruct model (loaded at start) */
    lm_tokenizer *inst_tok;
    int has_inst;
    char inst_note[256];           /* why there is none */
    int len;                       /* continuation length */
    int dirty;                     /* run again */
    unsigned inputs_ver, weights_ver;
    lm_ids gen[2];                 /* greedy/sampled continuations: base, instruct */
    lm_sample_result s[2];
    lm_tool_result calls[2];       /* the calculator calls of each continuation (chat + tool markers) */
    int ok[2];
    char err[2][256];
    char note[2][256];             /* the context window: full or slid ("" = neither) */
} cmp_state;

/* the instruct model: --instruct, or instruct.llm next to the base model */
static void load_instruct(cmp_state *t, ui_app *a, const char *path) {
    char guess[LM_PATH_MAX];
    if (!path) {
        snprintf(guess, sizeof guess, "%s", a->ctx->model_path);
        char *slash = strrchr(guess, '/');
        if (slash) snprintf(slash + 1, sizeof guess - (size_t)(slash + 1 - guess), "instruct.llm");
        else snprintf(guess, sizeof guess, "instruct.llm");
        path = guess;
        if (strcmp(path, a->ctx->model_path) == 0 || access(path, R_OK) != 0) {
            snprintf(t->inst_note, sizeof t->inst_note, "no instruct model (%.200s not found)", path);
            return;
        }
    }
    
    lm_err err = {{0}};
    if (lm_load(&t->inst, NULL, path, &err)) {
        snprintf(t->inst_note, sizeof t->inst_note, "instruct model %.60s: %.140s", path, err.msg);
        return;
    }
    t->inst_tok = t->inst.tokenizer_len ? lm_tok_deserialize(t->inst.tokenizer_blob, t->inst.tokenizer_len, &err)
                                        : lm_tok_byte_new();
    if (!t->inst_tok) {
        snprintf(t->inst_note, sizeof t->inst_note, "instruct model %.60s: %.140s", path, err.msg);
        lm_model_free(&t->inst);
        return;
    }
    t->has_inst = 1;
    snprintf(a->inst_path, sizeof a->inst_path, "%s", path);
}

static void *cmp_create(ui_app *a) {
    cmp_state *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->len = 24;
    t->dirty = 1;
    load_instruct(t, a, a->inst_arg);
    return t;
}

/* the prompt in model k's tokens, all of them (the context policy decides) */
static int encode_for(const ui_session *s, const lm_tokenizer *t, lm_ids *out, lm_err *err) {
    memset(out, 0, sizeof *out);
    int rc;
    if (s->chat) {
        lm_chat_msg msg = {.role = LM_ROLE_USER, .content = s->prompt, .len = s->plen};
        rc = lm_chat_encode(t, &msg, 1, 1, out, NULL, err);
    } else {
        rc = lm_tok_encode(t, (const uint8_t *)s->prompt, s->plen, 0, out, err);
    }
    if (rc) return -1;
    if (out->n == 0) {
        int32_t eot = lm_tok_special_id(t, LM_CHAT_EOT);
        if (eot < 0) { lm_ids_free(out); return lm_fail(err, "empty prompt"); }
        if (lm_ids_push(out, eot)) { lm_ids_free(out); return lm_fail(err, "out of memory"); }
    }
    return 0;
}

static void run_one(cmp_state *st, const ui_app *a, int k, const lm_model *m, const lm_tokenizer *t) {
    lm_err err = {{0}};
    lm_ids prompt;
    st->ok[k] = 0;
    st->note[k][0] = '\0';
    lm_ids_free(&st->gen[k]);
    if (encode_for(&a->ses, t, &prompt, &err)) {
        snprintf(st->err[k], sizeof st->err[k], "%s", err.msg);
        return;
    }
    const int V = m->cfg.vocab_size;
    if (st->s[k].V != V) {
        if (st->s[k].V) lm_sample_result_free(&st->s[k]);
        memset(&st->s[k], 0, sizeof st->s[k]);
        if (lm_sample_result_init(&st->s[k], V, &err)) goto fail;
    }
    /* the prompt goes in once (lm_gen_prefill: the window the policy gives);
     * its next-token logits give the bars and start the continuation
     * (lm_decode). The KV cache leaves the view model's own forward
     * activations alone. */
    int32_t stop[2];
    int n_stop = uw_stop_ids(t, stop);
    lm_gen_opts o = {.max_new = st->len, .sampling = a->ctx->sampling, .stop_ids = n_stop > 0 ? stop : NULL,
                     .n_stop = n_stop > 0 ? n_stop : 0, .slide = a->ctx->slide};
    lm_gen_result res;
    const int tools = a->ses.chat && lm_chat_has_tools(t);
    lm_kv kv;
    if (lm_kv_init(&kv, m, &err)) goto fail;
    float *logits = malloc(sizeof(float) * (size_t)V);   /* [V] */
    int rc = logits ? lm_gen_prefill(m, &kv, prompt.ids, prompt.n, &o, logits, &res, &err)
                    : lm_fail(&err, "out of memory");
    lm_rng rng;
    lm_rng_seed(&rng, a->ctx->seed);
    if (rc == 0) rc = lm_sample(logits, V, &a->ctx->sampling, &rng, &st->s[k], &err);
    if (rc == 0) {
        lm_rng_seed(&rng, a->ctx->seed);
        st->calls[k].n_calls = 0;
        if (tools) {   /* the same decoding on the same window, with the calculator answering */
            lm_tool_opts to = {.max_new = st->len, .sampling = a->ctx->sampling};
            size_t from = res.n_dropped;   /* 0 unless a too-long prompt started slid */
            rc = lm_tool_generate(m, t, &kv, prompt.ids + from, prompt.n - from, &to, &rng, &st->gen[k],
                                  &st->calls[k], &err);
            res.reason = st->calls[k].reason;
            res.stop_token = st->calls[k].stop_token;
            res.n_new = st->calls[k].n_new;
        } else {
            rc = lm_decode(m, &kv, logits, &o, &rng, &st->gen[k], &res, &err);
        }
    }
    free(logits);
    lm_kv_free(&kv);
    if (rc) goto fail;
    st->ok[k] = 1;
    size_t nl = lm_gen_note(&res, prompt.n, m->cfg.n_ctx, st->note[k], sizeof st->note[k]) ? strlen(st->note[k]) : 0;
    if (nl && res.reason == LM_GEN_CONTEXT)   /* slide on: only the tool loop stops at a full window */
        snprintf(st->note[k] + nl, sizeof st->note[k] - nl, "%s",
                 !a->ctx->slide ? " (^W: slide the window)"
                 : res.n_slides ? "; then the context filled (the calculator loop does not slide)"
                                : " (the calculator loop does not slide)");
    lm_ids_free(&prompt);
    return;
fail:
    snprintf(st->err[k], sizeof st->err[k], "%.200s%s", err.msg[0] ? err.msg : "failed",
             !a->ctx->slide && prompt.n > (size_t)m->cfg.n_ctx ? ": refused (^W slides the window)" : "");
    lm_ids_free(&prompt);
}

/* runs both again when the inputs changed; new weights from training wait a
 * frame when a key is being answered (as ses_update) */
static int cmp_poll(void *st, ui_app *a, int active) {
    cmp_state *t = st;
    int later = 0;
    if (t->inputs_ver != a->ses.inputs_ver) { t->inputs_ver = a->ses.inputs_ver; t->dirty = 1; }
    if (!active) return 0;
    if (t->weights_ver != a->ses.weights_ver) {
        if (a->ses.in_key && (t->ok[0] || t->ok[1]) && !t->dirty) later = 1;
        else { t->weights_ver = a->ses.weights_ver; t->dirty = 1; }
    }
    if (!t->dirty) return later ? UI_POLL_AGAIN : 0;
    t->dirty = 0;
    if (ses_model_ok(&a->ses)) run_one(t, a, 0, &a->ctx->model, a->ctx->tok);
    if (t->has_inst) run_one(t, a, 1, &t->inst, t->inst_tok);
    return later ? UI_POLL_AGAIN : 0;
}

static int same_tokenizer(const cmp_state *t, const ui_app *a) {
    return t->has_inst && ses_model_ok(&a->ses) && lm_tok_vocab_size(a->ctx->tok) == lm_tok_vocab_size(t->inst_tok) &&
           strcmp(lm_tok_name(a->ctx->tok), lm_tok_name(t->inst_tok)) == 0;
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
 * mark, one marked 2 (the calculator's answer) is highlighted, a special
 * token shows as its name. Returns rows used. */
static int draw_gen_text(ui_canvas *cv, const lm_tokenizer *t, const int32_t *ids, size_t n, const uint8_t *marks,
                         int y, int x, int w, int h) {
    if (w < 2 || h < 1) return 0;
    if (n == 0) { draw_text(cv, y, x, w, C_DIM, "(nothing generated)"); return 1; }
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
            draw_piece(cv, t, ids[i], nb, sizeof nb);
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
        int mk = marks ? marks[i] : 0;
        int c = mk == 3 ? C_DIFF : mk == 2 ? C_HILITE : special ? C_SPECIAL : C_NORMAL;
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
            if (cx < w && (cx > 0 || col[i] == C_DIFF)) draw_text(cv, y + row, x + cx++, 1, col[i], " ");
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
            draw_text(cv, y + row, x + cx, cw, col[i], one);
            cx += cw;
            i = k;
        }
    }
    if (i < len && h > 0) draw_text(cv, y + h - 1, x + w - 1, 1, C_DIM, cv->ascii ? ">" : "\xe2\x80\xa6");
    free(txt);
    free(col);
    return row < h ? row + 1 : h;
}

static void draw_side(const cmp_state *st, const ui_app *a, ui_canvas *cv, int k, int y, int x, int w, int nb,
                      const lm_tokenizer *t, const char *name, const uint8_t *marks, int h_gen) {
    draw_textf(cv, y, x, w, C_TITLE, " %s ", name);
    if (!st->ok[k]) { draw_text_wrap(cv, y + 1, x, w, 4, C_ERR, st->err[k]); return; }
    const lm_sample_result *s = &st->s[k], *o = &st->s[1 - k];
    int other = st->ok[1 - k] && same_tokenizer(st, a);
    char piece[128];
    /* the token column: as wide as the widest token shown (special tokens
     * such as <|assistant|> included), within limits; longer ones elided in the middle */
    int lw = 8;
    for (int r = 0; r < nb && r < s->V; r++) {
        draw_piece(cv, t, s->order[r], piece, sizeof piece);
        int pw = draw_width(piece) + 1;
        if (pw > lw) lw = pw;
    }
    if (lw > 18) lw = 18;
    if (lw > w / 2) lw = w / 2;
    int bw = w - lw - 10;
    if (bw > 30) bw = 30;
    float top = s->probs_before[s->order[0]];
    draw_text(cv, y + 1, x, w, C_DIM, "next token:");
    for (int r = 0; r < nb && r < s->V; r++) {
        int32_t id = s->order[r];
        draw_piece(cv, t, id, piece, sizeof piece);
        int differs = other && r == 0 && o->order[0] != id;
        elide_middle(piece, lw - 1, cv->ascii);
        draw_text(cv, y + 2 + r, x, lw - 1, differs ? C_DIFF : C_TOK0 + r % 8, piece);
        draw_bar(cv, y + 2 + r, x + lw, bw, top > 0 ? s->probs_before[id] / top : 0, C_BAR);
        draw_textf(cv, y + 2 + r, x + lw + 1 + bw, 9, C_NORMAL, "%6.2f%%", 100.0 * s->probs_before[id]);
    }
    int gy = y + 3 + nb;
    int nc = st->calls[k].n_calls;
    if (nc) draw_textf(cv, gy, x, w, C_DIM, "continuation (%zu tokens, %d calculator call%s):", st->gen[k].n, nc,
                       nc == 1 ? "" : "s");
    else draw_textf(cv, gy, x, w, C_DIM, "continuation (%zu tokens):", st->gen[k].n);
    if (st->note[k][0]) {   /* what the context window did: said above the text */
        int used = draw_text_wrap(cv, gy + 1, x, w, h_gen > 8 ? 3 : h_gen > 3 ? 2 : 1, C_ERR, st->note[k]);
        gy += used;
        h_gen -= used;
    }
    draw_gen_text(cv, t, st->gen[k].ids, st->gen[k].n, marks, gy + 1, x, w, h_gen);
}

/* the title line: what is compared, and the keys */
static void draw_title(const cmp_state *t, const ui_app *a, ui_canvas *cv, int y) {
    int W = cv->cols, x = 1;
    if (W >= 120) x += draw_text(cv, y, x, W - 2, C_DIM, "same prompt, same settings and seed, base vs instruct.  ");
    else if (W >= 90) x += draw_text(cv, y, x, W - 2, C_DIM, "base vs instruct, same settings.  ");
    else if (W >= 70) x += draw_text(cv, y, x, W - 2, C_DIM, "base vs instruct.  ");
    x += draw_text(cv, y, x, W - x, C_KEY, "c");
    x += draw_textf(cv, y, x, W - x, C_DIM, W >= 120 ? " chat template %s  " : " chat %s  ", a->ses.chat ? "ON" : "off");
    x += draw_text(cv, y, x, W - x, C_KEY, "+/-");
    x += draw_textf(cv, y, x, W - x, C_DIM, " length %d  ", t->len);
    x += draw_text(cv, y, x, W - x, C_KEY, "^W");
    x += draw_textf(cv, y, x, W - x, C_DIM, " context %s  ", a->ctx->slide ? "slide" : "stop");
    draw_text(cv, y, x, W - x, C_KEY, "n rerun");
}

/* marks the positions where the two continuations differ (3); returns the
 * first of them, -1 when they agree */
static int mark_disagreements(const cmp_state *t, const ui_app *a, uint8_t *m0, uint8_t *m1) {
    size_t n0 = t->gen[0].n, n1 = t->gen[1].n;
    int diff_first = -1;
    if (!m0 || !m1 || !t->ok[0] || !t->ok[1] || !same_tokenizer(t, a)) return -1;
    size_t n = n0 > n1 ? n0 : n1;
    for (size_t i = 0; i < n; i++) {
        int d = i >= n0 || i >= n1 || t->gen[0].ids[i] != t->gen[1].ids[i];
        if (d && diff_first < 0) diff_first = (int)i;
        if (d && i < n0) m0[i] = 3;
        if (d && i < n1) m1[i] = 3;
    }
    return diff_first;
}

/* marks the tokens the calculator wrote (VALUE, <|/result|>) with 2 */
static void mark_tool_answers(const lm_tool_result *r, uint8_t *m, size_t n) {
    for (int k = 0; m && k < r->n_calls; k++)
        for (int i = r->calls[k].result_pos + 1; i <= r->calls[k].end_pos && (size_t)i < n; i++) m[i] = 2;
}

static void cmp_draw(const void *st, const ui_app *a, ui_canvas *cv, int y, int h) {
    const cmp_state *t = st;
    int W = cv->cols;
    draw_title(t, a, cv, y);
    if (!t->has_inst) {
        draw_text(cv, y + 2, 2, W - 4, C_ERR, t->inst_note[0] ? t->inst_note : "no instruct model");
        draw_text(cv, y + 3, 2, W - 4, C_DIM, "start with --instruct MODEL (default: instruct.llm next to the base model)");
    }
    int hw = (W - 3) / 2;
    int nb = (h - 6) / 3;
    if (nb > 10) nb = 10;
    if (nb < 1) nb = 1;
    int h_gen = h - 5 - nb - (t->has_inst ? 0 : 3);
    if (h_gen < 1) h_gen = 1;
    uint8_t *m0 = calloc(t->gen[0].n + 1, 1), *m1 = calloc(t->gen[1].n + 1, 1);
    mark_tool_answers(&t->calls[0], m0, t->gen[0].n);
    mark_tool_answers(&t->calls[1], m1, t->gen[1].n);
    int diff_first = mark_disagreements(t, a, m0, m1);
    int yy = y + 1 + (t->has_inst ? 0 : 3);
    char name[160], lab[140];
    snprintf(name, sizeof name, "base: %s", ses_model_label(&a->ses, lab, sizeof lab));
    draw_side(t, a, cv, 0, yy, 1, hw, nb, a->ctx->tok, name, m0, h_gen);
    if (t->has_inst) {
        snprintf(name, sizeof name, "instruct: %.140s", a->inst_path);
        draw_side(t, a, cv, 1, yy, hw + 2, hw, nb, t->inst_tok, name, m1, h_gen);
        if (t->ok[0] && t->ok[1]) {
            const char *txt = !same_tokenizer(t, a) ? "different tokenisers: positions are not compared"
                              : diff_first < 0 ? "the two continuations agree everywhere" : NULL;
            if (txt) draw_text(cv, y + h - 1, 1, W - 2, C_DIM, txt);
            else if (diff_first == 0)
                draw_text(cv, y + h - 1, 1, W - 2, C_DIFF, " they differ from the first token on (marked) ");
            else draw_textf(cv, y + h - 1, 1, W - 2, C_DIFF,
                            W >= 60 ? " they agree on the first %d token%s, then differ (marked) "
                                    : " agree on %d token%s, then differ ", diff_first, diff_first == 1 ? "" : "s");
        }
    }
    free(m0);
    free(m1);
}

/* ------------------------------------------------------------ keys */

static int act_length(ui_app *a, void *st, int k) {
    (void)a;
    cmp_state *t = st;
    if (k == '-') t->len = t->len > 4 ? t->len / 2 : 4;
    else t->len = t->len < 128 ? t->len * 2 : 128;
    t->dirty = 1;
    return 1;
}

static int act_window(ui_app *a, void *st, int k) {
    (void)st; (void)k;
    ses_toggle_slide(&a->ses);   /* inputs_ver moves: both sides run again */
    return 1;
}

static int act_rerun(ui_app *a, void *st, int k) {
    (void)a; (void)k;
    ((cmp_state *)st)->dirty = 1;
    return 1;
}

static const ui_binding cmp_keys[] = {
    {'+', 0, act_length, "longer / shorter continuations"},
    {'=', 0, act_length, "longer / shorter continuations"},
    {'-', 0, act_length, "longer / shorter continuations"},
    {23, 0, act_window, "a prompt + continuation longer than the context: stop, or slide the window"},
    {'n', 0, act_rerun, "run both again"},
    {' ', 0, act_rerun, "run both again"},
    {0, 0, NULL, NULL},
};

static void cmp_free(void *st, ui_app *a) {
    (void)a;
    cmp_state *t = st;
    if (!t) return;
    for (int k = 0; k < 2; k++) {
        lm_ids_free(&t->gen[k]);
        if (t->s[k].V) lm_sample_result_free(&t->s[k]);
    }
    if (t->has_inst) {
        lm_model_free(&t->inst);
        lm_tok_free(t->inst_tok);
    }
    free(t);
}

const ui_panel panel_compare = {
    .name = "Compare", .tab = "Cmp", .keys = cmp_keys,
    .create = cmp_create, .poll = cmp_poll, .draw = cmp_draw, .free = cmp_free,
};
