/* cmd_ngram_train.c - `llmlab ngram train`: count every n-gram up to order
 * N of a text file, chunk by chunk, through THE training loop
 * (cli/trainloop.h) driving the counting objective (train/obj_ngram.h):
 * the progress line shows the held-out perplexity falling as more text is
 * counted; Ctrl-C saves the counts so far and --resume goes on. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/ngram_cli.h"
#include "cli/opts.h"
#include "cli/sandbox.h"
#include "cli/show.h"
#include "cli/trainloop.h"
#include "train/obj_ngram.h"

static const char *usage =
    "usage: llmlab ngram train -n N -o OUT [--data FILE] [--val FILE] [--smoothing S]\n"
    "                          [-t TOKENIZER | -m MODEL] [options]\n"
    "       llmlab ngram train --resume -o OUT\n"
    "Counts every n-gram of 1..N tokens in a text (documents separated by lines\n"
    "\"<|endoftext|>\", each read after that token) and saves the counts as a\n"
    "model file of kind ngram. The text is counted in chunks: each step first\n"
    "scores the next chunk with the counts so far ('loss': -ln p per token of\n"
    "text not counted yet), then counts it; 'val_loss' and 'val_ppl' are the\n"
    "held-out loss and perplexity. Counting has no gradient and no optimizer:\n"
    "the model is the counts. Ctrl-C (or SIGTERM, SIGHUP) finishes the chunk,\n"
    "saves OUT and exits with status 130; --resume -o OUT counts the rest.\n"
    "  -n N               the order: n-grams of up to N tokens (1..8, default 3)\n"
    "  --smoothing S      addk (add-k; Laplace with k = 1), kn (interpolated\n"
    "                     Kneser-Ney, one discount per order) or mkn (modified\n"
    "                     Kneser-Ney, three discounts per order); default kn\n"
    "  --k K              add-k's k (default 1)\n"
    "  --discount D       Kneser-Ney with a fixed discount D in (0, 1] instead of\n"
    "                     the one estimated from the counts of counts\n"
    "  -t TOKENIZER       count these tokens (as `llmlab tokenize -t`; default: the\n"
    "                     tokeniser of models/base.llm, the transformer's)\n"
    "  -m MODEL           the tokeniser of this model file\n"
    "  --data FILE        the text counted (default data/corpus/train.txt)\n"
    "  --val FILE         held-out text (default: data/corpus/val.txt with the\n"
    "                     default data, else the last 5% of FILE)\n"
    "  --max-bytes B      read only the first B bytes of the text files\n"
    "  --chunks C         steps: the text is counted in C equal chunks (default 20)\n"
    "  --eval-every E     held-out perplexity every E chunks (0: only at the end;\n"
    "                     default 1)\n"
    "  -o OUT             the model file written (atomically)\n"
    "  --resume           count the chunks OUT has not counted yet (same text)\n";

typedef struct {
    lm_ngram_config cfg;
    const char *tokspec, *data, *val, *out;
    uint64_t max_bytes;
    int chunks, eval_every, resume, given;   /* given: a counting option was on the line */
} train_opts;

