/* cmd_ngram_next.c - `llmlab ngram next` and `llmlab ngram generate`: the
 * n-gram model through the any-kind interface (lm_lmodel_next,
 * lm_lmodel_generate), as `llmlab next` and `generate` show the
 * transformer, plus what only counts can show: after which context each
 * token was counted, and how the top token's probability was built from
 * the levels of the model (the back-off path of the smoothing). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/ngram_cli.h"
#include "cli/opts.h"
#include "cli/show.h"
#include "tok/chat.h"

static const char *next_usage =
    "usage: llmlab ngram next -m MODEL [--rows N] [sampling options] [options] PROMPT | -\n"
    "The N most likely next tokens after PROMPT as bars (default N=10), as\n"
    "`llmlab next` shows them for the transformer: the probability before and\n"
    "after the temperature, top-k and top-p cuts ('-': cut away). The last\n"
    "column says after which context the token was counted: the longest of the\n"
    "last N-1 tokens after which it was seen, with count / total; a token never\n"
    "seen after any of them gets its probability from smoothing alone.\n"
    "Then how the top token's probability was built, level by level:\n"
    "  add-k:       p = (c(h w) + k) / (c(h) + k V)\n"
    "  Kneser-Ney:  p_n = max(a - D, 0) / A + gamma p_(n-1),  p_0 = 1 / V\n"
    "  --rows N           how many tokens to list\n" NGRAM_CLI_HELP CLI_SAMPLING_HELP;

static const char *gen_usage =
    "usage: llmlab ngram generate -m MODEL [-n N] [--ids] [sampling options] [options] PROMPT | -\n"
    "Continues PROMPT with up to N new tokens (default 60), each drawn from the\n"
    "n-gram model's distribution after the tokens so far (only the last N-1\n"
    "count); stops after <|endoftext|>.\n"
    "  -n N               new tokens at most\n"
    "  --ids              print the new token ids instead of text\n" NGRAM_CLI_HELP CLI_SAMPLING_HELP;

/* ---- next ---- */

/* "·children·of 312/540" or "never (smoothing only)" */
static void counted_after(const lm_ngram *g, const lm_tokenizer *t, const lm_ids *ids, int32_t w, char *out,
                          size_t cap) {
    uint32_t c = 0;
    int L = lm_ngram_seen_after(g, ids->ids, ids->n, w, &c);
    if (L < 0) {
        snprintf(out, cap, "never counted (smoothing only)");
        return;
    }
    lm_ngram_context cc;
    lm_ngram_context_counts(g, ids->ids + ids->n - L, (size_t)L, &cc, NULL, NULL, 0, NULL, NULL);
    char hp[256];
    ngram_cli_pieces(t, ids->ids + ids->n - L, (size_t)L, hp, sizeof hp);
    snprintf(out, cap, "after %s %u/%u", L ? hp : "nothing:", c, cc.followed);
}

static void print_bars(cli_ctx *ctx, lm_lmodel *lm, const lm_ids *ids, const lm_sample_result *r, int rows) {
    const lm_ngram *g = lm_ngram_of(lm);
    const int V = r->V;
    int greedy = cli_sampling_describe(ctx, ids->n, r->n_kept, V);
    if (rows > V) rows = V;
    for (int i = 0; i < rows; i++) {
        int id = r->order[i];
        char piece[128], bar[160], from[320];
        ngram_cli_pieces(lm->tok, &id, 1, piece, sizeof piece);
        show_bar(r->probs_before[id], 20, !show_unicode_ok(), bar, sizeof bar);
        counted_after(g, lm->tok, ids, id, from, sizeof from);
        int kept = r->probs_after[id] > 0;
        fprintf(ctx->out, "%c %6d ", kept ? ' ' : '-', id);
        ngram_cli_padded(ctx->out, piece, 16);
        fprintf(ctx->out, " %6.2f%% %6.2f%% ", 100.0 * r->probs_before[id], 100.0 * r->probs_after[id]);
        show_color(ctx->out, ctx->color, kept ? "32" : "2");
        ngram_cli_padded(ctx->out, bar, 22);
        show_reset(ctx->out, ctx->color);
        fprintf(ctx->out, "%s%s\n", from, id == r->token ? (greedy ? "  <- taken" : "  <- drawn") : "");
    }
}

