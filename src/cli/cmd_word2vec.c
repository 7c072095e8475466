/* cmd_word2vec.c - `llmlab word2vec`: train word vectors with skip-gram and
 * negative sampling (train/obj_word2vec.h, driven by THE training loop
 * cli/trainloop.h), and look at them: a word's nearest neighbours, an
 * analogy (A - B + C), a 2-D PCA picture of chosen words. The tables print
 * as `llmlab embed` prints the transformer's (cli/embshow.h). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/embshow.h"
#include "cli/opts.h"
#include "cli/sandbox.h"
#include "cli/show.h"
#include "cli/trainloop.h"
#include "models/word2vec/w2v.h"
#include "train/obj_word2vec.h"
#include "ui/export.h"

#define DEFAULT_MODEL "models/word2vec.llm"

static const char *usage =
    "usage: llmlab word2vec train --data FILE -o OUT [options]\n"
    "       llmlab word2vec neighbours [-m W2V] [-k K] WORD...\n"
    "       llmlab word2vec analogy [-m W2V] [-k K] A B C\n"
    "       llmlab word2vec plot [-m W2V] [--scatter WxH] [--svg FILE] WORD...\n"
    "word2vec (Mikolov et al. 2013) learns one vector per word from which words\n"
    "stand near which: skip-gram with negative sampling. Each word of a text is a\n"
    "center; the words up to W places around it are its context. The model learns\n"
    "two tables, W_in (a word as a center) and W_out (a word as a context), so that\n"
    "sigma(W_out[context] . W_in[center]) is near 1 for real pairs and near 0 for K\n"
    "random 'negative' words drawn from the corpus. W_in holds the word vectors.\n"
    "  train        learn the tables from a text (see `word2vec train --help`)\n"
    "  neighbours   the K words whose vectors are most similar to WORD's (cosine)\n"
    "  analogy      the words nearest to A - B + C: king man woman asks\n"
    "               king - man + woman = ?  (man is to king as woman is to ?)\n"
    "  plot         the words' vectors on their top two principal components (PCA):\n"
    "               a table and a text scatter (--scatter WxH, default 64x20);\n"
    "               --svg FILE (or --ansi / --text FILE, - = stdout) writes the same\n"
    "               picture to a file\n"
    "  -m W2V       a word2vec model file (default " DEFAULT_MODEL ")\n"
    "  -k K         how many words neighbours and analogy list (default 10, analogy 5)\n"
    "  --csv        machine-readable lines (as `llmlab embed --csv`)\n"
    "Words are looked up lowercased (King = king); a word outside the vocabulary\n"
    "is refused with the closest word that is in it.\n";

static const char *train_usage =
    "usage: llmlab word2vec train --data FILE [--val FILE] -o OUT [options]\n"
    "       llmlab word2vec train --resume -o OUT [--steps N]\n"
    "Learns word vectors from a text with skip-gram and negative sampling. The\n"
    "vocabulary is the most frequent words of the text (lowercased runs of letters\n"
    "and digits); frequent words are subsampled; each step takes B (center,\n"
    "context) pairs from one stretch of text with K negatives each and moves the\n"
    "rows they touch by plain SGD, the learning rate falling linearly to --min-lr\n"
    "as in the paper. Without --val the last 5% of the words are held out; val_loss\n"
    "is the SGNS loss per pair on fixed held-out pairs. Ctrl-C saves and stops.\n"
    "model (a new one):\n"
    "  --dim D            numbers per word vector (default 64)\n"
    "  --window W         context words on each side, at most (default 5)\n"
    "  --negatives K      noise words per pair (default 5)\n"
    "  --min-count C      words seen fewer than C times are left out (default 5)\n"
    "  --vocab V          keep at most the V most frequent words (default 10000)\n"
    "  --subsample T      subsampling threshold t (default 1e-3; 0 = off)\n"
    "run:\n"
    "  --data FILE        training text\n"
    "  --val FILE         held-out text for val_loss\n"
    "  --steps N          total steps (default 40000)\n"
    "  --batch B          pairs per step (default 1024)\n"
    "  --lr LR            starting learning rate (default 0.025, the paper's)\n"
    "  --min-lr LR        learning rate at the last step (default lr / 10000)\n"
    "  --seed S           seed of initialisation and batch order (default 1234)\n"
    "  --eval-every N     val_loss every N steps (and at the end)\n"
    "  --val-batches N    held-out pairs: N x B, at most 65536 (default 8)\n"
    "  --save-every N     checkpoint every N steps (always at the end and on Ctrl-C)\n"
    "  -o OUT             the model file written (atomically)\n"
    "  --resume           continue OUT from its last checkpoint\n";

/* ------------------------------------------------------------ looking */

