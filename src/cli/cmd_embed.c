/* cmd_embed.c - `llmlab embed`: the model's token embedding table as a
 * space. Nearest neighbours by cosine similarity, analogies (B - A + C) and
 * a 2-D PCA picture of chosen tokens, printed as tables and a text scatter
 * (nn/embedding.h over models/gpt/embed.h's view of wte). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/embshow.h"
#include "cli/opts.h"
#include "cli/show.h"
#include "models/gpt/embed.h"
#include "ui/export.h"

static const char *usage =
    "usage: llmlab embed [-m MODEL] [--near WORD] [--analogy A B C] [--pca WORD,WORD,...]\n"
    "                    [-k K] [--scatter WxH] [--csv] [--svg FILE]\n"
    "The token embedding table wte (one row of numbers per token; the same table\n"
    "is the model's output head) seen as a space of vectors.\n"
    "  --near WORD        the K tokens whose embeddings are most similar to WORD's,\n"
    "                     by cosine similarity (1 = same direction, 0 = unrelated)\n"
    "  --analogy A B C    \"A is to B as C is to ?\": the K tokens nearest to the\n"
    "                     vector B - A + C (each a unit vector; A, B and C are left\n"
    "                     out of the answers, as is standard). Example:\n"
    "                     --analogy man men woman  ranks tokens near men - man + woman\n"
    "                     (also written A,B,C)\n"
    "  --pca W1,W2,...    the tokens' embeddings centred and projected on their top\n"
    "                     two principal components: coordinates, the share of the\n"
    "                     variance each axis shows, and a scatter (2 to 128 tokens)\n"
    "  -k K               how many tokens --near and --analogy list (default 10)\n"
    "  --scatter WxH      the scatter's size in characters (default 64x20)\n"
    "  --csv              machine-readable lines instead, full precision:\n"
    "                       query,near,ID,TOKEN / near,RANK,ID,TOKEN,COSINE\n"
    "                       query,analogy,A,B,C / analogy,RANK,ID,TOKEN,COSINE\n"
    "                       pca_var,PC1_SHARE,PC2_SHARE / pca,I,ID,TOKEN,X,Y\n"
    "  -m MODEL           model file (default models/base.llm)\n"
    "A WORD names one token: the word as it stands inside a sentence, after a\n"
    "space (king -> '·king'), when that is one token, else the word as written;\n"
    "text that starts with a space is taken as written; id:N is token N.\n"
    "The table has one row per token, so a word of several tokens is refused\n"
    "with its pieces (pick one with id:N).\n"
    "The UI's Embeddings panel for --near WORD (its neighbours, their PCA, the\n"
    "panel's analogy line) as a file:\n" EXPORT_HELP;

typedef struct {
    cli_ctx *ctx;
    lm_emb_space sp;
    int csv, k, sw, sh;
    emb_show show;    /* how the space prints (cli/embshow.h) */
} embed_run;

static void piece(const embed_run *r, int32_t id, char *out, size_t cap) { emb_show_name(&r->show, id, out, cap); }

/* WORD -> id, or a message naming the pieces; 0 ok, -1 refused */
static int resolve(embed_run *r, const char *opt, const char *word, int32_t *id) {
    cli_ctx *ctx = r->ctx;
    lm_ids pieces = {0};
    lm_err err = {{0}};
    int rc = lm_embed_word(ctx->tok, r->sp.V, word, id, &pieces, &err);
    if (rc == 1) {
        fprintf(ctx->err, "llmlab embed: %s '", opt);
        show_str(ctx->err, word);
        fprintf(ctx->err, "' is %zu tokens (", pieces.n);
        char p[160];
        for (size_t i = 0; i < pieces.n; i++) {
            piece(r, pieces.ids[i], p, sizeof p);
            fprintf(ctx->err, "%s%s id:%d", i ? ", " : "", p, pieces.ids[i]);
        }
        fprintf(ctx->err, "), and the table has one row per token: name one of them with id:N, "
                          "or another word\n");
    } else if (rc < 0) {
        fprintf(ctx->err, "llmlab embed: %s: %s\n", opt, err.msg);
    }
    lm_ids_free(&pieces);
    return rc == 0 ? 0 : -1;
}