/* the slide: how p(w | prompt) came out of the counts */
static void print_path(cli_ctx *ctx, lm_lmodel *lm, const lm_ids *ids, int32_t w) {
    const lm_ngram *g = lm_ngram_of(lm);
    lm_ngram_step st[LM_NGRAM_MAX_ORDER];
    int n = 0;
    lm_ngram_explain(g, ids->ids, ids->n, w, st, &n);
    char wp[128], hp[256], sm[96];
    ngram_cli_pieces(lm->tok, &w, 1, wp, sizeof wp);
    lm_ngram_smoothing s;
    float k;
    lm_ngram_get_query(g, NULL, &s, &k, NULL);
    fprintf(ctx->out, "\nhow p(%s) was made, %s:\n", wp, lm_ngram_describe_smoothing(g, sm, sizeof sm));
    if (s == LM_NGRAM_ADDK) {
        const lm_ngram_step *t = &st[0];
        ngram_cli_pieces(lm->tok, ids->ids + ids->n - t->ctx_len, (size_t)t->ctx_len, hp, sizeof hp);
        fprintf(ctx->out, "  context %s (the last %d token%s): c(h w) = %u, c(h) = %.0f (followed by anything)\n", hp,
                t->ctx_len, t->ctx_len == 1 ? "" : "s", t->raw, t->total);
        fprintf(ctx->out, "  p = (c(h w) + k) / (c(h) + k V) = (%u + %g) / (%.0f + %g x %d) = %.4f%%\n", t->raw,
                (double)k, t->total, (double)k, lm->vocab, 100.0 * t->p);
        return;
    }
    fprintf(ctx->out, "  %-2s %-24s %9s %9s %6s %8s  %s\n", "n", "context h", "a(h w)", "A(h)", "D", "gamma",
            "p_n = max(a - D, 0) / A + gamma p_(n-1)");
    fprintf(ctx->out, "  %-2d %-24s %9s %9s %6s %8s  %.6f (1/V, V = %d)\n", 0, "(uniform)", "", "", "", "",
            1.0 / lm->vocab, lm->vocab);   /* level 0 */
    for (int i = 0; i < n; i++) {
        const lm_ngram_step *t = &st[i];
        ngram_cli_pieces(lm->tok, ids->ids + ids->n - t->ctx_len, (size_t)t->ctx_len, hp, sizeof hp);
        fprintf(ctx->out, "  %-2d ", t->n);
        ngram_cli_padded(ctx->out, hp, 24);
        if (!t->seen) {
            fprintf(ctx->out, " %9s %9s %6s %8s  %.6f (never followed by anything: p_%d = p_%d)\n", "-", "0", "", "",
                    t->p, t->n, t->n - 1);
            continue;
        }
        fprintf(ctx->out, " %9.0f %9.0f %6.3f %8.5f  %.6f\n", t->a, t->total, t->discount, t->gamma, t->p);
    }
    fprintf(ctx->out, "  (a: the raw count at the top level n = %d; below it, the number of different tokens\n"
                      "   seen just before (h w): Kneser-Ney's continuation count. A(h): a summed over every w.)\n",
            lm_ngram_query_order(g));
}

int cmd_ngram_next(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'}, {"rows", required_argument, 0, 'r'},
                                             NGRAM_CLI_LONGOPTS, CLI_SAMPLING_LONGOPTS, {0, 0, 0, 0}};
    const char *cmd = "ngram next";
    ngram_cli_opts o;
    ngram_cli_opts_init(&o);
    int rows = 10, c;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "hem:", longopts, NULL)) != -1) {
        int k = ngram_cli_option(ctx, cmd, c, optarg, &o);
        if (k == 0) k = cli_sampling_option(ctx, cmd, c, optarg);
        if (k < 0) return 2;
        if (k > 0) continue;
        switch (c) {
        case 'h': fputs(next_usage, ctx->out); return 0;
        case 'r': if (cli_parse_int(ctx, cmd, "--rows", optarg, 1, 1000, &rows)) return 2; break;
        default: return cli_bad_option(ctx, cmd, argc, argv, "hem:", longopts);
        }
    }
    lm_lmodel *lm;
    lm_ids ids;
    int rc = ngram_cli_open_text(ctx, cmd, &o, argc, argv, optind, &lm, &ids);
    if (rc) return rc;
    const lm_ngram *g = lm_ngram_of(lm);
    int q = lm_ngram_query_order(g);
    size_t L = ids.n < (size_t)(q - 1) ? ids.n : (size_t)(q - 1);
    char hp[512];
    ngram_cli_pieces(lm->tok, ids.ids + ids.n - L, L, hp, sizeof hp);
    fprintf(ctx->out, "%s\n", lm->desc);
    fprintf(ctx->out, "a %d-gram model reads the last %zu of the %zu tokens: %s\n", q, L, ids.n, hp);
    lm_err err = {{0}};
    lm_sample_result r;
    rc = 1;
    if (lm_sample_result_init(&r, lm->vocab, &err) == 0) {
        lm_rng rng;
        lm_rng_seed(&rng, ctx->seed);
        if (lm_lmodel_next(lm, ids.ids, ids.n, &ctx->sampling, &rng, &r, &err) == 0) {
            print_bars(ctx, lm, &ids, &r, rows);
            print_path(ctx, lm, &ids, r.order[0]);
            rc = 0;
        }
        lm_sample_result_free(&r);
    }
    if (rc) fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
    lm_ids_free(&ids);
    lm_lmodel_free(lm);
    return rc;
}

