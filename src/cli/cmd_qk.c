/* cmd_qk.c - `llmlab qk`: inside one attention head. The Q.K scores of every
 * query and key before the causal mask, after it, and after the softmax; the
 * q, k and v of one position; what the head adds to the residual stream and
 * each head's share of the layer's attention output (models/gpt/inside.h). */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/prompt.h"
#include "cli/show.h"
#include "decode/prefill.h"
#include "models/gpt/inside.h"

static const char *usage =
    "usage: llmlab qk [-m MODEL] --layer L --head H [--pos P] [--chat] [--ablate L.H,...] PROMPT | -\n"
    "Attention inside one head, as a soft lookup. Every position i asks with a\n"
    "query q_i; every position j answers with a key k_j and offers a value v_j.\n"
    "Prints three T x T matrices (row = query i, column = key j):\n"
    "  scores   q_i . k_j / sqrt(head width), before the mask\n"
    "  masked   the same with -inf where j > i (a token cannot see the future)\n"
    "  softmax  each masked row through softmax: the attention probabilities\n"
    "then q, k and v of position P (a sparkline from most negative to most\n"
    "positive, with the norm), the head's output (the probability-weighted sum\n"
    "of the values), its contribution to the residual stream through its slice\n"
    "of W_o, and every head's share of the layer's attention output.\n"
    "Layers, heads and positions count from 0.\n"
    "  -m MODEL      model file (default models/base.llm)\n"
    "  --layer L     which block (default 0)\n"
    "  --head H      which head (default 0)\n"
    "  --pos P       the position whose vectors are shown (default the last)\n"
    "  -e            read \\n, \\t and \\\\ in PROMPT as newline, tab, backslash\n"
    "  --chat        wrap PROMPT in the model's chat template\n" CLI_ABLATE_HELP;

/* a token's piece cut to w columns, then padded when pad is set */
static void put_piece_pad(const cli_ctx *ctx, int32_t id, int w, int pad) {
    char piece[160];
    size_t len;
    const uint8_t *b = lm_tok_piece(ctx->tok, id, &len);
    if (b) show_piece(b, len, !show_unicode_ok(), piece, sizeof piece);
    else snprintf(piece, sizeof piece, "<%d>", id);
    int cols = 0;
    for (char *s = piece; *s; s++) {
        if (((unsigned char)*s & 0xC0) == 0x80) continue;
        if (cols == w) { *s = '\0'; break; }
        cols++;
    }
    fprintf(ctx->out, "%s%*s", piece, pad ? w - cols : 0, "");
}

static void put_piece(const cli_ctx *ctx, int32_t id, int w) { put_piece_pad(ctx, id, w, 1); }

static void print_matrix(const cli_ctx *ctx, const char *title, const float *A, int T,
                         const int32_t *ids, int is_prob) {
    fprintf(ctx->out, "\n%s\n%-3s %-8s", title, "", "");
    for (int j = 0; j < T; j++) fprintf(ctx->out, " %6d", j);
    fputc('\n', ctx->out);
    for (int i = 0; i < T; i++) {
        fprintf(ctx->out, "%-3d ", i);
        put_piece(ctx, ids[i], 8);
        for (int j = 0; j < T; j++) {
            float v = A[(size_t)i * T + j];
            if (isinf(v)) fprintf(ctx->out, " %6s", "-inf");
            else if (is_prob && j > i && !ctx->model.bidirectional) fprintf(ctx->out, " %6s", ".");
            else fprintf(ctx->out, " %6.2f", v);
        }
        fputc('\n', ctx->out);
    }
}

/* a vector as one line of levels from its most negative (lowest) to its most
 * positive (highest) value, symmetric around 0 */
static void sparkline(const cli_ctx *ctx, const float *x, int n) {
    static const char *uni[8] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
                                 "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"};
    static const char asc[] = "_.-:=+*#";
    float mx = 0;
    for (int i = 0; i < n; i++) mx = fabsf(x[i]) > mx ? fabsf(x[i]) : mx;
    int ascii = !show_unicode_ok();
    for (int i = 0; i < n; i++) {
        int lv = mx > 0 ? (int)((x[i] / mx + 1.0f) * 0.5f * 7.0f + 0.5f) : 4;
        if (ascii) fputc(asc[lv], ctx->out);
        else fputs(uni[lv], ctx->out);
    }
}

static void print_vec(const cli_ctx *ctx, const char *name, const float *x, int n, float norm) {
    float lo = x[0], hi = x[0];
    for (int i = 1; i < n; i++) { lo = x[i] < lo ? x[i] : lo; hi = x[i] > hi ? x[i] : hi; }
    fprintf(ctx->out, "  %-2s norm %8.4f  [%d]  min %7.3f max %7.3f  ", name, norm, n, lo, hi);
    sparkline(ctx, x, n);
    fputc('\n', ctx->out);
}