static int parse(cli_ctx *ctx, int argc, char **argv, train_opts *t) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},          {"smoothing", required_argument, 0, 's'},
        {"k", required_argument, 0, 'k'},       {"discount", required_argument, 0, 'D'},
        {"tokenizer", required_argument, 0, 't'}, {"model", required_argument, 0, 'm'},
        {"data", required_argument, 0, 'd'},    {"val", required_argument, 0, 'v'},
        {"max-bytes", required_argument, 0, 'B'}, {"chunks", required_argument, 0, 'c'},
        {"eval-every", required_argument, 0, 'E'}, {"out", required_argument, 0, 'o'},
        {"resume", no_argument, 0, 'R'},        {0, 0, 0, 0}};
    const char *cmd = "ngram train";
    int c;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "hn:t:m:o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'n': if (cli_parse_int(ctx, cmd, "-n", optarg, 1, LM_NGRAM_MAX_ORDER, &t->cfg.order)) return 2; t->given = 1; break;
        case 's': {
            int s = lm_ngram_smoothing_parse(optarg);
            if (s < 0) return cli_usage_error(ctx, cmd, "--smoothing is addk, kn or mkn");
            t->cfg.smoothing = (lm_ngram_smoothing)s;
            t->given = 1;
            break;
        }
        case 'k': if (cli_parse_float(ctx, cmd, "--k", optarg, 1e-6, LM_NGRAM_MAX_K, &t->cfg.k)) return 2; t->given = 1; break;
        case 'D': if (cli_parse_float(ctx, cmd, "--discount", optarg, 1e-6, 1, &t->cfg.discount)) return 2; t->given = 1; break;
        case 't':
        case 'm':
            if (t->tokspec) return cli_usage_error(ctx, cmd, "give one of -t TOKENIZER and -m MODEL");
            t->tokspec = optarg;
            t->given = 1;
            break;
        case 'd': t->data = optarg; break;
        case 'v': t->val = optarg; break;
        case 'B': if (cli_parse_u64(ctx, cmd, "--max-bytes", optarg, &t->max_bytes)) return 2; break;
        case 'c': if (cli_parse_int(ctx, cmd, "--chunks", optarg, 1, 100000, &t->chunks)) return 2; break;
        case 'E': if (cli_parse_int(ctx, cmd, "--eval-every", optarg, 0, 100000, &t->eval_every)) return 2; break;
        case 'o': t->out = optarg; break;
        case 'R': t->resume = 1; break;
        default: return cli_bad_option(ctx, cmd, argc, argv, "hn:t:m:o:", longopts);
        }
    }
    if (optind < argc) return cli_usage_error(ctx, cmd, "unexpected argument");
    if (!t->out) return cli_usage_error(ctx, cmd, "-o OUT is required");
    if (t->cfg.discount > 0 && t->cfg.smoothing == LM_NGRAM_ADDK)
        return cli_usage_error(ctx, cmd, "--discount is Kneser-Ney's (--smoothing kn or mkn)");
    if (t->resume && t->given)
        return cli_usage_error(ctx, cmd, "--resume counts on as OUT was begun: -n, --smoothing, --k, --discount, "
                                         "-t and -m come from OUT");
    return -1;
}

/* --resume: the counts so far, their tokeniser and how the run was begun */
static lm_objective *resume(cli_ctx *ctx, train_opts *t, lm_tokenizer **tok, char **meta, char *data, char *val,
                            size_t cap) {
    lm_err err = {{0}};
    lm_file_parts p;
    if (lm_load_parts(&p, t->out, &err) != 0) {
        fprintf(ctx->err, "llmlab ngram train: --resume: %s\n", err.msg);
        return NULL;
    }
    lm_ngram *g = lm_ngram_from_parts(&p, &err);
    *tok = g ? (p.tokenizer_len ? lm_tok_deserialize(p.tokenizer, (size_t)p.tokenizer_len, &err) : lm_tok_byte_new())
             : NULL;
    *meta = p.metadata;
    p.metadata = NULL;
    int done = p.adam_t;
    lm_file_parts_free(&p);
    char buf[64];
    if (!g || !*tok) {
        fprintf(ctx->err, "llmlab ngram train: --resume: %s: %s\n", t->out, err.msg);
        lm_ngram_free(g);
        return NULL;
    }
    if (cli_meta_get(*meta, "chunks", buf, sizeof buf) != 0 || cli_meta_get(*meta, "data", data, cap) != 0) {
        fprintf(ctx->err, "llmlab ngram train: --resume: %s does not say how it was counted (no chunks= or data= "
                          "in its metadata)\n", t->out);
        lm_ngram_free(g);
        return NULL;
    }
    t->chunks = atoi(buf);
    if (!t->data) t->data = data;
    if (!t->val && cli_meta_get(*meta, "val", val, cap) == 0) t->val = val;
    if (t->max_bytes == 0 && cli_meta_get(*meta, "max_bytes", buf, sizeof buf) == 0) t->max_bytes = strtoull(buf, NULL, 10);
    if (t->eval_every < 0 && cli_meta_get(*meta, "eval_every", buf, sizeof buf) == 0) t->eval_every = atoi(buf);
    lm_objective *o = lm_obj_ngram_resume(g, done, t->chunks, &err);
    if (!o) fprintf(ctx->err, "llmlab ngram train: --resume: %s\n", err.msg);
    return o;
}