static int run_near(embed_run *r, const char *word) {
    int32_t id;
    if (resolve(r, "--near", word, &id)) return 2;
    return emb_show_near(&r->show, id, r->k, "rows of wte", 0);
}

static int run_analogy(embed_run *r, char *const w[3]) {
    int32_t id[3];
    static const char *names[3] = {"--analogy A", "--analogy B", "--analogy C"};
    for (int i = 0; i < 3; i++)
        if (resolve(r, names[i], w[i], &id[i])) return 2;
    lm_emb_hits h;
    lm_err err = {{0}};
    if (lm_emb_analogy(&r->sp, id[0], id[1], id[2], r->k, &h, &err)) {
        fprintf(r->ctx->err, "llmlab embed: %s\n", err.msg);
        return 1;
    }
    if (r->csv) {
        fprintf(r->ctx->out, "query,analogy,%d,%d,%d\n", id[0], id[1], id[2]);
    } else {
        char p[3][160];
        for (int i = 0; i < 3; i++) piece(r, id[i], p[i], sizeof p[i]);
        fprintf(r->ctx->out, "%s is to %s as %s is to ?\n", p[0], p[1], p[2]);
        fprintf(r->ctx->out, "the tokens nearest to %s - %s + %s (unit vectors; those three left out):\n", p[1],
                p[0], p[2]);
        emb_show_hits_head(&r->show);
    }
    emb_show_hits(&r->show, "analogy", &h);
    lm_emb_hits_free(&h);
    return 0;
}

/* ------------------------------------------------------------ PCA */

static int run_pca(embed_run *r, const char *list) {
    cli_ctx *ctx = r->ctx;
    int32_t ids[LM_EMB_PCA_MAX];
    int n = 0, rc = 0;
    char *copy = strdup(list);
    if (!copy) return 1;
    for (char *save = NULL, *w = strtok_r(copy, ",", &save); w && rc == 0; w = strtok_r(NULL, ",", &save)) {
        if (n == LM_EMB_PCA_MAX) {
            fprintf(ctx->err, "llmlab embed: --pca takes at most %d tokens\n", LM_EMB_PCA_MAX);
            rc = 2;
            break;
        }
        if (resolve(r, "--pca", w, &ids[n])) { rc = 2; break; }
        for (int j = 0; j < n; j++)
            if (ids[j] == ids[n]) {
                fprintf(ctx->err, "llmlab embed: --pca: '%s' names token %d twice\n", w, ids[n]);
                rc = 2;
            }
        n++;
    }
    free(copy);
    if (rc) return rc;
    if (n < 2) {
        fprintf(ctx->err, "llmlab embed: --pca wants at least two tokens, separated by commas\n");
        return 2;
    }
    return emb_show_pca(&r->show, ids, n);
}

/* --svg / --ansi / --text: the UI's Embeddings panel, which follows the last
 * token of its prompt: here the one token WORD names */
static int export_near(embed_run *r, const char *word, const export_cli *e) {
    int32_t id;
    if (resolve(r, "--near", word, &id)) return 2;
    lm_ids ids = {&id, 1, 1};
    export_panel_opts o = {.panel = "Embed", .cols = e->cols, .rows = e->rows, .hc = e->hc,
                           .ascii = e->format != EXPORT_SVG && !show_unicode_ok()};
    if (export_panel(r->ctx, "embed", &ids, &o, e->format, e->path)) return 1;
    if (strcmp(e->path, "-") != 0)
        fprintf(r->ctx->out, "wrote %s (%s, %dx%d cells)\n", e->path, export_format_name(e->format), e->cols, e->rows);
    return 0;
}

