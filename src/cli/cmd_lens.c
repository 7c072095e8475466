/* cmd_lens.c - `llmlab lens`: the logit lens. Each layer's residual stream
 * read through the final LayerNorm and the tied head, as if the model stopped
 * there: the top-1 guess at every position, the top K at one position, and
 * the probability of one target token layer by layer (models/gpt/lens.h). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/prompt.h"
#include "cli/show.h"
#include "decode/prefill.h"
#include "models/gpt/lens.h"

static const char *usage =
    "usage: llmlab lens [-m MODEL] [--target TOKEN] [--top K] [--pos P] [--chat]\n"
    "                   [--ablate L.H,...] PROMPT | -\n"
    "The logit lens: what each layer would predict if the model stopped there.\n"
    "Every layer's residual stream goes through the final LayerNorm and the\n"
    "tied head. 'emb' is the input embedding (layer 0), 'L1'..'LN' the stream\n"
    "after each block; the last is the model's own prediction.\n"
    "Prints one row per position (its input token, then each layer's top-1\n"
    "guess of the next token and its probability), the top K per layer at one\n"
    "position, and the probability and rank of TARGET at each layer.\n"
    "  -m MODEL           model file (default models/base.llm)\n"
    "  --target TOKEN     the token to follow: its text (one token, \\n etc. read\n"
    "                     as escapes) or id:N (default: the model's own top-1)\n"
    "  --top K            how many tokens each layer lists at the position (5)\n"
    "  --pos P            which position to read (0 = first; default the last)\n"
    "  -e, --escapes      read \\n, \\t and \\\\ in PROMPT as newline, tab, backslash\n"
    "  --chat             wrap PROMPT in the model's chat template\n" CLI_ABLATE_HELP;

/* a token's printable piece cut to w columns (one column per code point) */
static int cell_piece(const cli_ctx *ctx, int32_t id, int w, char *out, size_t cap) {
    size_t len;
    const uint8_t *b = lm_tok_piece(ctx->tok, id, &len);
    if (b) show_piece(b, len, !show_unicode_ok(), out, cap);
    else snprintf(out, cap, "<%d>", id);
    int cols = 0;
    for (char *s = out; *s; s++) {
        if (((unsigned char)*s & 0xC0) == 0x80) continue;   /* continuation byte */
        if (cols == w) { *s = '\0'; break; }
        cols++;
    }
    return cols;
}

static void put_piece(const cli_ctx *ctx, int32_t id, int w) {
    char piece[160];
    int cols = cell_piece(ctx, id, w, piece, sizeof piece);
    fprintf(ctx->out, "%s%*s", piece, w - cols, "");
}

static const char *row_name(int r, char *buf, size_t cap) {
    if (r == 0) snprintf(buf, cap, "emb");
    else snprintf(buf, cap, "L%d", r);
    return buf;
}

/* one line per position: its token, then every layer's top-1 guess */
static void print_grid(const cli_ctx *ctx, const lm_lens *lz, const int32_t *ids, size_t off) {
    char name[16];
    fprintf(ctx->out, "%-4s %-12s", "pos", "token");
    for (int r = 0; r < lz->n_rows; r++) fprintf(ctx->out, " %-16s", row_name(r, name, sizeof name));
    fputc('\n', ctx->out);
    for (int t = 0; t < lz->T; t++) {
        fprintf(ctx->out, "%-4d ", t);
        put_piece(ctx, ids[off + t], 12);
        for (int r = 0; r < lz->n_rows; r++) {
            int32_t id = lz->top[(size_t)r * lz->T + t];
            int hit = t == lz->pos && id == lz->target;
            fputc(' ', ctx->out);
            show_color(ctx->out, ctx->color, hit ? "1;32" : "0");
            put_piece(ctx, id, 10);
            fprintf(ctx->out, " %4.0f%%", 100.0 * lz->top_p[(size_t)r * lz->T + t]);
            show_reset(ctx->out, ctx->color);
        }
        fputc('\n', ctx->out);
    }
}

static void print_position(const cli_ctx *ctx, const lm_lens *lz) {
    char name[16], piece[160], bar[160];
    fprintf(ctx->out, "\ntop %d at position %d, layer by layer:\n", lz->k, lz->pos);
    for (int r = 0; r < lz->n_rows; r++) {
        fprintf(ctx->out, "  %-4s", row_name(r, name, sizeof name));
        for (int i = 0; i < lz->k; i++) {
            int32_t id = lz->topk[(size_t)r * lz->k + i];
            cell_piece(ctx, id, 14, piece, sizeof piece);
            fprintf(ctx->out, "  %s %.1f%%", piece, 100.0 * lz->topk_p[(size_t)r * lz->k + i]);
        }
        fputc('\n', ctx->out);
    }
    cell_piece(ctx, lz->target, 30, piece, sizeof piece);
    fprintf(ctx->out, "\nprobability of %s (id %d) at position %d, layer by layer:\n", piece,
            lz->target, lz->pos);
    for (int r = 0; r < lz->n_rows; r++) {
        show_bar(lz->target_p[r], 30, !show_unicode_ok(), bar, sizeof bar);
        fprintf(ctx->out, "  %-4s %7.2f%%  rank %-5d ", row_name(r, name, sizeof name),
                100.0 * lz->target_p[r], lz->target_rank[r] + 1);
        show_color(ctx->out, ctx->color, "32");
        fputs(bar, ctx->out);
        show_reset(ctx->out, ctx->color);
        fputc('\n', ctx->out);
    }
}