typedef struct {
    cli_ctx *ctx;
    lm_w2v m;
    lm_emb_space sp;
    emb_show show;
    const char *path;
    int k, csv, sw, sh;
    export_cli ex;
} look_run;

/* WORD -> id, or a message with the closest word in the vocabulary; 0 ok */
static int find_word(look_run *r, const char *word, int32_t *id) {
    *id = lm_w2v_find(&r->m, word);
    if (*id >= 0) return 0;
    FILE *e = r->ctx->err;
    fputs("llmlab word2vec: '", e);
    show_str(e, word);
    fprintf(e, "' is not in the vocabulary (%d words of ", r->m.cfg.vocab);
    show_str(e, r->path);
    fputc(')', e);
    int32_t near = lm_w2v_suggest(&r->m, word);
    size_t len;
    const uint8_t *w = near >= 0 ? lm_w2v_word(&r->m, near, &len) : NULL;
    if (w) {
        fputs("; did you mean '", e);
        show_text(e, w, len);
        fputs("'?", e);
    }
    fputc('\n', e);
    return -1;
}

static int run_neighbours(look_run *r, const char *word, int first) {
    int32_t id;
    if (find_word(r, word, &id)) return 2;
    return emb_show_near(&r->show, id, r->k, "words of W_in", !first);
}

/* A - B + C: lm_emb_analogy(B, A, C) ranks the items nearest to A^ - B^ + C^ */
static int run_analogy(look_run *r, char *const w[3]) {
    int32_t id[3];
    for (int i = 0; i < 3; i++)
        if (find_word(r, w[i], &id[i])) return 2;
    lm_emb_hits h;
    lm_err err = {{0}};
    if (lm_emb_analogy(&r->sp, id[1], id[0], id[2], r->k, &h, &err)) {
        fprintf(r->ctx->err, "llmlab word2vec: %s\n", err.msg);
        return 1;
    }
    if (r->csv) {
        fprintf(r->ctx->out, "query,analogy,%d,%d,%d\n", id[0], id[1], id[2]);
    } else {
        char p[3][160];
        for (int i = 0; i < 3; i++) emb_show_name(&r->show, id[i], p[i], sizeof p[i]);
        fprintf(r->ctx->out, "%s - %s + %s = ?   (%s is to %s as %s is to ?)\n", p[0], p[1], p[2], p[1], p[0], p[2]);
        fprintf(r->ctx->out, "the words nearest to %s - %s + %s (unit vectors; those three left out):\n", p[0], p[1],
                p[2]);
        emb_show_hits_head(&r->show);
    }
    emb_show_hits(&r->show, "analogy", &h);
    lm_emb_hits_free(&h);
    return 0;
}

static int run_plot(look_run *r, int argc, char **argv) {
    cli_ctx *ctx = r->ctx;
    int32_t ids[LM_EMB_PCA_MAX];
    int n = 0, rc = 0;
    for (int a = 0; a < argc && rc == 0; a++) {   /* words as arguments, or W1,W2,... */
        char *copy = strdup(argv[a]);
        if (!copy) return 1;
        for (char *save = NULL, *w = strtok_r(copy, ",", &save); w && rc == 0; w = strtok_r(NULL, ",", &save)) {
            if (n == LM_EMB_PCA_MAX) {
                fprintf(ctx->err, "llmlab word2vec: plot takes at most %d words\n", LM_EMB_PCA_MAX);
                rc = 2;
            } else if (find_word(r, w, &ids[n])) {
                rc = 2;
            } else {
                for (int j = 0; j < n && rc == 0; j++)
                    if (ids[j] == ids[n]) {
                        fputs("llmlab word2vec: plot: '", ctx->err);
                        show_str(ctx->err, w);
                        fputs("' is named twice\n", ctx->err);
                        rc = 2;
                    }
                n++;
            }
        }
        free(copy);
    }
    if (rc) return rc;
    if (n < 2) {
        fprintf(ctx->err, "llmlab word2vec: plot wants at least two words\n");
        return 2;
    }
    if (!r->ex.path) return emb_show_pca(&r->show, ids, n);
    /* --svg/--ansi/--text: the same picture into a file */
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem) return 1;
    cli_ctx sub = *ctx;
    sub.out = mem;
    sub.color = 0;
    emb_show s = r->show;
    s.ctx = &sub;
    rc = emb_show_pca(&s, ids, n);
    fclose(mem);
    const char *path = rc ? NULL : strcmp(r->ex.path, "-") == 0 ? "-" : cli_path_for_write(ctx, "word2vec", r->ex.path);
    if (rc == 0 && !path) rc = 1;
    if (rc == 0 && export_text(ctx, "word2vec", text, show_unicode_ok() ? "\xe2\x80\xa2" : "*", r->ex.format, path))
        rc = 1;
    if (rc == 0 && strcmp(path, "-") != 0)
        fprintf(ctx->out, "wrote %s (%s, the PCA of %d words)\n", r->ex.path, export_format_name(r->ex.format), n);
    free(text);
    return rc;
}

