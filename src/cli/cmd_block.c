/* cmd_block.c - `llmlab block`: one position's path through one transformer
 * block, step by step with each vector's size and norm; and `llmlab
 * positions`: the model's position encodings (models/gpt/inside.h). */
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

static const char *usage_block =
    "usage: llmlab block [-m MODEL] --layer L [--pos P] [--chat] [--ablate L.H,...] PROMPT | -\n"
    "One position's path through one block (pre-LayerNorm, as GPT-2):\n"
    "  x -> LN1 -> attention -> x + attn -> LN2 -> MLP up -> GELU -> MLP down -> x + mlp\n"
    "Prints each step's vector size and L2 norm, the mean and standard\n"
    "deviation each LayerNorm removes, and the fraction of MLP units that are\n"
    "active (pre-activation > 0). Layers and positions count from 0.\n"
    "  -m MODEL      model file (default models/base.llm)\n"
    "  --layer L     which block (default 0)\n"
    "  --pos P       which position (default the last)\n"
    "  -e            read \\n, \\t and \\\\ in PROMPT as newline, tab, backslash\n"
    "  --chat        wrap PROMPT in the model's chat template\n" CLI_ABLATE_HELP;

static const char *usage_pos =
    "usage: llmlab positions [-m MODEL] [--dims D] [--every N]\n"
    "The model's position encodings, one row per position:\n"
    "  learned     the trained table wpe (positions x width)\n"
    "  sinusoidal  the fixed table sin/cos(pos / 10000^(2i/C))\n"
    "  rotary      nothing is added; q and k of pair i are turned by the angle\n"
    "              pos * 10000^(-2i/hd) (shown as cos(angle))\n"
    "Each row: its norm, the cosine similarity with the previous row, and its\n"
    "first D values as a sparkline (lowest = most negative).\n"
    "  -m MODEL      model file (default models/base.llm)\n"
    "  --dims D      how many dimensions the sparkline shows (default 48)\n"
    "  --every N     print every N-th position (default 1)\n";

static void sparkline(FILE *f, const float *x, int n, float mx) {
    static const char *uni[8] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
                                 "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"};
    static const char asc[] = "_.-:=+*#";
    int ascii = !show_unicode_ok();
    for (int i = 0; i < n; i++) {
        int lv = mx > 0 ? (int)((x[i] / mx + 1.0f) * 0.5f * 7.0f + 0.5f) : 4;
        lv = lv < 0 ? 0 : lv > 7 ? 7 : lv;
        if (ascii) fputc(asc[lv], f);
        else fputs(uni[lv], f);
    }
}

static const char *step_note(const lm_block_trace *bt, int s, char *buf, size_t cap) {
    buf[0] = '\0';
    if (s == LM_BLOCK_X) snprintf(buf, cap, "mean %.4f std %.4f", bt->ln1_mean, bt->ln1_std);
    else if (s == LM_BLOCK_LN1) snprintf(buf, cap, "(x - mean) / std, times w1 plus b1");
    else if (s == LM_BLOCK_ATTN) snprintf(buf, cap, "what the heads add (through W_o)");
    else if (s == LM_BLOCK_MID) snprintf(buf, cap, "residual add; mean %.4f std %.4f", bt->ln2_mean, bt->ln2_std);
    else if (s == LM_BLOCK_LN2) snprintf(buf, cap, "(x - mean) / std, times w2 plus b2");
    else if (s == LM_BLOCK_UP) snprintf(buf, cap, "%.1f%% of units active (> 0)", 100.0 * bt->frac_active);
    else if (s == LM_BLOCK_ACT) snprintf(buf, cap, "the nonlinearity, unit by unit");
    else if (s == LM_BLOCK_DOWN) snprintf(buf, cap, "what the MLP adds");
    else snprintf(buf, cap, "residual add: the block's output");
    return buf;
}

static int run_block(cli_ctx *ctx, const cli_prompt *p, int layer, int pos) {
    lm_err err = {{0}};
    size_t off = 0;
    if (lm_prefill_window(&ctx->model, p->ids.ids, p->ids.n, &off, &err) != 0) {
        fprintf(ctx->err, "llmlab block: %s\n", err.msg);
        return 1;
    }
    lm_block_trace bt;
    if (lm_block_trace_compute(&bt, &ctx->model, 0, layer, pos, &err) != 0) {
        fprintf(ctx->err, "llmlab block: %s\n", err.msg);
        return 2;
    }
    char piece[160], note[160];
    size_t len;
    const uint8_t *b = lm_tok_piece(ctx->tok, p->ids.ids[off + bt.pos], &len);
    if (b) show_piece(b, len, !show_unicode_ok(), piece, sizeof piece);
    else snprintf(piece, sizeof piece, "?");
    fprintf(ctx->out, "block %d at position %d (%s) of %d tokens; width %d, MLP %d, %s\n", bt.layer,
            bt.pos, piece, bt.T, bt.C, bt.M, lm_act_name(bt.act));
    fprintf(ctx->out, "%-10s %5s %10s\n", "step", "size", "norm");
    for (int s = 0; s < LM_BLOCK_STEPS; s++)
        fprintf(ctx->out, "%-10s %5d %10.4f   %s\n", bt.step[s].name, bt.step[s].size, bt.step[s].norm,
                step_note(&bt, s, note, sizeof note));
    lm_block_trace_free(&bt);
    return 0;
}

