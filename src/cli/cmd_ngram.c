/* cmd_ngram.c - `llmlab ngram`: the n-gram language model, counted over the
 * transformer's tokens. This file dispatches the sub-commands, holds what
 * they share (ngram_cli.h), and the two that only read counts: `eval`
 * (perplexity and bits per byte beside the unigram and a uniform guess)
 * and `counts` (the raw counts of a context and what followed it). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/ngram_cli.h"
#include "cli/opts.h"
#include "cli/sandbox.h"
#include "cli/show.h"

static const char *usage =
    "usage: llmlab ngram SUBCOMMAND [options]\n"
    "An n-gram language model: how often each token followed each context of\n"
    "N-1 tokens in a text, counted over the same tokens as the transformer, with\n"
    "add-k or Kneser-Ney smoothing for the counts that are zero.\n"
    "  train     count a text: ngram train -n N -o OUT [--data FILE] [--smoothing S]\n"
    "  eval      perplexity and bits per byte on held-out text, beside the unigram's\n"
    "            and a uniform guess's (--orders: every order and smoothing)\n"
    "  next      the most likely next tokens after a prompt as bars, with the counts\n"
    "            behind them and how the top one's probability was built\n"
    "  generate  continue a prompt by sampling from the counts\n"
    "  counts    the raw counts of a context and of the tokens that followed it\n"
    "`llmlab ngram SUBCOMMAND --help` explains each.\n";

/* ---- shared (ngram_cli.h) ---- */

void ngram_cli_opts_init(ngram_cli_opts *o) {
    memset(o, 0, sizeof *o);
    o->smoothing = -1;
    o->k = o->discount = NAN;
}

int ngram_cli_option(cli_ctx *ctx, const char *cmd, int c, const char *arg, ngram_cli_opts *o) {
    switch (c) {
    case 'm': o->model = arg; return 1;
    case 'e': o->escapes = 1; return 1;
    case 3001: return cli_parse_int(ctx, cmd, "--order", arg, 1, LM_NGRAM_MAX_ORDER, &o->order) ? -1 : 1;
    case 3002:
        o->smoothing = lm_ngram_smoothing_parse(arg);
        if (o->smoothing >= 0) return 1;
        cli_usage_error(ctx, cmd, "--smoothing is addk, kn or mkn");
        return -1;
    case 3003: return cli_parse_float(ctx, cmd, "--k", arg, 1e-6, LM_NGRAM_MAX_K, &o->k) ? -1 : 1;
    case 3004: return cli_parse_float(ctx, cmd, "--discount", arg, 1e-6, 1, &o->discount) ? -1 : 1;
    default: return 0;
    }
}

lm_lmodel *ngram_cli_open(cli_ctx *ctx, const char *cmd, const ngram_cli_opts *o) {
    if (!o->model) {
        cli_usage_error(ctx, cmd, "-m MODEL is required (an n-gram model file from `llmlab ngram train`)");
        return NULL;
    }
    const char *path = cli_path_for_read(ctx, cmd, o->model);
    if (!path) return NULL;
    lm_err err = {{0}};
    lm_lmodel *lm = lm_lmodel_open(path, &err);
    if (!lm) {
        fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
        return NULL;
    }
    lm_ngram *g = lm_ngram_of(lm);
    if (!g) {
        fprintf(ctx->err, "llmlab %s: %s is a %s model, not an n-gram model (`llmlab ngram train` makes one)\n", cmd,
                path, lm->kind);
        lm_lmodel_free(lm);
        return NULL;
    }
    const lm_ngram_config *c = lm_ngram_config_of(g);
    lm_ngram_smoothing s = o->smoothing >= 0 ? (lm_ngram_smoothing)o->smoothing : c->smoothing;
    if (!isnan(o->discount) && s == LM_NGRAM_ADDK && o->smoothing < 0) s = LM_NGRAM_KN;
    float k = isnan(o->k) ? c->k : o->k, d = isnan(o->discount) ? (o->smoothing >= 0 ? 0 : c->discount) : o->discount;
    if (lm_ngram_set_query(g, o->order, s, k, d, &err) != 0) {
        fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
        lm_lmodel_free(lm);
        return NULL;
    }
    lm_ngram_describe(g, lm->desc, sizeof lm->desc);   /* what is shown is what is used */
    return lm;
}

