/* view_next.c - the main view: the prompt's tokens as a strip, the next-token
 * distribution as bars (before and after the cuts, with the top-k and top-p
 * cut lines drawn where they fall), the decoding controls, and step / undo /
 * continuous generation. Everything drawn comes from ses_refresh (the core's
 * lm_forward + lm_sample). */
#include "ui/app.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const int topk_ladder[] = {0, 1, 2, 3, 5, 10, 20, 50, 100, 200};
#define N_LADDER ((int)(sizeof topk_ladder / sizeof topk_ladder[0]))

static void cut_line(ui_app *a, int y, int x, int w, const char *label) {
    draw_hline(a, y, x, w, C_KEY);
    draw_text(a, y, x + 4, w - 4, C_KEY, label);
}

void view_next_draw(ui_app *a, int y, int h) {
    cli_ctx *ctx = a->ctx;
    int W = a->cols;
    ses_refresh(a);
    if (!ses_model_ok(a)) {
        draw_text(a, y + 1, 2, W - 4, C_ERR, a->fwd_err[0] ? a->fwd_err : "no model loaded");
        return;
    }
    size_t n_gen = a->seq.n - a->n_prompt;
    char l1[200], l2[96];
    snprintf(l1, sizeof l1, "%zu tokens (prompt %zu + generated %zu) under %s%s%s", a->seq.n, a->n_prompt, n_gen,
             lm_tok_name(ctx->tok), a->chat ? ", chat template" : "", a->running ? "  [generating: r stops]" : "");
    snprintf(l2, sizeof l2, "%zu tokens (prompt %zu + generated %zu)%s%s", a->seq.n, a->n_prompt, n_gen,
             a->chat ? " chat" : "", a->running ? " [r stops]" : "");
    draw_text_fit(a, y, 1, W - 2, C_DIM, l1, l2);
    /* the token strip: generated tokens marked */
    uint8_t *marks = calloc(a->seq.n + 1, 1);
    if (marks)
        for (size_t i = a->n_prompt; i < a->seq.n; i++) marks[i] = 1;
    int strip_rows = h / 3;
    if (strip_rows > 12) strip_rows = 12;
    if (strip_rows < 2) strip_rows = h > 8 ? 2 : 1;
    int used = draw_strip(a, ctx->tok, a->seq.ids, a->seq.n, marks, y + 1, 1, W - 2, strip_rows,
                          strip_rows >= 2, HIT_TOKEN);
    free(marks);
    int r = y + 1 + (used > 0 ? used : 1);
    if (r >= y + h) return;
    /* the controls */
    const lm_sampling *s = &ctx->sampling;
    char tk[32], tp[32], te[32];
    if (s->top_k > 0) snprintf(tk, sizeof tk, "%d", s->top_k); else snprintf(tk, sizeof tk, "off");
    if (s->top_p < 1) snprintf(tp, sizeof tp, "%.2f", s->top_p); else snprintf(tp, sizeof tp, "off");
    snprintf(te, sizeof te, "%.2f", s->temperature);
    /* the controls: full labels with their keys, then short labels, then no keys, whichever fits */
    const char *lab[3][5] = {{"temperature ", "top-k ", "top-p ", "", "seed "},
                             {"temp ", "top-k ", "top-p ", "", "seed "},
                             {"T=", "k=", "p=", "", "seed "}};
    const char *key[5] = {" [t/T]", " [k/K]", " [p/P]", " [g]", " [s/S]"};
    char val[5][32];
    snprintf(val[0], sizeof val[0], "%s", te);
    snprintf(val[1], sizeof val[1], "%s", tk);
    snprintf(val[2], sizeof val[2], "%s", tp);
    snprintf(val[3], sizeof val[3], "%s", s->greedy ? "greedy" : "sampled");
    snprintf(val[4], sizeof val[4], "%llu", (unsigned long long)ctx->seed);
    int form = 0;
    for (; form < 2; form++) {
        int w = 0;
        for (int i = 0; i < 5; i++)
            w += (int)(strlen(lab[form][i]) + strlen(val[i]) + strlen(key[i])) + (form == 0 ? 2 : 1);
        if (w <= W - 2) break;
    }
    int x = 1;
    (void)te;
    for (int i = 0; i < 5; i++) {
        x += draw_textf(a, r, x, W - x, i == 3 && s->greedy ? C_OK : C_NORMAL, "%s%s", lab[form][i], val[i]);
        if (form < 2) x += draw_text(a, r, x, W - x, C_KEY, key[i]);
        x += draw_text(a, r, x, W - x, C_NORMAL, form == 0 ? "  " : " ");
    }
    r++;
    if (!a->sres_ok) {
        draw_text(a, r + 1, 2, W - 4, C_ERR, a->fwd_err);
        return;
    }
    const lm_sample_result *sr = &a->sres;
    char piece[128];
    draw_piece(a, ctx->tok, sr->token, piece, sizeof piece);
    if (r < y + h) {
        char head[160], tail[96];
        snprintf(head, sizeof head, "V=%d -> top-k keeps %d -> top-p keeps %d -> draw: ", sr->V, sr->kept_by_top_k,
                 sr->kept_by_top_p);
        snprintf(tail, sizeof tail, " (id %d, p=%.3f)  space: take it  u: undo  r: run", sr->token,
                 sr->probs_after[sr->token]);
        if (draw_width(head) + draw_width(piece) + draw_width(tail) > W - 2) {
            snprintf(head, sizeof head, "V=%d, k keeps %d, p keeps %d, draw: ", sr->V, sr->kept_by_top_k,
                     sr->kept_by_top_p);
            snprintf(tail, sizeof tail, " p=%.3f  space: take", sr->probs_after[sr->token]);
        }
        if (draw_width(head) + draw_width(piece) + draw_width(tail) > W - 2) {
            snprintf(head, sizeof head, "draw: ");
            snprintf(tail, sizeof tail, " p=%.3f (of %d kept)", sr->probs_after[sr->token], sr->kept_by_top_p);
        }
        x = 1;
        x += draw_text(a, r, x, W - x, C_DIM, head);
        x += draw_text(a, r, x, W - x, C_PICK, piece);
        draw_text(a, r, x, W - x, C_DIM, tail);
        r++;
    }
    if (r + 1 >= y + h) return;
    /* bar columns: rank | token | id | bar | before | after | drawn marker; narrow
     * screens drop the id, then the before column, and shorten the token column */
    int show_id = W >= 70, show_before = W >= 56, piece_w = W >= 70 ? 14 : 8;
    int x_id = 6 + piece_w + 1, x_bar = x_id + (show_id ? 8 : 0);
    int fixed = x_bar + 1 + (show_before ? 9 : 0) + 8 + 3;
    int bar_w = W - fixed;
    if (bar_w > 60) bar_w = 60;
    if (bar_w < 4) bar_w = 4;
    int x_pb = x_bar + bar_w + 1, x_pa = x_pb + (show_before ? 9 : 0), x_mark = x_pa + 9;
    draw_text(a, r, 1, 5, C_DIM, "rank");
    draw_text(a, r, 6, piece_w, C_DIM, "token");
    if (show_id) draw_text(a, r, x_id, 7, C_DIM, "    id");
    draw_text_fit(a, r, x_bar, bar_w, C_DIM, "p before the cuts (bar) / after", "p (bar)");
    if (show_before) draw_text(a, r, x_pb, 8, C_DIM, "  before");
    draw_text(a, r, x_pa, 8, C_DIM, show_before ? "   after" : "       p");
    r++;
    float top = sr->probs_before[sr->order[0]];
    int cut_k = s->top_k > 0 && sr->kept_by_top_k < sr->V, cut_p = s->top_p < 1 && sr->kept_by_top_p < sr->kept_by_top_k;
    int greedy = s->greedy || s->temperature <= 0;
    int drawn_row = 0;
    for (int rank = 0; rank < sr->V && r < y + h; rank++) {
        int32_t id = sr->order[rank];
        float pb = sr->probs_before[id], pa = sr->probs_after[id];
        int kept = pa > 0;
        draw_piece(a, ctx->tok, id, piece, sizeof piece);
        int c = kept ? C_BAR : C_BARCUT;
        draw_textf(a, r, 1, 5, C_DIM, "%4d", rank + 1);
        int pw = draw_text(a, r, 6, piece_w, kept ? C_TOK0 + rank % 8 : C_BARCUT, piece);
        (void)pw;
        if (show_id) draw_textf(a, r, x_id, 6, C_DIM, "%6d", id);
        draw_bar(a, r, x_bar, bar_w, top > 0 ? pb / top : 0, c);
        if (show_before) draw_textf(a, r, x_pb, 8, kept ? C_NORMAL : C_BARCUT, "%7.2f%%", 100.0 * pb);
        draw_textf(a, r, x_pa, 8, kept ? C_NORMAL : C_BARCUT, "%7.2f%%", 100.0 * pa);
        if (id == sr->token) {
            draw_text(a, r, x_mark, W - x_mark, C_PICK, a->ascii ? "<" : "\xe2\x97\x80");
            drawn_row = 1;
        }
        r++;
        if (r >= y + h) break;
        if (greedy && rank == 0) { cut_line(a, r++, 1, W - 2, " greedy: only the most likely token is kept "); if (drawn_row) break; }
        else if (!greedy && cut_k && rank + 1 == sr->kept_by_top_k) {
            char lab[64];
            snprintf(lab, sizeof lab, " top-k cut: k=%d ", s->top_k);
            cut_line(a, r++, 1, W - 2, lab);
        } else if (!greedy && cut_p && rank + 1 == sr->kept_by_top_p) {
            char lab[64];
            snprintf(lab, sizeof lab, " top-p cut: mass >= %.2f ", s->top_p);
            cut_line(a, r++, 1, W - 2, lab);
        }
    }
}

