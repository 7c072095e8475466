/* view_next.c - the main view: the prompt's tokens as a strip, the next-token
 * distribution as bars (before and after the cuts, with the top-k and top-p
 * cut lines drawn where they fall), the decoding controls, and step / undo /
 * continuous generation. Everything drawn comes from ses_refresh (the core's
 * lm_forward + lm_sample). */
#include "app.h"

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
    draw_textf(a, y, 1, W - 2, C_DIM, "%zu tokens (prompt %zu + generated %zu) under %s%s%s", a->seq.n,
               a->n_prompt, n_gen, lm_tok_name(ctx->tok), a->chat ? ", chat template" : "",
               a->running ? "  [generating: r stops]" : "");
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
    int x = 1;
    x += draw_textf(a, r, x, W - x, C_NORMAL, "temperature %s", te);
    x += draw_text(a, r, x, W - x, C_KEY, " [t/T]  ");
    x += draw_textf(a, r, x, W - x, C_NORMAL, "top-k %s", tk);
    x += draw_text(a, r, x, W - x, C_KEY, " [k/K]  ");
    x += draw_textf(a, r, x, W - x, C_NORMAL, "top-p %s", tp);
    x += draw_text(a, r, x, W - x, C_KEY, " [p/P]  ");
    x += draw_text(a, r, x, W - x, s->greedy ? C_OK : C_NORMAL, s->greedy ? "greedy" : "sampled");
    x += draw_text(a, r, x, W - x, C_KEY, " [g]  ");
    x += draw_textf(a, r, x, W - x, C_NORMAL, "seed %llu", (unsigned long long)ctx->seed);
    draw_text(a, r, x, W - x, C_KEY, " [s/S]");
    r++;
    if (!a->sres_ok) {
        draw_text(a, r + 1, 2, W - 4, C_ERR, a->fwd_err);
        return;
    }
    const lm_sample_result *sr = &a->sres;
    char piece[128];
    draw_piece(a, ctx->tok, sr->token, piece, sizeof piece);
    if (r < y + h) {
        x = 1;
        x += draw_textf(a, r, x, W - x, C_DIM, "V=%d -> top-k keeps %d -> top-p keeps %d -> draw: ", sr->V,
                        sr->kept_by_top_k, sr->kept_by_top_p);
        x += draw_text(a, r, x, W - x, C_PICK, piece);
        draw_textf(a, r, x, W - x, C_DIM, " (id %d, p=%.3f)  space: take it  u: undo  r: run", sr->token,
                   sr->probs_after[sr->token]);
        r++;
    }
    if (r + 1 >= y + h) return;
    /* bar columns */
    int piece_w = 14, bar_w = W - 1 - 5 - piece_w - 7 - 20;
    if (bar_w > 60) bar_w = 60;
    if (bar_w < 4) { bar_w = 4; piece_w = W - 1 - 5 - 7 - 20 - bar_w; if (piece_w < 4) piece_w = 4; }
    draw_textf(a, r++, 1, W - 2, C_DIM, "rank %-*s %6s  %-*s %8s  %8s", piece_w, "token", "id", bar_w,
               "p before the cuts (bar) / after", "before", "after");
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
        draw_textf(a, r, 6 + piece_w + 1, 6, C_DIM, "%6d", id);
        draw_bar(a, r, 6 + piece_w + 9, bar_w, top > 0 ? pb / top : 0, c);
        draw_textf(a, r, 6 + piece_w + 10 + bar_w, 20, kept ? C_NORMAL : C_BARCUT, "%7.2f%% %7.2f%%",
                   100.0 * pb, 100.0 * pa);
        if (id == sr->token) {
            draw_text(a, r, 6 + piece_w + 10 + bar_w + 18, W - (6 + piece_w + 10 + bar_w + 18), C_PICK,
                      a->ascii ? "<" : "\xe2\x97\x80");
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