/* argv[first..] as lm's ids (ngram_cli_open_text) */
static int ngram_cli_text(cli_ctx *ctx, const char *cmd, lm_lmodel *lm, int argc, char **argv, int first, int escapes,
                          lm_ids *ids) {
    uint8_t *text;
    size_t len;
    memset(ids, 0, sizeof *ids);
    if (cli_read_text(ctx, cmd, argc, argv, first, &text, &len)) return 2;
    if (escapes) len = cli_unescape(text, len);
    lm_err err = {{0}};
    int rc = lm_tok_encode(lm->tok, text, len, 0, ids, &err);
    free(text);
    if (rc) {
        fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
        return 1;
    }
    if (ids->n == 0) {
        int32_t eot = lm_tok_special_id(lm->tok, "<|endoftext|>");
        if (eot < 0 || lm_ids_push(ids, eot) != 0) {
            fprintf(ctx->err, "llmlab %s: empty text\n", cmd);
            return 2;
        }
    }
    return 0;
}

int ngram_cli_open_text(cli_ctx *ctx, const char *cmd, const ngram_cli_opts *o, int argc, char **argv, int first,
                        lm_lmodel **lm, lm_ids *ids) {
    memset(ids, 0, sizeof *ids);
    if (!(*lm = ngram_cli_open(ctx, cmd, o))) return 1;
    int rc = ngram_cli_text(ctx, cmd, *lm, argc, argv, first, o->escapes, ids);
    if (rc) {
        lm_ids_free(ids);
        lm_lmodel_free(*lm);
        *lm = NULL;
    }
    return rc;
}

void ngram_cli_pieces(const lm_tokenizer *t, const int32_t *ids, size_t n, char *out, size_t cap) {
    size_t at = 0;
    out[0] = 0;
    if (n == 0) snprintf(out, cap, "(nothing)");
    for (size_t i = 0; i < n && at + 1 < cap; i++) {
        size_t len;
        const uint8_t *b = lm_tok_piece(t, ids[i], &len);
        char piece[128];
        if (b) show_piece(b, len, !show_unicode_ok(), piece, sizeof piece);
        else snprintf(piece, sizeof piece, "<%d>", ids[i]);
        int w = snprintf(out + at, cap - at, "%s", piece);
        if (w < 0 || (size_t)w >= cap - at) {   /* cut at a whole piece, marked */
            out[at] = 0;
            if (cap - at > 4) snprintf(out + at, cap - at, "...");
            break;
        }
        at += (size_t)w;
    }
}

void ngram_cli_padded(FILE *f, const char *s, int width) {
    int cols = 0;
    for (const char *c = s; *c; c++) cols += ((unsigned char)*c & 0xC0) != 0x80;
    fprintf(f, "%s%*s", s, cols < width ? width - cols : 0, "");
}

/* ---- eval ---- */

static const char *eval_usage =
    "usage: llmlab ngram eval -m MODEL [--val FILE] [--max-bytes B] [--window W] [--orders] [options]\n"
    "The model's perplexity and bits per byte on held-out text (default\n"
    "data/corpus/val.txt), beside the unigram of the same counts and a uniform\n"
    "guess over the vocabulary. The text is cut into windows of W tokens (default\n"
    "128, the shipped transformer's context) and every token but each window's\n"
    "first is scored, as for any model kind (models/lmodel.h), so the bits per\n"
    "byte compare across kinds and tokenisers. Then, for the scored tokens, the\n"
    "longest context each was counted after in the training text: how much of\n"
    "new text the counts have seen (sparsity).\n"
    "  --val FILE         the text scored\n"
    "  --max-bytes B      score only its first B bytes\n"
    "  --window W         tokens per scoring window (>= 2)\n"
    "  --orders           a table instead: every order 1..N of the counts under add-k\n"
    "                     (with --k), Kneser-Ney (plain) and Kneser-Ney (modified)\n" NGRAM_CLI_HELP;