/* ---- generate ---- */

int cmd_ngram_generate(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'}, {"ids", no_argument, 0, 'i'},
                                             NGRAM_CLI_LONGOPTS, CLI_SAMPLING_LONGOPTS, {0, 0, 0, 0}};
    const char *cmd = "ngram generate";
    ngram_cli_opts o;
    ngram_cli_opts_init(&o);
    int n = 60, as_ids = 0, c;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "hem:n:", longopts, NULL)) != -1) {
        int k = ngram_cli_option(ctx, cmd, c, optarg, &o);
        if (k == 0) k = cli_sampling_option(ctx, cmd, c, optarg);
        if (k < 0) return 2;
        if (k > 0) continue;
        switch (c) {
        case 'h': fputs(gen_usage, ctx->out); return 0;
        case 'n': if (cli_parse_int(ctx, cmd, "-n", optarg, 0, 1000000, &n)) return 2; break;
        case 'i': as_ids = 1; break;
        default: return cli_bad_option(ctx, cmd, argc, argv, "hem:n:", longopts);
        }
    }
    lm_lmodel *lm;
    lm_ids ids;
    int rc = ngram_cli_open_text(ctx, cmd, &o, argc, argv, optind, &lm, &ids);
    if (rc) return rc;
    size_t n_prompt = ids.n;
    lm_rng rng;
    lm_rng_seed(&rng, ctx->seed);
    lm_err err = {{0}};
    int32_t eot = lm_tok_special_id(lm->tok, LM_CHAT_EOT);
    /* the end of a document stops it: said below, not printed */
    lm_gen_opts go = {.max_new = n, .sampling = ctx->sampling, .stop_ids = &eot, .n_stop = eot >= 0};
    lm_gen_result res;
    if (lm_lmodel_generate(lm, &ids, &go, &rng, &res, &err) != 0) {
        fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
        lm_ids_free(&ids);
        lm_lmodel_free(lm);
        return 1;
    }
    size_t end = ids.n;
    int stopped = res.reason == LM_GEN_STOP;
    if (as_ids) {
        for (size_t i = n_prompt; i < end; i++) fprintf(ctx->out, i > n_prompt ? " %d" : "%d", ids.ids[i]);
    } else {
        show_writer w;
        show_writer_init(&w, ctx->out);
        int tty = isatty(fileno(ctx->out));
        for (size_t i = 0; i < end; i++) {
            if (i == n_prompt) show_color(ctx->out, ctx->color, "1;36");
            size_t len;
            const uint8_t *b = lm_tok_piece(lm->tok, ids.ids[i], &len);
            if (!b) continue;
            if (i == 0 && n_prompt == 1 && ids.ids[0] == eot) continue;   /* an empty prompt */
            if (tty) show_writer_put(&w, b, len);   /* a terminal: no control codes from the text */
            else fwrite(b, 1, len, ctx->out);
        }
        show_writer_end(&w);
        show_reset(ctx->out, ctx->color);
    }
    fputc('\n', ctx->out);
    if (stopped) fprintf(ctx->err, "llmlab %s: stopped at <|endoftext|> (the end of a document)\n", cmd);
    lm_ids_free(&ids);
    lm_lmodel_free(lm);
    return 0;
}