static int cmd_look(cli_ctx *ctx, const char *sub, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, {"model", required_argument, 0, 'm'},
        {"csv", no_argument, 0, 'c'}, {"scatter", required_argument, 0, 's'}, EXPORT_LONGOPTS, {0, 0, 0, 0}};
    int is_plot = strcmp(sub, "plot") == 0, is_analogy = strcmp(sub, "analogy") == 0;
    look_run r = {.ctx = ctx, .k = is_analogy ? 5 : 10, .sw = 64, .sh = 20};
    const char *model = NULL;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "hm:k:", longopts, NULL)) != -1) {
        int e = is_plot ? export_cli_option(ctx, "word2vec", c, optarg, &r.ex) : 0;
        if (e < 0) return 2;
        if (e > 0) continue;
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'm': model = optarg; break;
        case 'c': r.csv = 1; break;
        case 'k': if (cli_parse_int(ctx, "word2vec", "-k", optarg, 1, 1 << 20, &r.k)) return 2; break;
        case 's':
            if (sscanf(optarg, "%dx%d", &r.sw, &r.sh) != 2 || r.sw < 10 || r.sh < 4 || r.sw > 400 || r.sh > 200)
                return cli_usage_error(ctx, "word2vec", "--scatter is WxH, e.g. 64x20 (10x4 .. 400x200)");
            break;
        default: return cli_bad_option(ctx, "word2vec", argc, argv, "hm:k:", longopts);
        }
    }
    int n = argc - optind;
    if (n == 0) return cli_usage_error(ctx, "word2vec", is_analogy ? "analogy wants three words: A B C" : "name a word");
    if (is_analogy && n != 3) return cli_usage_error(ctx, "word2vec", "analogy wants three words: A B C (A - B + C)");
    char shipped[LM_PATH_MAX];
    if (!model) {
        cli_find_shipped(DEFAULT_MODEL, shipped, sizeof shipped);
        model = shipped;
    }
    if (!(r.path = cli_path_for_read(ctx, "word2vec", model))) return 1;
    lm_err err = {{0}};
    if (lm_w2v_load(&r.m, NULL, r.path, &err) || lm_w2v_space(&r.m, &r.sp, &err)) {
        fprintf(ctx->err, "llmlab word2vec: %s\n", err.msg);
        lm_w2v_free(&r.m);
        return 1;
    }
    r.show = (emb_show){.ctx = ctx, .cmd = "word2vec", .sp = &r.sp, .item = "word", .csv = r.csv, .sw = r.sw,
                        .sh = r.sh};
    int rc = 0;
    if (is_plot) rc = run_plot(&r, n, argv + optind);
    else if (is_analogy) rc = run_analogy(&r, argv + optind);
    else
        for (int i = 0; i < n && rc == 0; i++) rc = run_neighbours(&r, argv[optind + i], i == 0);
    lm_emb_close(&r.sp);
    lm_w2v_free(&r.m);
    return rc;
}

/* ------------------------------------------------------------ training */

typedef struct {
    cli_run_opts ro;
    lm_w2v_config cfg;
    int model_opts;              /* a model option was given */
    float subsample;
    const char *data, *val;
    char data_buf[LM_PATH_MAX], val_buf[LM_PATH_MAX];
    char *meta;                  /* the resumed checkpoint's metadata */
} train_run;

