/* cmd_attention.c - `llmlab attention`: one head's attention matrix with
 * token labels, as shaded cells or CSV. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/prompt.h"
#include "cli/show.h"
#include "decode/prefill.h"
#include "ui/export.h"

static const char *usage =
    "usage: llmlab attention [-m MODEL] [--layer L] [--head H] [--csv | --svg FILE] [--chat] PROMPT | -\n"
    "Shows how much each token (row, the query) attends to each earlier token\n"
    "(column, the key) in one head. Rows sum to 1; the upper triangle is the\n"
    "causal mask. An encoder (`llmlab mlm`) has no mask: each token attends to\n"
    "the tokens after it too. Layers and heads count from 0.\n"
    "  -m MODEL      model file (default models/base.llm)\n"
    "  --layer L     which block (default 0)\n"
    "  --head H      which head (default 0)\n"
    "  --csv         print the matrix as CSV with a header row of tokens\n"
    "  --chat        wrap PROMPT in the model's chat template\n"
    CLI_ABLATE_HELP
    "  -e            read \\n, \\t and \\\\ in PROMPT as newline, tab, backslash\n" EXPORT_HELP;

/* CSV field: quotes doubled, always quoted */
static void csv_field(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* terminal columns of a UTF-8 label (one per code point: labels hold no wide
 * characters we pad around) */
static int label_cols(const char *s) {
    int n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* the label cut or padded to exactly `width` columns, then a space */
static void print_label(FILE *f, const char *s, int width) {
    int cols = 0;
    for (; *s && cols < width; cols++) {
        int len = 1;
        while ((s[len] & 0xC0) == 0x80) len++;
        fwrite(s, 1, (size_t)len, f);
        s += len;
    }
    fprintf(f, "%*s ", width - cols, "");
}

/* one label per token ([T][64], shown as the tokeniser's piece), and the
 * label column's width (4..14); NULL when out of memory */
static char (*token_labels(const lm_tokenizer *tok, const int32_t *ids, int T, int *width))[64] {
    char (*labels)[64] = calloc((size_t)T, sizeof *labels);
    if (!labels) return NULL;
    *width = 4;
    for (int t = 0; t < T; t++) {
        size_t len;
        const uint8_t *b = lm_tok_piece(tok, ids[t], &len);
        if (b) show_piece(b, len, !show_unicode_ok(), labels[t], sizeof labels[t]);
        else snprintf(labels[t], sizeof labels[t], "<%d>", ids[t]);
        int cols = label_cols(labels[t]);
        if (cols > *width) *width = cols > 14 ? 14 : cols;
    }
    return labels;
}

/* att [T, T] as CSV: a header row of key tokens, then one row per query */
static void print_csv(FILE *out, const float *att, char (*labels)[64], int T) {
    fputs("query", out);
    for (int j = 0; j < T; j++) { fputc(',', out); csv_field(out, labels[j]); }
    fputc('\n', out);
    for (int i = 0; i < T; i++) {
        csv_field(out, labels[i]);
        for (int j = 0; j < T; j++) fprintf(out, ",%.6f", att[(size_t)i * T + j]);
        fputc('\n', out);
    }
}

/* att [T, T] as shaded cells, a row per query with its strongest key */
static void print_shades(FILE *out, const float *att, char (*labels)[64], int T, int width, int layer,
                         int head, int causal) {
    /* shades from light to dark; '.' marks the causal mask (an encoder has none) */
    static const char *shades_u[] = {" ", "\xe2\x96\x91", "\xe2\x96\x92", "\xe2\x96\x93", "\xe2\x96\x88"};
    static const char *shades_a[] = {" ", ".", ":", "*", "#"};
    const char **shade = show_unicode_ok() ? shades_u : shades_a;
    fprintf(out, "layer %d, head %d: row = query token, column = key token (numbered as the rows)%s\n",
            layer, head, causal ? "" : "; no mask: an encoder");
    /* column header: key positions, tens digit over units digit */
    for (int d = 0; d < 2; d++) {
        if (T < 10 && d == 0) continue;
        fprintf(out, "%3s %-*s ", "", width, d ? "key" : "");
        for (int j = 0; j < T; j++) fputc(d ? '0' + j % 10 : (j >= 10 ? '0' + (j / 10) % 10 : ' '), out);
        fputc('\n', out);
    }
    for (int i = 0; i < T; i++) {
        fprintf(out, "%3d ", i);
        print_label(out, labels[i], width);
        for (int j = 0; j < T; j++) {
            if (causal && j > i) { fputs(show_unicode_ok() ? "\xc2\xb7" : " ", out); continue; }
            float a = att[(size_t)i * T + j];
            int s = a <= 0.02f ? 0 : a < 0.1f ? 1 : a < 0.3f ? 2 : a < 0.6f ? 3 : 4;
            fputs(shade[s], out);
        }
        int best = 0;
        for (int j = 1; j < (causal ? i + 1 : T); j++)
            if (att[(size_t)i * T + j] > att[(size_t)i * T + best]) best = j;
        fprintf(out, "  max %.2f at %d %s\n", att[(size_t)i * T + best], best, labels[best]);
    }
}

/* --svg / --ansi / --text: the UI's attention panel for the prompt and head */
static int export_attention(cli_ctx *ctx, const cli_prompt *p, const export_cli *e, int chat, int layer, int head) {
    export_panel_opts o = {.panel = "attention", .cols = e->cols, .rows = e->rows, .hc = e->hc, .chat = chat,
                           .layer = layer, .head = head, .ascii = e->format != EXPORT_SVG && !show_unicode_ok()};
    if (export_panel(ctx, "attention", &p->ids, &o, e->format, e->path)) return 1;
    if (strcmp(e->path, "-") != 0)
        fprintf(ctx->out, "wrote %s (%s, %dx%d cells)\n", e->path, export_format_name(e->format), e->cols, e->rows);
    return 0;
}

int cmd_attention(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},        {"layer", required_argument, 0, 'l'},
        {"head", required_argument, 0, 'H'},  {"csv", no_argument, 0, 'c'},
        CLI_PROMPT_LONGOPTS,                  EXPORT_LONGOPTS,
        {0, 0, 0, 0}};
    cli_prompt_opts po = {0};
    export_cli ex = {0};
    int layer = 0, head = 0, csv = 0;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "ehm:", longopts, NULL)) != -1) {
        if (cli_prompt_option(c, optarg, &po)) continue;
        int e = export_cli_option(ctx, "attention", c, optarg, &ex);
        if (e < 0) return 2;
        if (e > 0) continue;
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'l': if (cli_parse_int(ctx, "attention", "--layer", optarg, 0, 1000, &layer)) return 2; break;
        case 'H': if (cli_parse_int(ctx, "attention", "--head", optarg, 0, 1000, &head)) return 2; break;
        case 'c': csv = 1; break;
        default: return cli_bad_option(ctx, "attention", argc, argv, "ehm:", longopts);
        }
    }
    if (cli_ensure_model(ctx, po.model)) return 1;
    const lm_config *cfg = &ctx->model.cfg;
    if (layer >= cfg->n_layer || head >= cfg->n_head) {
        fprintf(ctx->err, "llmlab attention: this model has layers 0..%d and heads 0..%d\n",
                cfg->n_layer - 1, cfg->n_head - 1);
        return 2;
    }
    cli_prompt p;   /* already clipped to the last n_ctx tokens (saying so) */
    if (cli_prompt_read(ctx, "attention", argc, argv, optind, po.chat, po.escapes, &p)) return 2;
    if (cli_prompt_ablate(ctx, "attention", &po, &p)) return 2;
    if (ex.path) {
        int rc = export_attention(ctx, &p, &ex, po.chat, layer, head);
        cli_prompt_free(&p);
        return rc;
    }
    lm_err err = {{0}};
    size_t off = 0;
    if (lm_prefill_window(&ctx->model, p.ids.ids, p.ids.n, &off, &err)) {
        fprintf(ctx->err, "llmlab attention: %s\n", err.msg);
        cli_prompt_free(&p);
        return 1;
    }
    const int T = (int)(p.ids.n - off);
    const float *att = lm_attention_probs(&ctx->model, layer, 0, head);   /* [T, T] */
    int width;
    char (*labels)[64] = token_labels(ctx->tok, p.ids.ids + off, T, &width);
    if (!labels) { cli_prompt_free(&p); return 1; }
    if (csv) print_csv(ctx->out, att, labels, T);
    else print_shades(ctx->out, att, labels, T, width, layer, head, !ctx->model.bidirectional);
    free(labels);
    cli_prompt_free(&p);
    return 0;
}