static int text_loss(cli_ctx *ctx, lm_lmodel *lm, const uint8_t *text, size_t len, int window, lm_text_loss *out) {
    lm_err err = {{0}};
    if (lm_lmodel_text_loss(lm, text, len, window, 0, out, &err) == 0) return 0;
    fprintf(ctx->err, "llmlab ngram eval: %s\n", err.msg);
    return -1;
}

static void eval_row(cli_ctx *ctx, const char *name, double nats_per_token, double bits_per_byte) {
    fprintf(ctx->out, "%-36s %11.2f %11.3f %10.3f\n", name, exp(nats_per_token), nats_per_token / log(2.0),
            bits_per_byte);
}

/* Sparsity made visible: for every token text_loss scored, the longest
 * context (inside its window, up to order-1 tokens) after which it was
 * counted, as shares of all scored tokens. */
static int backoff_table(cli_ctx *ctx, lm_lmodel *lm, const uint8_t *text, size_t len, int window) {
    lm_ngram *g = lm_ngram_of(lm);
    const int q = lm_ngram_query_order(g);
    lm_ids ids = {0};
    lm_err err = {{0}};
    if (lm_tok_encode(lm->tok, text, len, 1, &ids, &err) != 0) {
        fprintf(ctx->err, "llmlab ngram eval: %s\n", err.msg);
        return 1;
    }
    long at_len[LM_NGRAM_MAX_ORDER + 1] = {0}, never = 0, total = 0;
    for (size_t at = 0; at + 1 < ids.n; at += (size_t)window) {
        size_t end = ids.n - at < (size_t)window ? ids.n : at + (size_t)window;
        for (size_t i = at + 1; i < end; i++) {
            int L = lm_ngram_seen_after(g, ids.ids + at, i - at, ids.ids[i], NULL);
            if (L < 0) never++;
            else at_len[L]++;
            total++;
        }
    }
    lm_ids_free(&ids);
    if (total == 0) return 0;
    fprintf(ctx->out, "\nthe longest context each scored token was counted after:\n");
    for (int L = q - 1; L >= 0; L--) {
        char name[48];
        snprintf(name, sizeof name, L ? "  the last %d token%s" : "  nothing (only as a 1-gram)", L, L == 1 ? "" : "s");
        fprintf(ctx->out, "%-30s %6.2f%%\n", name, 100.0 * at_len[L] / total);
    }
    fprintf(ctx->out, "%-30s %6.2f%%  (smoothing alone)\n", "  never counted", 100.0 * never / total);
    return 0;
}

