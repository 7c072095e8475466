/* cmd_score.c - `llmlab score`: the probability of a text as the product of
 * its next-token probabilities (the chain rule), token by token, with the
 * surprisal of each, the sum, the perplexity, and two texts compared
 * (decode/score.h). */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/show.h"
#include "decode/score.h"
#include "ui/export.h"

static const char *usage =
    "usage: llmlab score [-m MODEL] [--chat] [-e] [--csv] [--svg FILE] TEXT [TEXT2]\n"
    "The probability of TEXT under the model, by the chain rule:\n"
    "  p(text) = p(t1) p(t2 | t1) p(t3 | t1 t2) ...   so   ln p(text) = sum of ln p(t_i | before)\n"
    "One row per token: its probability given everything before it, ln p, and\n"
    "its surprisal -log2 p in bits (how unexpected it was). Then ln p(text) (the\n"
    "sum of the ln p column: each row is rounded to 4 decimals and the total is\n"
    "the sum of the printed rows, so it adds up by hand), log2 p(text), and\n"
    "the perplexity per token, exp(-ln p(text) / tokens). With TEXT2, both are\n"
    "scored and compared: which is more probable, by how much, and per token.\n"
    "The first token: the model predicts each token from the ones before it, so\n"
    "the text is read after <|endoftext|> (the token every training document\n"
    "follows) and its first token is scored as the start of a document. A model\n"
    "whose tokeniser has no <|endoftext|> scores from the second token on.\n"
    "A text must fit in the context (with <|endoftext|>): it is refused when\n"
    "longer, since every token's probability needs its whole prefix.\n"
    "  -m MODEL           model file (default models/base.llm)\n"
    "  --chat             each text as the user's turn of the chat template\n"
    "  -e, --escapes      read \\n, \\t and \\\\ in the texts as newline, tab, backslash\n"
    "  --csv              machine-readable lines, full precision:\n"
    "                       context,T,ID,TOKEN,PREPENDED\n"
    "                       token,T,I,ID,TOKEN,LNP,P,BITS,RANK,TOP_ID,TOP_P\n"
    "                       total,T,N,LNP,BITS,PERPLEXITY     (T = A or B)\n"
    "                       compare,LNP_A_MINUS_B,BITS_A_MINUS_B\n"
    "Each TEXT is one argument: quote a text with spaces (\"The cat sat.\"), or\n"
    "give - to read one text from stdin.\n"
    "The UI's Sentence probability panel for TEXT (one text) as a file:\n" EXPORT_HELP;

typedef struct {
    const char *name;       /* "A", "B" */
    uint8_t *text; size_t len;
    lm_score sc;
    long long lnp_u;        /* ln p(text) as printed, in units of 1e-4: the sum of the printed rows */
} scored;

static void piece(const cli_ctx *ctx, int32_t id, char *out, size_t cap) {
    size_t len;
    const uint8_t *b = lm_tok_piece(ctx->tok, id, &len);
    if (b) show_piece(b, len, !show_unicode_ok(), out, cap);
    else snprintf(out, cap, "<%d>", id);
}