static void print_vectors(const cli_ctx *ctx, const lm_qk *q, const int32_t *ids) {
    char bar[160];
    fprintf(ctx->out, "\nposition %d (", q->pos);
    put_piece_pad(ctx, ids[q->pos], 16, 0);
    fprintf(ctx->out, "): q, k, v of head %d.%d%s\n", q->layer, q->head,
            q->rotary ? " (q and k after the rotary rotation)" : "");
    print_vec(ctx, "q", q->q, q->hd, q->q_norm);
    print_vec(ctx, "k", q->k, q->hd, q->k_norm);
    print_vec(ctx, "v", q->v, q->hd, q->v_norm);
    fprintf(ctx->out, "head output y = sum_j p[%d,j] v_j:\n", q->pos);
    print_vec(ctx, "y", q->y, q->hd, q->y_norm);
    fprintf(ctx->out, "added to the residual stream, W_o[:, head %d] y: norm %.4f [%d]\n", q->head,
            q->contrib_norm, q->C);
    fprintf(ctx->out, "layer %d attention output at position %d (all heads + b_o): norm %.4f\n", q->layer,
            q->pos, q->attn_norm);
    fprintf(ctx->out, "each head's share of the heads' contribution norms:\n");
    for (int h = 0; h < q->H; h++) {
        show_bar(q->head_share[h], 30, !show_unicode_ok(), bar, sizeof bar);
        fprintf(ctx->out, "  %shead %d  norm %8.4f  share %5.1f%%  ", h == q->head ? "*" : " ", h,
                q->head_norm[h], 100.0 * q->head_share[h]);
        show_color(ctx->out, ctx->color, "32");
        fputs(bar, ctx->out);
        show_reset(ctx->out, ctx->color);
        fputc('\n', ctx->out);
    }
}

static int run_qk(cli_ctx *ctx, const cli_prompt *p, int layer, int head, int pos) {
    lm_err err = {{0}};
    size_t off = 0;
    if (lm_prefill_window(&ctx->model, p->ids.ids, p->ids.n, &off, &err) != 0) {
        fprintf(ctx->err, "llmlab qk: %s\n", err.msg);
        return 1;
    }
    lm_qk q;
    if (lm_qk_compute(&q, &ctx->model, 0, layer, head, pos, &err) != 0) {
        fprintf(ctx->err, "llmlab qk: %s\n", err.msg);
        return 2;
    }
    const int32_t *ids = p->ids.ids + off;
    fprintf(ctx->out, "head %d.%d (layer %d, head %d) over %d tokens; head width %d; positions %s\n",
            layer, head, layer, head, q.T, q.hd, lm_pos_name(ctx->model.cfg.pos));
    char title[128];
    snprintf(title, sizeof title, "scores q.k/sqrt(%d) before the mask (row = query, column = key):", q.hd);
    print_matrix(ctx, title, q.scores, q.T, ids, 0);
    print_matrix(ctx, q.causal ? "after the causal mask (-inf: a key in the future):"
                               : "no mask: an encoder's query sees every key, before and after it:",
                 q.masked, q.T, ids, 0);
    print_matrix(ctx, "after softmax (each row sums to 1; the attention probabilities):", q.probs, q.T, ids, 1);
    print_vectors(ctx, &q, ids);
    lm_qk_free(&q);
    return 0;
}

int cmd_qk(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, CLI_PROMPT_LONGOPTS, {"layer", required_argument, 0, 'l'},
        {"head", required_argument, 0, 'H'}, {"pos", required_argument, 0, 'p'}, {0, 0, 0, 0}};
    cli_prompt_opts po = {0};
    int layer = 0, head = 0, pos = -1;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "ehm:", longopts, NULL)) != -1) {
        if (cli_prompt_option(c, optarg, &po)) continue;
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'l': if (cli_parse_int(ctx, "qk", "--layer", optarg, 0, 1 << 20, &layer)) return 2; break;
        case 'H': if (cli_parse_int(ctx, "qk", "--head", optarg, 0, 1 << 20, &head)) return 2; break;
        case 'p': if (cli_parse_int(ctx, "qk", "--pos", optarg, 0, 1 << 20, &pos)) return 2; break;
        default: return cli_usage_error(ctx, "qk", "unknown option or missing value");
        }
    }
    if (cli_ensure_model(ctx, po.model)) return 1;
    cli_prompt p;
    if (cli_prompt_read(ctx, "qk", argc, argv, optind, po.chat, po.escapes, &p)) return 2;
    if (cli_prompt_ablate(ctx, "qk", &po, &p)) return 2;
    int rc = run_qk(ctx, &p, layer, head, pos);
    cli_prompt_free(&p);
    return rc;
}