/* --orders: every order under each smoothing (the counts are the same) */
static int eval_orders(cli_ctx *ctx, lm_lmodel *lm, const uint8_t *text, size_t len, int window, float k) {
    lm_ngram *g = lm_ngram_of(lm);
    const int N = lm_ngram_config_of(g)->order;
    static const lm_ngram_smoothing S[3] = {LM_NGRAM_ADDK, LM_NGRAM_KN, LM_NGRAM_MKN};
    char head[3][48];
    snprintf(head[0], sizeof head[0], "add-k (k = %g)", (double)k);
    snprintf(head[1], sizeof head[1], "Kneser-Ney (plain)");
    snprintf(head[2], sizeof head[2], "Kneser-Ney (modified)");
    fprintf(ctx->out, "%-6s", "order");
    for (int s = 0; s < 3; s++) fprintf(ctx->out, "  %-22s", head[s]);
    fprintf(ctx->out, "\n%-6s", "");
    for (int s = 0; s < 3; s++) fprintf(ctx->out, "  %10s %11s", "perplexity", "bits/byte");
    fputc('\n', ctx->out);
    for (int n = 1; n <= N; n++) {
        fprintf(ctx->out, "%-6d", n);
        for (int s = 0; s < 3; s++) {
            lm_err err = {{0}};
            lm_text_loss l;
            if (lm_ngram_set_query(g, n, S[s], k, 0, &err) != 0) {
                fprintf(ctx->err, "llmlab ngram eval: %s\n", err.msg);
                return 1;
            }
            if (text_loss(ctx, lm, text, len, window, &l)) return 1;
            fprintf(ctx->out, "  %10.2f %11.3f", exp(l.nats_per_token), l.bits_per_byte);
        }
        fputc('\n', ctx->out);
    }
    return 0;
}

static int cmd_ngram_eval(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'}, {"val", required_argument, 0, 'v'},
                                             {"window", required_argument, 0, 'w'}, {"orders", no_argument, 0, 'O'},
                                             {"max-bytes", required_argument, 0, 'B'},
                                             NGRAM_CLI_LONGOPTS, {0, 0, 0, 0}};
    const char *cmd = "ngram eval";
    ngram_cli_opts o;
    ngram_cli_opts_init(&o);
    const char *val = NULL;
    int window = 128, orders = 0, c;
    uint64_t max_bytes = 0;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "hem:", longopts, NULL)) != -1) {
        int k = ngram_cli_option(ctx, cmd, c, optarg, &o);
        if (k < 0) return 2;
        if (k > 0) continue;
        switch (c) {
        case 'h': fputs(eval_usage, ctx->out); return 0;
        case 'v': val = optarg; break;
        case 'w': if (cli_parse_int(ctx, cmd, "--window", optarg, 2, 1 << 20, &window)) return 2; break;
        case 'O': orders = 1; break;
        case 'B': if (cli_parse_u64(ctx, cmd, "--max-bytes", optarg, &max_bytes)) return 2; break;
        default: return cli_bad_option(ctx, cmd, argc, argv, "hem:", longopts);
        }
    }
    if (optind < argc) return cli_usage_error(ctx, cmd, "unexpected argument (the text is --val FILE)");
    char shipped[LM_PATH_MAX];
    if (!val) {
        cli_find_shipped("data/corpus/val.txt", shipped, sizeof shipped);
        val = shipped;
    }
    lm_lmodel *lm = ngram_cli_open(ctx, cmd, &o);
    if (!lm) return 1;
    uint8_t *text;
    size_t len;
    if (cli_read_file(ctx, val, &text, &len)) {
        lm_lmodel_free(lm);
        return 1;
    }
    if (max_bytes > 0 && len > max_bytes) len = (size_t)max_bytes;
    lm_ngram *g = lm_ngram_of(lm);
    int rc = 1;
    lm_text_loss mine, uni;
    char sm[96], name[64];
    fputs("model  ", ctx->out);
    show_str(ctx->out, o.model);
    fprintf(ctx->out, ": %s\n", lm->desc);
    if (orders) {
        fputs("text   ", ctx->out);
        show_str(ctx->out, val);
        if (max_bytes > 0 && len == max_bytes) fprintf(ctx->out, " (its first %zu bytes)", len);
        fprintf(ctx->out, ", in windows of %d tokens\n", window);
        rc = eval_orders(ctx, lm, text, len, window, isnan(o.k) ? lm_ngram_config_of(g)->k : o.k);
    } else if (text_loss(ctx, lm, text, len, window, &mine) == 0) {
        fputs("text   ", ctx->out);
        show_str(ctx->out, val);
        fprintf(ctx->out, ": %ld tokens scored (%.0f bytes), in windows of %d tokens\n", mine.tokens, mine.bytes,
                window);
        fprintf(ctx->out, "scored with %s\n\n", lm_ngram_describe_smoothing(g, sm, sizeof sm));
        fprintf(ctx->out, "%-36s %11s %11s %10s\n", "", "perplexity", "bits/token", "bits/byte");
        int n, V = lm->vocab;
        lm_ngram_smoothing sq;
        float kq, dq;
        lm_ngram_get_query(g, &n, &sq, &kq, &dq);
        snprintf(name, sizeof name, "%d-gram (this model)", n);
        eval_row(ctx, name, mine.nats_per_token, mine.bits_per_byte);
        lm_err err = {{0}};
        rc = 0;
        if (n > 1) {   /* the same counts and smoothing, order 1 */
            if (lm_ngram_set_query(g, 1, sq, kq, dq, &err) != 0) {
                fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
                rc = 1;
            } else if (text_loss(ctx, lm, text, len, window, &uni)) {
                rc = 1;
            }
            if (rc == 0) eval_row(ctx, "unigram (the same counts, n = 1)", uni.nats_per_token, uni.bits_per_byte);
        }
        snprintf(name, sizeof name, "uniform (each of %d ids)", V);
        if (rc == 0) eval_row(ctx, name, log((double)V), (double)mine.tokens * log2((double)V) / mine.bytes);
        if (rc == 0 && lm_ngram_set_query(g, n, sq, kq, dq, &err) == 0) rc = backoff_table(ctx, lm, text, len, window);
    }
    free(text);
    lm_lmodel_free(lm);
    return rc;
}