/* -1 to go on, else the exit status */
static int parse_train(cli_ctx *ctx, int argc, char **argv, train_run *t) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},           {"data", required_argument, 0, 'd'},
        {"val", required_argument, 0, 'v'},      {"dim", required_argument, 0, 1201},
        {"window", required_argument, 0, 1202},  {"negatives", required_argument, 0, 1203},
        {"min-count", required_argument, 0, 1204}, {"vocab", required_argument, 0, 1205},
        {"subsample", required_argument, 0, 1206}, CLI_RUN_LONGOPTS, {0, 0, 0, 0}};
    lm_w2v_config *c = &t->cfg;
    cli_getopt_reset();
    int o;
    while ((o = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        int k = cli_run_option(ctx, "word2vec", o, optarg, &t->ro);
        if (k < 0) return 2;
        if (k > 0) continue;
        int bad = 0;
        switch (o) {
        case 'h': fputs(train_usage, ctx->out); return 0;
        case 'd': t->data = optarg; break;
        case 'v': t->val = optarg; break;
        case 1201: bad = cli_parse_int(ctx, "word2vec", "--dim", optarg, 1, LM_SGNS_MAX_DIM, &c->dim); break;
        case 1202: bad = cli_parse_int(ctx, "word2vec", "--window", optarg, 1, 64, &c->window); break;
        case 1203: bad = cli_parse_int(ctx, "word2vec", "--negatives", optarg, 1, 64, &c->negatives); break;
        case 1204: bad = cli_parse_int(ctx, "word2vec", "--min-count", optarg, 1, 1 << 30, &c->min_count); break;
        case 1205: bad = cli_parse_int(ctx, "word2vec", "--vocab", optarg, 1, LM_W2V_MAX_VOCAB, &c->vocab); break;
        case 1206: bad = cli_parse_float(ctx, "word2vec", "--subsample", optarg, 0, 1, &c->subsample); break;
        default: return cli_bad_option(ctx, "word2vec", argc, argv, "ho:", longopts);
        }
        if (bad) return 2;
        if (o >= 1201) t->model_opts = 1;
    }
    if (optind < argc) return cli_usage_error(ctx, "word2vec", "train: unexpected argument");
    if (!t->ro.out) return cli_usage_error(ctx, "word2vec", "train: -o OUT is required");
    if (t->ro.seq >= 0 || t->ro.warmup >= 0 || !isnan(t->ro.clip))
        return cli_usage_error(ctx, "word2vec", "train: --seq, --warmup and --clip do not apply (SGD on pairs, "
                                                "learning rate falling linearly, no clipping)");
    if (t->ro.resume && t->model_opts)
        return cli_usage_error(ctx, "word2vec", "train --resume continues OUT's model: --dim, --window, "
                                                "--negatives, --min-count, --vocab and --subsample are its own");
    return -1;
}

/* the run's metadata: kind, data, val, the objective's lines, the options */
static char *run_meta(const train_run *t, const lm_objective *obj) {
    size_t cap = strlen(t->data) + (t->val ? strlen(t->val) : 0) + sizeof obj->meta + 64;
    char *lines = malloc(cap);
    if (!lines) return NULL;
    snprintf(lines, cap, "kind=word2vec\ndata=%s\n%s%s%s%s", t->data, t->val ? "val=" : "", t->val ? t->val : "",
             t->val ? "\n" : "", obj->meta);
    char *meta = cli_run_opts_meta(&t->ro, lines);
    free(lines);
    return meta;
}