/* --target: "id:N" or the text of exactly one token; -1 on error (printed) */
static int parse_target(cli_ctx *ctx, const char *s, int32_t *out) {
    const int V = ctx->model.cfg.vocab_size;
    if (strncmp(s, "id:", 3) == 0) {
        int id;
        if (cli_parse_int(ctx, "lens", "--target id:", s + 3, 0, V - 1, &id)) return -1;
        *out = id;
        return 0;
    }
    size_t len = strlen(s);
    uint8_t *text = malloc(len + 1);
    if (!text) return -1;
    memcpy(text, s, len + 1);
    len = cli_unescape(text, len);
    lm_ids ids = {0};
    lm_err err = {{0}};
    int rc = lm_tok_encode(ctx->tok, text, len, 1, &ids, &err);
    free(text);
    if (rc == 0 && ids.n == 1) *out = ids.ids[0];
    else if (rc == 0)
        fprintf(ctx->err, "llmlab lens: --target '%s' is %zu tokens, not one "
                "(try it with a leading space, or id:N)\n", s, ids.n);
    else fprintf(ctx->err, "llmlab lens: --target: %s\n", err.msg);
    rc = rc == 0 && ids.n == 1 ? 0 : -1;
    lm_ids_free(&ids);
    return rc;
}

static int run_lens(cli_ctx *ctx, const cli_prompt *p, const char *target_s, int k, int pos) {
    lm_err err = {{0}};
    size_t off = 0;
    int32_t target = -1;
    if (target_s && parse_target(ctx, target_s, &target)) return 2;
    if (lm_prefill_window(&ctx->model, p->ids.ids, p->ids.n, &off, &err) != 0) {
        fprintf(ctx->err, "llmlab lens: %s\n", err.msg);
        return 1;
    }
    int T = (int)(p->ids.n - off);
    if (pos >= T) {
        fprintf(ctx->err, "llmlab lens: --pos %d: the prompt has positions 0..%d\n", pos, T - 1);
        return 2;
    }
    lm_lens lz;
    if (lm_lens_compute(&lz, &ctx->model, 0, pos, target, k, &err) != 0) {
        fprintf(ctx->err, "llmlab lens: %s\n", err.msg);
        return 1;
    }
    char heads[256];
    fprintf(ctx->out, "logit lens over %d token%s; %d layers; top-1 guess (probability) "
            "for the token after each position\n", T, T == 1 ? "" : "s", ctx->model.cfg.n_layer);
    if (lm_ablation_format(&ctx->model, heads, sizeof heads) > 0)
        fprintf(ctx->out, "heads knocked out: %s\n", heads);
    print_grid(ctx, &lz, p->ids.ids, off);
    print_position(ctx, &lz);
    lm_lens_free(&lz);
    return 0;
}

int cmd_lens(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, CLI_PROMPT_LONGOPTS, {"target", required_argument, 0, 't'},
        {"top", required_argument, 0, 'k'}, {"pos", required_argument, 0, 'p'}, {0, 0, 0, 0}};
    cli_prompt_opts po = {0};
    int k = 5, pos = -1;
    const char *target = NULL;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "ehm:", longopts, NULL)) != -1) {
        if (cli_prompt_option(c, optarg, &po)) continue;
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 't': target = optarg; break;
        case 'k': if (cli_parse_int(ctx, "lens", "--top", optarg, 1, 50, &k)) return 2; break;
        case 'p': if (cli_parse_int(ctx, "lens", "--pos", optarg, 0, 1 << 20, &pos)) return 2; break;
        default: return cli_usage_error(ctx, "lens", "unknown option or missing value");
        }
    }
    if (cli_ensure_decoder(ctx, "lens", po.model)) return 1;
    cli_prompt p;   /* already clipped to the last n_ctx tokens (saying so) */
    if (cli_prompt_read(ctx, "lens", argc, argv, optind, po.chat, po.escapes, &p)) return 2;
    if (cli_prompt_ablate(ctx, "lens", &po, &p)) return 2;
    int rc = run_lens(ctx, &p, target, k, pos);
    cli_prompt_free(&p);
    return rc;
}