int cmd_block(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, CLI_PROMPT_LONGOPTS, {"layer", required_argument, 0, 'l'},
        {"pos", required_argument, 0, 'p'}, {0, 0, 0, 0}};
    cli_prompt_opts po = {0};
    int layer = 0, pos = -1;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "ehm:", longopts, NULL)) != -1) {
        if (cli_prompt_option(c, optarg, &po)) continue;
        switch (c) {
        case 'h': fputs(usage_block, ctx->out); return 0;
        case 'l': if (cli_parse_int(ctx, "block", "--layer", optarg, 0, 1 << 20, &layer)) return 2; break;
        case 'p': if (cli_parse_int(ctx, "block", "--pos", optarg, 0, 1 << 20, &pos)) return 2; break;
        default: return cli_usage_error(ctx, "block", "unknown option or missing value");
        }
    }
    if (cli_ensure_model(ctx, po.model)) return 1;
    cli_prompt p;
    if (cli_prompt_read(ctx, "block", argc, argv, optind, po.chat, po.escapes, &p)) return 2;
    if (cli_prompt_ablate(ctx, "block", &po, &p)) return 2;
    int rc = run_block(ctx, &p, layer, pos);
    cli_prompt_free(&p);
    return rc;
}

/* ------------------------------------------------------------ positions */

static void print_positions(cli_ctx *ctx, const lm_positions *ps, int dims, int every) {
    int D = ps->n_dim, rot = ps->kind == LM_POS_ROTARY;
    if (dims > D) dims = D;
    float *row = malloc(sizeof(float) * D);
    if (!row) return;
    float mx = 0;
    for (size_t i = 0; !rot && i < (size_t)ps->n_pos * D; i++) mx = fabsf(ps->table[i]) > mx ? fabsf(ps->table[i]) : mx;
    if (rot) {
        mx = 1;
        fprintf(ctx->out, "rotary: nothing is added to the embeddings; q and k are rotated in %d pairs per head\n", D);
        fprintf(ctx->out, "pair  frequency   wavelength (positions)\n");
        for (int i = 0; i < D; i += (D > 8 ? D / 8 : 1))
            fprintf(ctx->out, "%-5d %-11.6f %.1f\n", i, ps->freq[i], 2 * M_PI / ps->freq[i]);
        fprintf(ctx->out, "%-4s %8s %10s  cos(angle) of pairs 0..%d\n", "pos", "norm", "cos(prev)", dims - 1);
    } else {
        fprintf(ctx->out, "%s: %d positions x %d dimensions, values in [-%.3f, %.3f]\n",
                ps->kind == LM_POS_LEARNED ? "learned (wpe)" : "sinusoidal", ps->n_pos, D, mx, mx);
        fprintf(ctx->out, "%-4s %8s %10s  dimensions 0..%d\n", "pos", "norm", "cos(prev)", dims - 1);
    }
    for (int p = 0; p < ps->n_pos; p += every) {
        const float *r = ps->table + (size_t)p * D;
        for (int i = 0; i < D; i++) row[i] = rot ? cosf(r[i]) : r[i];
        fprintf(ctx->out, "%-4d %8.4f %10.4f  ", p, ps->row_norm[p], ps->cos_prev[p]);
        sparkline(ctx->out, row, dims, mx);
        fputc('\n', ctx->out);
    }
    free(row);
}

int cmd_positions(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, {"model", required_argument, 0, 'm'},
        {"dims", required_argument, 0, 'd'}, {"every", required_argument, 0, 'n'}, {0, 0, 0, 0}};
    const char *model = NULL;
    int dims = 48, every = 1;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "hm:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage_pos, ctx->out); return 0;
        case 'm': model = optarg; break;
        case 'd': if (cli_parse_int(ctx, "positions", "--dims", optarg, 1, 4096, &dims)) return 2; break;
        case 'n': if (cli_parse_int(ctx, "positions", "--every", optarg, 1, 1 << 20, &every)) return 2; break;
        default: return cli_usage_error(ctx, "positions", "unknown option or missing value");
        }
    }
    if (optind < argc) return cli_usage_error(ctx, "positions", "takes no arguments");
    if (cli_ensure_model(ctx, model)) return 1;
    lm_positions ps;
    lm_err err = {{0}};
    if (lm_positions_compute(&ps, &ctx->model, &err)) {
        fprintf(ctx->err, "llmlab positions: %s\n", err.msg);
        return 1;
    }
    print_positions(ctx, &ps, dims, every);
    lm_positions_free(&ps);
    return 0;
}