static int cols_of(const char *s) {
    int n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void csv_piece(const cli_ctx *ctx, int32_t id) {
    char p[160];
    piece(ctx, id, p, sizeof p);
    fputc('"', ctx->out);
    for (const char *s = p; *s; s++) {
        if (*s == '"') fputc('"', ctx->out);
        fputc(*s, ctx->out);
    }
    fputc('"', ctx->out);
}

/* a value rounded to the printed precision, as an integer count of units */
static long long units(double v, double per) { return llround(v * per); }

/* prints n units of 1/per with d decimals, e.g. -234567 (per 1e4) -> "-23.4567" */
static void put_units(FILE *f, long long n, int per_digits, int width) {
    char buf[64];
    long long a = n < 0 ? -n : n, p = 1;
    for (int i = 0; i < per_digits; i++) p *= 10;
    snprintf(buf, sizeof buf, "%s%lld.%0*lld", n < 0 ? "-" : "", a / p, per_digits, a % p);
    fprintf(f, "%*s", width, buf);
}

/* ln p(text) as printed, in bits (log2 p: ln p / ln 2) */
static double lnp_bits(const scored *s) { return s->lnp_u / 1e4 / log(2.0); }

static void print_table(cli_ctx *ctx, scored *s) {
    FILE *f = ctx->out;
    const lm_score *sc = &s->sc;
    const double ln2 = log(2.0);
    char p[160], tp[160], bar[200];
    char ctxp[160];
    piece(ctx, sc->context, ctxp, sizeof ctxp);
    if (sc->prepended)
        fprintf(f, "read after %s (the start of a document), so every token of the text is scored\n", ctxp);
    else
        fprintf(f, "the first token, %s, is the context: nothing comes before it, so it is not scored\n", ctxp);
    fprintf(f, "  %4s  %-14s %8s %9s %6s  %-20s  %s\n", "#", "token", "p", "ln p", "bits", "surprisal",
            "model's top guess");
    const double maxbits = log2((double)ctx->model.cfg.vocab_size);
    s->lnp_u = 0;
    for (int i = 0; i < sc->n; i++) {
        double lp = sc->logp[i], bits = -lp / ln2;
        long long lu = units(lp, 1e4), bu = units(bits, 1e2);
        s->lnp_u += lu;
        piece(ctx, sc->ids[i], p, sizeof p);
        int c = cols_of(p);
        fprintf(f, "  %4d  %s%*s ", i + 1, p, c < 14 ? 14 - c : 0, "");
        if (exp(lp) >= 1e-5) fprintf(f, "%7.3f%% ", 100.0 * exp(lp));
        else fprintf(f, "%8.1e ", exp(lp));   /* below 0.001%: as a number, not 0.000% */
        put_units(f, lu, 4, 9);
        fputc(' ', f);
        put_units(f, bu, 2, 6);
        show_bar(bits / maxbits > 1 ? 1 : bits / maxbits, 20, !show_unicode_ok(), bar, sizeof bar);
        fputs("  ", f);
        show_color(f, ctx->color, bits > maxbits ? "31" : "33");
        fputs(bar, f);
        show_reset(f, ctx->color);
        int bc = cols_of(bar);
        fprintf(f, "%*s  ", bc < 20 ? 20 - bc : 0, "");
        if (sc->rank[i] == 0) {
            fprintf(f, "= this token\n");
        } else {
            piece(ctx, sc->top[i], tp, sizeof tp);
            fprintf(f, "%s %.1f%% (this one: #%d)\n", tp, 100.0 * sc->top_p[i], sc->rank[i] + 1);
        }
    }
    fprintf(f, "  %4s  %-14s %8s ", "", "sum", "");
    put_units(f, s->lnp_u, 4, 9);
    fputc('\n', f);
    fputs("\nln p(text) = ", f);
    put_units(f, s->lnp_u, 4, 0);
    fprintf(f, " (the sum of the ln p column); in bits, log2 p(text) = %.2f: p(text) = %.3g\n", lnp_bits(s),
            exp(sc->total));
    fprintf(f, "%d token%s: %.2f bits per token on average, perplexity %.2f (exp of the mean -ln p)\n", sc->n,
            sc->n == 1 ? "" : "s", lm_score_bits_per_token(sc), lm_score_perplexity(sc));
    fprintf(f, "a uniform guess over %d tokens: %.2f bits per token, perplexity %d\n", ctx->model.cfg.vocab_size,
            maxbits, ctx->model.cfg.vocab_size);
}

static void print_csv(cli_ctx *ctx, const scored *s) {
    FILE *f = ctx->out;
    const lm_score *sc = &s->sc;
    fprintf(f, "context,%s,%d,", s->name, sc->context);
    csv_piece(ctx, sc->context);
    fprintf(f, ",%d\n", sc->prepended);
    for (int i = 0; i < sc->n; i++) {
        fprintf(f, "token,%s,%d,%d,", s->name, i + 1, sc->ids[i]);
        csv_piece(ctx, sc->ids[i]);
        fprintf(f, ",%.17g,%.9g,%.9g,%d,%d,%.9g\n", sc->logp[i], exp(sc->logp[i]), -sc->logp[i] / log(2.0),
                sc->rank[i], sc->top[i], sc->top_p[i]);
    }
    fprintf(f, "total,%s,%d,%.17g,%.17g,%.9g\n", s->name, sc->n, sc->total, -sc->total / log(2.0),
            lm_score_perplexity(sc));
}

static void print_compare(cli_ctx *ctx, const scored *a, const scored *b) {
    FILE *f = ctx->out;
    fputs("\ncomparison:\n", f);
    const scored *t[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        fprintf(f, "  %s  ln p ", t[i]->name);
        put_units(f, t[i]->lnp_u, 4, 9);
        fprintf(f, ", log2 p %.2f, %d tokens, %.2f bits/token, perplexity %.2f   ", lnp_bits(t[i]), t[i]->sc.n,
                lm_score_bits_per_token(&t[i]->sc), lm_score_perplexity(&t[i]->sc));
        show_text(f, t[i]->text, t[i]->len);
        fputc('\n', f);
    }
    long long d = a->lnp_u - b->lnp_u;   /* printed ln p(A) - printed ln p(B), exactly */
    double dn = d / 1e4, db = dn / log(2.0);
    if (d == 0) {
        fputs("A and B are equally probable (to the printed digits)\n", f);
    } else {
        const scored *hi = d > 0 ? a : b, *lo = d > 0 ? b : a;
        fprintf(f, "%s is more probable than %s: ln p(%s) - ln p(%s) = ", hi->name, lo->name, hi->name, lo->name);
        put_units(f, d > 0 ? d : -d, 4, 0);
        fprintf(f, " nats = %.2f bits, so p(%s) / p(%s) = ", fabs(db), hi->name, lo->name);
        if (fabs(dn) < 700) fprintf(f, "%.3g\n", exp(fabs(dn)));
        else fprintf(f, "2^%.0f\n", fabs(db));
    }
    double pa = lm_score_bits_per_token(&a->sc), pb = lm_score_bits_per_token(&b->sc);
    if (fabs(pa - pb) < 0.005)
        fprintf(f, "per token they cost the same: %.2f bits\n", pa);
    else
        fprintf(f, "per token, %s costs %.2f bits less (%.2f vs %.2f bits per token)\n", pa < pb ? "A" : "B",
                fabs(pa - pb), pa < pb ? pa : pb, pa < pb ? pb : pa);
    if (a->sc.n != b->sc.n)
        fprintf(f, "(A has %d tokens, B %d: every token multiplies in one more probability below 1, so the\n"
                   " whole-text probability favours fewer tokens; bits per token compares them token for token)\n",
                a->sc.n, b->sc.n);
}

static int score_one(cli_ctx *ctx, scored *s, int chat, int32_t bos) {
    lm_ids ids = {0};
    lm_err err = {{0}};
    int rc = lm_score_encode(ctx->tok, s->text, s->len, chat, &ids, &err);
    if (rc == 0) rc = lm_score_ids(&ctx->model, ids.ids, ids.n, bos, &s->sc, &err);
    if (rc) fprintf(ctx->err, "llmlab score: text %s: %s\n", s->name, err.msg);
    lm_ids_free(&ids);
    return rc;
}

int cmd_score(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, {"model", required_argument, 0, 'm'}, {"chat", no_argument, 0, 'c'},
        {"escapes", no_argument, 0, 'e'}, {"csv", no_argument, 0, 'v'}, EXPORT_LONGOPTS, {0, 0, 0, 0}};
    export_cli ex = {0};
    const char *model = NULL;
    int chat = 0, escapes = 0, csv = 0;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "hem:", longopts, NULL)) != -1) {
        int e = export_cli_option(ctx, "score", c, optarg, &ex);
        if (e < 0) return 2;
        if (e > 0) continue;
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'm': model = optarg; break;
        case 'c': chat = 1; break;
        case 'e': escapes = 1; break;
        case 'v': csv = 1; break;
        default: return cli_bad_option(ctx, "score", argc, argv, "hem:", longopts);
        }
    }
    int nt = argc - optind;
    if (nt < 1) return cli_usage_error(ctx, "score", "missing TEXT");
    if (nt > 2)
        return cli_usage_error(ctx, "score", "at most two texts; quote each one: score \"The cat sat.\" \"The cat sit.\"");
    if (ex.path && nt != 1) return cli_usage_error(ctx, "score", "--svg/--ansi/--text draw the panel for one TEXT");
    if (cli_ensure_decoder(ctx, "score", model)) return 1;
    scored s[2] = {{.name = "A"}, {.name = "B"}};
    int rc = 0;
    for (int i = 0; i < nt && rc == 0; i++) {
        if (cli_read_text(ctx, "score", optind + i + 1, argv, optind + i, &s[i].text, &s[i].len)) rc = 2;
        else if (escapes) s[i].len = cli_unescape(s[i].text, s[i].len);
    }
    int32_t bos = lm_tok_special_id(ctx->tok, "<|endoftext|>");
    for (int i = 0; i < nt && rc == 0; i++)
        if (score_one(ctx, &s[i], chat, bos)) rc = 1;
    if (rc == 0 && ex.path) {   /* the text was scored (a refusal is said above): now the panel */
        lm_ids ids = {0};
        lm_err err = {{0}};
        export_panel_opts o = {.panel = "Prob", .cols = ex.cols, .rows = ex.rows, .hc = ex.hc, .chat = chat,
                               .ascii = ex.format != EXPORT_SVG && !show_unicode_ok()};
        if (lm_score_encode(ctx->tok, s[0].text, s[0].len, chat, &ids, &err)) rc = 1;
        else if (export_panel(ctx, "score", &ids, &o, ex.format, ex.path)) rc = 1;
        else if (strcmp(ex.path, "-") != 0)
            fprintf(ctx->out, "wrote %s (%s, %dx%d cells)\n", ex.path, export_format_name(ex.format), ex.cols, ex.rows);
        lm_ids_free(&ids);
        nt = 0;   /* no table */
    }
    for (int i = 0; i < nt && rc == 0; i++) {
        if (csv) { print_csv(ctx, &s[i]); continue; }
        if (i) fputc('\n', ctx->out);
        if (nt == 2) fprintf(ctx->out, "text %s: ", s[i].name);
        else fputs("text: ", ctx->out);
        show_text(ctx->out, s[i].text, s[i].len);
        fprintf(ctx->out, "\n");
        print_table(ctx, &s[i]);
    }
    if (rc == 0 && nt == 2) {
        if (csv)
            fprintf(ctx->out, "compare,%.17g,%.17g\n", s[0].sc.total - s[1].sc.total,
                    (s[0].sc.total - s[1].sc.total) / log(2.0));
        else
            print_compare(ctx, &s[0], &s[1]);
    }
    for (int i = 0; i < 2; i++) {
        free(s[i].text);
        lm_score_free(&s[i].sc);
    }
    return rc;
}
