/* cmd_next.c - `llmlab next`: the next-token distribution as bars, with
 * where the temperature, top-k and top-p cuts fall. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/prompt.h"
#include "cli/show.h"
#include "decode/prefill.h"
#include "models/lmodel.h"
#include "ui/export.h"

static const char *usage =
    "usage: llmlab next [-m MODEL] [--rows N] [--chat] [sampling options] [--svg FILE] PROMPT | -\n"
    "Shows the N most likely next tokens after PROMPT as bars (default N=10).\n"
    "The first number is the probability after temperature, the second after\n"
    "the top-k and top-p cuts; tokens cut away are marked '-'.\n"
    "  -m MODEL           model file (default models/base.llm): a transformer or any\n"
    "                     other language-model kind (n-gram, feed-forward, RNN)\n"
    "  --rows N           how many tokens to list (not a cut: --top-k K is the cut)\n"
    "  -k N               old name of --rows (deprecated: it never was the top-k cut)\n"
    "  -e, --escapes      read \\n, \\t and \\\\ in PROMPT as newline, tab, backslash\n"
    "  --chat             wrap PROMPT in the model's chat template\n" CLI_ABLATE_HELP CLI_SAMPLING_HELP EXPORT_HELP;

/* the distribution as lines of bars: rows most likely first */
static void print_bars(cli_ctx *ctx, const cli_prompt *p, const lm_sample_result *r, int rows) {
    const int V = r->V;
    int greedy = cli_sampling_describe(ctx, p->ids.n, r->n_kept, V);
    if (rows > V) rows = V;
    for (int i = 0; i < rows; i++) {
        int id = r->order[i];
        size_t len;
        const uint8_t *b = lm_tok_piece(ctx->tok, id, &len);
        char piece[128], bar[160];
        if (b) show_piece(b, len, !show_unicode_ok(), piece, sizeof piece);
        else snprintf(piece, sizeof piece, "<%d>", id);
        show_bar(r->probs_before[id], 30, !show_unicode_ok(), bar, sizeof bar);
        int kept = r->probs_after[id] > 0;
        fprintf(ctx->out, "%c %6d %-16s %6.2f%% %6.2f%% ", kept ? ' ' : '-', id, piece, 100.0 * r->probs_before[id],
                100.0 * r->probs_after[id]);
        show_color(ctx->out, ctx->color, kept ? "32" : "2");
        fputs(bar, ctx->out);
        show_reset(ctx->out, ctx->color);
        fprintf(ctx->out, "%s\n", id == r->token ? (greedy ? "  <- taken (greedy: the argmax)" : "  <- drawn") : "");
    }
}

/* --svg / --ansi / --text: the UI's next-token panel for the prompt */
static int export_next(cli_ctx *ctx, const cli_prompt *p, const export_cli *e, int chat) {
    export_panel_opts o = {.panel = "next", .cols = e->cols, .rows = e->rows, .hc = e->hc, .chat = chat,
                           .ascii = e->format != EXPORT_SVG && !show_unicode_ok()};
    if (export_panel(ctx, "next", &p->ids, &o, e->format, e->path)) return 1;
    if (strcmp(e->path, "-") != 0)
        fprintf(ctx->out, "wrote %s (%s, %dx%d cells)\n", e->path, export_format_name(e->format), e->cols, e->rows);
    return 0;
}

/* the sampler's view of what follows the prompt, from any model kind */
static int next_distribution(cli_ctx *ctx, const cli_prompt *p, lm_rng *rng, lm_sample_result *r, lm_err *err) {
    if (ctx->lmodel) return lm_lmodel_next(ctx->lmodel, p->ids.ids, p->ids.n, &ctx->sampling, rng, r, err);
    /* the transformer: the window's last row is what follows the prompt's last token */
    size_t off = 0;
    const int V = ctx->model.cfg.vocab_size;
    if (lm_prefill_window(&ctx->model, p->ids.ids, p->ids.n, &off, err) != 0) return -1;
    return lm_sample(lm_logits(&ctx->model, 0) + (p->ids.n - off - 1) * (size_t)V, V, &ctx->sampling, rng, r, err);
}

int cmd_next(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, {"rows", required_argument, 0, 1110}, CLI_PROMPT_LONGOPTS,
        CLI_SAMPLING_LONGOPTS, EXPORT_LONGOPTS, {0, 0, 0, 0}};
    cli_prompt_opts po = {0};
    export_cli ex = {0};
    int k = 10;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "ehm:k:", longopts, NULL)) != -1) {
        int s = cli_sampling_option(ctx, "next", c, optarg);
        if (s < 0) return 2;
        if (s > 0 || cli_prompt_option(c, optarg, &po)) continue;
        int e = export_cli_option(ctx, "next", c, optarg, &ex);
        if (e < 0) return 2;
        if (e > 0) continue;
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 1110: if (cli_parse_int(ctx, "next", "--rows", optarg, 1, 1000, &k)) return 2; break;
        case 'k':
            fprintf(ctx->err, "llmlab next: -k is deprecated: it sets the rows listed, not the top-k cut; "
                              "use --rows %s (or --top-k K for the cut)\n", optarg);
            if (cli_parse_int(ctx, "next", "-k", optarg, 1, 1000, &k)) return 2;
            break;
        default: return cli_bad_option(ctx, "next", argc, argv, "ehm:k:", longopts);
        }
    }
    if (cli_ensure_any_model(ctx, po.model) || cli_refuse_encoder(ctx, "next")) return 1;
    if (ctx->lmodel && (ex.path || po.ablate)) {
        fprintf(ctx->err, "llmlab next: %s on a %s model: the panel export and head ablation are the "
                          "transformer's (kind gpt)\n", ex.path ? "--svg/--ansi/--text" : "--ablate",
                ctx->lmodel->kind);
        return 2;
    }
    cli_prompt p;   /* already clipped to the last n_ctx tokens (saying so) */
    if (cli_prompt_read(ctx, "next", argc, argv, optind, po.chat, po.escapes, &p)) return 2;
    if (cli_prompt_ablate(ctx, "next", &po, &p)) return 2;
    if (ex.path) {
        int rc = export_next(ctx, &p, &ex, po.chat);
        cli_prompt_free(&p);
        return rc;
    }
    int rc = 1;
    lm_err err = {{0}};
    const int V = ctx->lmodel ? ctx->lmodel->vocab : ctx->model.cfg.vocab_size;
    lm_sample_result r;
    if (lm_sample_result_init(&r, V, &err) == 0) {
        lm_rng rng;
        lm_rng_seed(&rng, ctx->seed);
        if (ctx->lmodel) fprintf(ctx->out, "%s model: %s\n", ctx->lmodel->kind, ctx->lmodel->desc);
        if (next_distribution(ctx, &p, &rng, &r, &err) == 0) {
            print_bars(ctx, &p, &r, k);
            rc = 0;
        } else {
            fprintf(ctx->err, "llmlab next: %s\n", err.msg);
        }
        lm_sample_result_free(&r);
    }
    cli_prompt_free(&p);
    return rc;
}