/* ---- counts ---- */

static const char *counts_usage =
    "usage: llmlab ngram counts -m MODEL [--rows N] [-e] TEXT | -\n"
    "The raw counts behind the model's probabilities after TEXT: for each\n"
    "context the model can use (the last N-1 tokens of TEXT, then shorter ones\n"
    "down to none), how often the context was counted, how often and by how many\n"
    "different tokens it was followed, and the N most frequent of them with\n"
    "count / total: the unsmoothed (maximum-likelihood) probability, the\n"
    "lecture's P(in | homework) = C(homework in) / C(homework). A token never\n"
    "seen after a context has count 0 there: what smoothing is for.\n"
    "  -m MODEL           an n-gram model file (from `llmlab ngram train`)\n"
    "  --rows N           continuations listed per context (default 10)\n"
    "  -e, --escapes      read \\n, \\t and \\\\ in TEXT as newline, tab, backslash\n";

static int print_context(cli_ctx *ctx, lm_lmodel *lm, const int32_t *h, size_t n, int rows) {
    lm_ngram *g = lm_ngram_of(lm);
    lm_ngram_context cc;
    lm_err err = {{0}};
    int32_t *next = malloc((size_t)rows * sizeof *next);
    uint32_t *counts = malloc((size_t)rows * sizeof *counts);
    int got = 0;
    if (!next || !counts || lm_ngram_context_counts(g, h, n, &cc, next, counts, rows, &got, &err) != 0) {
        fprintf(ctx->err, "llmlab ngram counts: %s\n", next && counts ? err.msg : "out of memory");
        free(next), free(counts);
        return 1;
    }
    char hp[512], piece[160];
    ngram_cli_pieces(lm->tok, h, n, hp, sizeof hp);
    if (n == 0)
        fprintf(ctx->out, "\nafter nothing (order-1 counts): %u tokens counted, %u different\n", cc.followed, cc.distinct);
    else if (!cc.found)
        fprintf(ctx->out, "\nafter %s (%zu token%s, order-%zu counts): never counted\n", hp, n, n == 1 ? "" : "s", n + 1);
    else
        fprintf(ctx->out, "\nafter %s (%zu token%s, order-%zu counts): counted %u times, followed %u times by %u "
                          "different tokens\n", hp, n, n == 1 ? "" : "s", n + 1, cc.count, cc.followed, cc.distinct);
    if (got > 0) fprintf(ctx->out, "  %9s  %8s  %s\n", "count", "c / total", "next token");
    for (int i = 0; i < got; i++) {
        ngram_cli_pieces(lm->tok, &next[i], 1, piece, sizeof piece);
        fprintf(ctx->out, "  %9u  %7.2f%%  %s\n", counts[i], 100.0 * counts[i] / cc.followed, piece);
    }
    if (cc.found && (uint32_t)got < cc.distinct)
        fprintf(ctx->out, "  ... %u more different tokens\n", cc.distinct - (uint32_t)got);
    free(next), free(counts);
    return 0;
}