static void set_topk(ui_app *a, int dir) {
    int k = a->ctx->sampling.top_k, i = 0;
    while (i < N_LADDER - 1 && topk_ladder[i] < k) i++;
    if (dir > 0) { if (topk_ladder[i] <= k && i < N_LADDER - 1) i++; }
    else if (i > 0 && topk_ladder[i] >= k) i--;
    a->ctx->sampling.top_k = topk_ladder[i];
}

int view_next_key(ui_app *a, int ch) {
    lm_sampling *s = &a->ctx->sampling;
    switch (ch) {
    case ' ': case 'n': {
        int rc = ses_step(a);
        if (rc < 0) ses_msg(a, 1, "%s", a->fwd_err[0] ? a->fwd_err : "cannot step");
        else if (rc == 1) ses_msg(a, 0, "the model chose a stop token");
        return 1;
    }
    case 'r':
        a->running = !a->running;
        ses_msg(a, 0, a->running ? "generating continuously (r stops)" : "stopped");
        return 1;
    case 'u': case KEY_BACKSPACE: case 127:
        if (ses_undo(a)) ses_msg(a, 0, "nothing to undo: only the prompt is left");
        return 1;
    case '0':
        ses_reencode(a);
        ses_msg(a, 0, "back to the prompt");
        return 1;
    case 't': s->temperature = s->temperature > 0.15f ? s->temperature - 0.1f : 0.05f; break;
    case 'T': s->temperature = s->temperature < 0.1f ? 0.1f : s->temperature + 0.1f;
        if (s->temperature > 5) s->temperature = 5;
        break;
    case 'k': set_topk(a, -1); break;
    case 'K': set_topk(a, +1); break;
    case 'p': s->top_p = s->top_p > 0.1f ? s->top_p - 0.05f : 0.05f; break;
    case 'P': s->top_p = s->top_p + 0.05f >= 0.999f ? 1.0f : s->top_p + 0.05f; break;
    case 'g': s->greedy = !s->greedy; break;
    case 's': if (a->ctx->seed > 0) a->ctx->seed--; ses_reseed(a); break;
    case 'S': a->ctx->seed++; ses_reseed(a); break;
    default: return 0;
    }
    s->temperature = roundf(s->temperature * 100) / 100;
    s->top_p = roundf(s->top_p * 100) / 100;
    a->sdirty = 1;   /* same logits, new cuts: only the sampler runs again */
    a->cmp_dirty = 1;
    return 1;
}