/* the closing lines: what was counted and how well it predicts */
static void summary(cli_ctx *ctx, const train_opts *t, lm_ngram *g, const cli_trainloop *L) {
    const int N = lm_ngram_config_of(g)->order;
    fprintf(ctx->out, "counted %u tokens:", lm_ngram_tokens(g));
    for (int n = 1; n <= N; n++) fprintf(ctx->out, " %u %d-grams%s", lm_ngram_rows(g, n), n, n < N ? "," : "");
    struct stat sb;
    double mb = stat(t->out, &sb) == 0 ? (double)sb.st_size / 1e6 : 0;
    fprintf(ctx->out, " (%llu rows, %.1f MB)\n", (unsigned long long)lm_ngram_total_rows(g), mb);
    if (!isnan(L->final_val_loss))
        fprintf(ctx->out, "held-out: %.4f nats per token, perplexity %.2f\n", L->final_val_loss,
                exp(L->final_val_loss));
    fprintf(ctx->out, "%s %.1f s; saved %s\n", L->interrupted ? "interrupted after" : "done in", L->seconds, t->out);
}

int cmd_ngram_train(cli_ctx *ctx, int argc, char **argv) {
    train_opts t = {.cfg = {3, LM_NGRAM_KN, 1.0f, 0}, .chunks = 20, .eval_every = -1};
    int rc = parse(ctx, argc, argv, &t);
    if (rc >= 0) return rc;
    const char *cmd = "ngram train";
    if (!(t.out = cli_path_for_write(ctx, cmd, t.out))) return 1;   /* a lesson's policy (sandbox.h) */
    lm_tokenizer *tok = NULL;
    lm_objective *obj = NULL;
    char *old_meta = NULL, data_buf[LM_PATH_MAX], val_buf[LM_PATH_MAX], shipped[LM_PATH_MAX], shipped_val[LM_PATH_MAX];
    lm_err err = {{0}};
    rc = 1;
    if (t.resume) {
        obj = resume(ctx, &t, &tok, &old_meta, data_buf, val_buf, sizeof data_buf);
        if (!obj) goto done;
    } else {
        if (!t.data && cli_find_shipped("data/corpus/train.txt", shipped, sizeof shipped) == 0) {
            t.data = shipped;
            if (!t.val && cli_find_shipped("data/corpus/val.txt", shipped_val, sizeof shipped_val) == 0)
                t.val = shipped_val;
        }
        if (!t.data) t.data = "data/corpus/train.txt";
        const char *spec = t.tokspec ? t.tokspec : ctx->model_path;
        if (!(tok = cli_open_tokenizer(ctx, spec, &err))) {
            fputs("llmlab ngram train: tokeniser ", ctx->err);
            show_str(ctx->err, spec);
            fprintf(ctx->err, ": %s\n", err.msg);
            goto done;
        }
        if (!(obj = lm_obj_ngram_new(&t.cfg, t.chunks, &err))) {
            fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
            goto done;
        }
    }
    if (t.eval_every < 0) t.eval_every = 1;
    const char *data = cli_path_for_read(ctx, cmd, t.data), *val = t.val ? cli_path_for_read(ctx, cmd, t.val) : NULL;
    if (!data || (t.val && !val)) goto done;
    lm_data_opts d = {.train_path = data, .val_path = val, .max_bytes = (size_t)t.max_bytes, .T = 128,
                      .start_step = 0};
    if (obj->ops->prepare(obj, tok, &d, &err) != 0) {
        fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
        goto done;
    }
    lm_ngram *g = lm_obj_ngram_model(obj);
    char sm[96], meta[2 * LM_PATH_MAX + 1024];
    snprintf(meta, sizeof meta, "kind=ngram\ntokenizer=%s\ndata=%s\n%s%s%smax_bytes=%llu\neval_every=%d\n%s",
             lm_tok_name(tok), t.data, t.val ? "val=" : "", t.val ? t.val : "", t.val ? "\n" : "",
             (unsigned long long)t.max_bytes, t.eval_every, obj->meta);
    fprintf(ctx->out, "ngram train: %d-grams, %s, over %s tokens (%d ids); %s\n", lm_ngram_config_of(g)->order,
            lm_ngram_describe_smoothing(g, sm, sizeof sm), lm_tok_name(tok), lm_tok_vocab_size(tok), obj->desc);
    cli_trainloop L = {.cmd = cmd, .m = NULL, .obj = obj, .out_path = t.out, .run_meta = meta, .steps = t.chunks,
                       .eval_every = t.eval_every, .save_every = 0};
    if (cli_trainloop_run(ctx, &L) != 0) goto done;
    if (!L.nothing_to_do) summary(ctx, &t, g, &L);
    rc = L.interrupted ? CLI_EXIT_INTERRUPTED : 0;
done:
    lm_objective_free(obj);
    lm_tok_free(tok);
    free(old_meta);
    return rc;
}