static int cmd_ngram_counts(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'}, {"rows", required_argument, 0, 'r'},
                                             {"model", required_argument, 0, 'm'},
                                             {"escapes", no_argument, 0, 'e'}, {0, 0, 0, 0}};
    const char *cmd = "ngram counts";
    ngram_cli_opts o;
    ngram_cli_opts_init(&o);
    int rows = 10, c;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "hem:", longopts, NULL)) != -1) {
        int k = ngram_cli_option(ctx, cmd, c, optarg, &o);
        if (k < 0) return 2;
        if (k > 0) continue;
        switch (c) {
        case 'h': fputs(counts_usage, ctx->out); return 0;
        case 'r': if (cli_parse_int(ctx, cmd, "--rows", optarg, 0, 100000, &rows)) return 2; break;
        default: return cli_bad_option(ctx, cmd, argc, argv, "hem:", longopts);
        }
    }
    lm_lmodel *lm;
    lm_ids ids;
    int rc = ngram_cli_open_text(ctx, cmd, &o, argc, argv, optind, &lm, &ids);
    if (rc) return rc;
    lm_ngram *g = lm_ngram_of(lm);
    const int N = lm_ngram_config_of(g)->order;
    char tp[512];
    ngram_cli_pieces(lm->tok, ids.ids, ids.n, tp, sizeof tp);
    show_str(ctx->out, o.model);
    fprintf(ctx->out, ": %d-gram counts of %u tokens\n", N, lm_ngram_tokens(g));
    fprintf(ctx->out, "the text is %zu token%s: %s\n", ids.n, ids.n == 1 ? "" : "s", tp);
    if (ids.n <= (size_t)N)
        fprintf(ctx->out, "c(%s) = %u: the whole text, counted as a %zu-gram\n", tp,
                lm_ngram_count_of(g, ids.ids, ids.n), ids.n);
    size_t L = ids.n < (size_t)(N - 1) ? ids.n : (size_t)(N - 1);
    if (ids.n > L)
        fprintf(ctx->out, "a %d-gram model reads only the last %zu token%s (the Markov assumption)\n", N, L,
                L == 1 ? "" : "s");
    for (size_t n = L + 1; n-- > 0 && rc == 0;) rc = print_context(ctx, lm, ids.ids + ids.n - n, n, rows);
    lm_ids_free(&ids);
    lm_lmodel_free(lm);
    return rc;
}

/* ---- the command ---- */

int cmd_ngram(cli_ctx *ctx, int argc, char **argv) {
    static const struct {
        const char *name;
        int (*run)(cli_ctx *ctx, int argc, char **argv);
    } subs[] = {{"train", cmd_ngram_train}, {"eval", cmd_ngram_eval},     {"next", cmd_ngram_next},
                {"generate", cmd_ngram_generate}, {"counts", cmd_ngram_counts}};
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? ctx->err : ctx->out);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[1], subs[i].name) == 0) return subs[i].run(ctx, argc - 1, argv + 1);
    fputs("llmlab ngram: unknown sub-command '", ctx->err);
    show_str(ctx->err, argv[1]);
    fputs("' (train, eval, next, generate, counts; see llmlab ngram --help)\n", ctx->err);
    return 2;
}