int cmd_embed(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, {"model", required_argument, 0, 'm'},
        {"near", required_argument, 0, 'n'}, {"analogy", required_argument, 0, 'a'},
        {"pca", required_argument, 0, 'p'}, {"csv", no_argument, 0, 'c'},
        {"scatter", required_argument, 0, 's'}, EXPORT_LONGOPTS, {0, 0, 0, 0}};
    export_cli ex = {0};
    const char *model = NULL, *near = NULL, *analogy = NULL, *pca = NULL;
    embed_run r = {.ctx = ctx, .k = 10, .sw = 64, .sh = 20};
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "hm:k:", longopts, NULL)) != -1) {
        int e = export_cli_option(ctx, "embed", c, optarg, &ex);
        if (e < 0) return 2;
        if (e > 0) continue;
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'm': model = optarg; break;
        case 'n': near = optarg; break;
        case 'a': analogy = optarg; break;
        case 'p': pca = optarg; break;
        case 'c': r.csv = 1; break;
        case 'k': if (cli_parse_int(ctx, "embed", "-k", optarg, 1, 1 << 24, &r.k)) return 2; break;
        case 's':
            if (sscanf(optarg, "%dx%d", &r.sw, &r.sh) != 2 || r.sw < 10 || r.sh < 4 || r.sw > 400 || r.sh > 200)
                return cli_usage_error(ctx, "embed", "--scatter is WxH, e.g. 64x20 (10x4 .. 400x200)");
            break;
        default: return cli_bad_option(ctx, "embed", argc, argv, "hm:k:", longopts);
        }
    }
    /* --analogy A B C: B and C are the words after the options (or A,B,C in one) */
    char *aw[3] = {0}, *abuf = NULL;
    int rest = argc - optind;
    if (analogy) {
        if (strchr(analogy, ',') && rest == 0) {
            abuf = strdup(analogy);
            char *save = NULL;
            for (int i = 0; i < 3 && abuf; i++) aw[i] = strtok_r(i ? NULL : abuf, ",", &save);
            if (!abuf || !aw[2] || strtok_r(NULL, ",", &save)) {
                free(abuf);
                return cli_usage_error(ctx, "embed", "--analogy wants three words: A B C (or A,B,C)");
            }
        } else if (rest == 2) {
            aw[0] = (char *)analogy; aw[1] = argv[optind]; aw[2] = argv[optind + 1];
        } else {
            return cli_usage_error(ctx, "embed", "--analogy wants three words: A B C (or A,B,C)");
        }
        rest = 0;
    }
    if (rest > 0) {
        free(abuf);
        return cli_usage_error(ctx, "embed", "unexpected words (quote a word with spaces; --analogy takes A B C)");
    }
    if (!near && !analogy && !pca) {
        free(abuf);
        return cli_usage_error(ctx, "embed", "say what to show: --near WORD, --analogy A B C or --pca W1,W2,...");
    }
    if (ex.path && (!near || analogy || pca)) {
        free(abuf);
        return cli_usage_error(ctx, "embed", "--svg/--ansi/--text draw the panel for --near WORD (alone)");
    }
    if (cli_ensure_model(ctx, model)) { free(abuf); return 1; }
    lm_err err = {{0}};
    if (lm_gpt_embed_space(&ctx->model, ctx->tok, &r.sp, &err)) {
        fprintf(ctx->err, "llmlab embed: %s\n", err.msg);
        free(abuf);
        return 1;
    }
    r.show = (emb_show){.ctx = ctx, .cmd = "embed", .sp = &r.sp, .item = "token", .csv = r.csv, .sw = r.sw, .sh = r.sh};
    int rc = 0, sections = 0;
    if (ex.path) rc = export_near(&r, near, &ex);
    else if (near) { rc = run_near(&r, near); sections++; }
    if (rc == 0 && analogy) {
        if (sections++ && !r.csv) fputc('\n', ctx->out);
        rc = run_analogy(&r, aw);
    }
    if (rc == 0 && pca) {
        if (sections++ && !r.csv) fputc('\n', ctx->out);
        rc = run_pca(&r, pca);
    }
    lm_emb_close(&r.sp);
    free(abuf);
    return rc;
}