static int w2v_train(cli_ctx *ctx, int argc, char **argv) {
    train_run t = {.cfg = {.vocab = 10000, .dim = 64, .window = 5, .negatives = 5, .min_count = 5,
                           .subsample = 1e-3f}};
    cli_run_opts_init(&t.ro);
    int rc = parse_train(ctx, argc, argv, &t);
    if (rc >= 0) return rc;
    lm_err err = {{0}};
    lm_w2v resumed, *resume = NULL;
    if (!(t.ro.out = cli_path_for_write(ctx, "word2vec", t.ro.out))) return 1;
    if (t.ro.resume) {
        if (lm_w2v_load(&resumed, &t.meta, t.ro.out, &err)) {
            fprintf(ctx->err, "llmlab word2vec: --resume: cannot load %s: %s\n", t.ro.out, err.msg);
            return 1;
        }
        resume = &resumed;
        if (!t.data && cli_meta_get(t.meta, "data", t.data_buf, sizeof t.data_buf) == 0) t.data = t.data_buf;
        if (!t.val && cli_meta_get(t.meta, "val", t.val_buf, sizeof t.val_buf) == 0) t.val = t.val_buf;
    }
    char buf[64];
    int min_lr_given = !isnan(t.ro.min_lr) || cli_meta_get(t.meta, "min_lr", buf, sizeof buf) == 0;
    t.ro.warmup = 0;   /* the metadata says what was done: no warm-up, no clipping */
    t.ro.clip = 0;
    cli_run_opts_fill(&t.ro, t.meta, 40000, 1024, 1, 0.025f);
    t.ro.seq = 1;
    if (!min_lr_given) t.ro.min_lr = t.ro.lr * 1e-4f;
    rc = 0;
    if (!t.data) rc = cli_usage_error(ctx, "word2vec", "train: --data FILE is required");
    else if (t.ro.min_lr > t.ro.lr) {
        fprintf(ctx->err, "llmlab word2vec: --min-lr %g is above --lr %g; it must be at most --lr\n", t.ro.min_lr,
                t.ro.lr);
        rc = 2;
    } else if (!(t.data = cli_path_for_read(ctx, "word2vec", t.data)) ||
               (t.val && !(t.val = cli_path_for_read(ctx, "word2vec", t.val)))) {
        rc = 1;
    }
    if (rc) {
        if (resume) lm_w2v_free(resume);
        free(t.meta);
        return rc;
    }
    lm_objective *obj = lm_obj_word2vec_new(&t.cfg, resume, &err);   /* owns resume now */
    lm_data_opts d = {.train_path = t.data, .val_path = t.val, .B = t.ro.batch, .T = 1,
                      .val_batches = t.ro.val_batches, .seed = (uint64_t)t.ro.seed};
    if (obj && lm_obj_word2vec_model(obj)) d.start_step = lm_obj_word2vec_model(obj)->ps.adam_t;   /* resumed */
    if (!obj || obj->ops->prepare(obj, NULL, &d, &err)) {
        fprintf(ctx->err, "llmlab word2vec: %s\n", err.msg);
        lm_objective_free(obj);
        free(t.meta);
        return 1;
    }
    char *meta = run_meta(&t, obj);
    const lm_w2v *m = lm_obj_word2vec_model(obj);
    if (meta) {
        fprintf(ctx->out, "word2vec: %zu parameters (tables W_in and W_out; window %d, %d negatives); %s; "
                          "steps %d..%d, batch %d pairs\n",
                m->ps.n, m->cfg.window, m->cfg.negatives, obj->desc, m->ps.adam_t, t.ro.steps, t.ro.batch);
        cli_trainloop L = {.cmd = "word2vec", .m = NULL, .obj = obj, .run_meta = meta};
        rc = cli_trainloop_run_opts(ctx, &L, &t.ro);   /* 0, 1 or 130 (interrupted, saved) */
    } else {
        fprintf(ctx->err, "llmlab word2vec: out of memory\n");
        rc = 1;
    }
    free(meta);
    lm_objective_free(obj);
    free(t.meta);
    return rc;
}

int cmd_word2vec(cli_ctx *ctx, int argc, char **argv) {
    const char *sub = argc > 1 ? argv[1] : NULL;
    if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        fputs(usage, sub ? ctx->out : ctx->err);
        return sub ? 0 : 2;
    }
    if (strcmp(sub, "train") == 0) return w2v_train(ctx, argc - 1, argv + 1);
    if (strcmp(sub, "neighbours") == 0 || strcmp(sub, "neighbors") == 0 || strcmp(sub, "analogy") == 0 ||
        strcmp(sub, "plot") == 0)
        return cmd_look(ctx, sub, argc - 1, argv + 1);
    fputs("llmlab word2vec: unknown sub-command '", ctx->err);
    show_str(ctx->err, sub);
    fputs("': train, neighbours, analogy or plot (see 'llmlab word2vec --help')\n", ctx->err);
    return 2;
}
