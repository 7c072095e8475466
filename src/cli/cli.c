/* cli.c - command context, dispatch and running a command line (see cli.h;
 * the line is split into words by lm_split_words, core/words.h). */
#include "cli/cli.h"
#include "models/lmodel.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/infile.h"
#include "io/modelfile.h"
#include "cli/words.h"
#include "cli/opts.h"
#include "cli/sandbox.h"

int cli_find_shipped(const char *rel, char *out, size_t cap) {
    if (access(rel, R_OK) == 0) {
        snprintf(out, cap, "%s", rel);
        return 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            int w = snprintf(out, cap, "%s/%s", exe, rel);
            if (w > 0 && (size_t)w < cap && access(out, R_OK) == 0) return 0;
        }
    }
    snprintf(out, cap, "%s", rel);
    return -1;
}

void cli_ctx_init(cli_ctx *ctx, FILE *out, FILE *err) {
    memset(ctx, 0, sizeof *ctx);
    ctx->out = out;
    ctx->err = err;
    const char *nc = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    ctx->color = isatty(fileno(out)) && !(nc && nc[0]) && term && term[0] && strcmp(term, "dumb") != 0;
    const char *env_model = getenv("LLMLAB_MODEL");
    cli_find_shipped("models/base.llm", ctx->model_path, sizeof ctx->model_path);
    if (env_model && env_model[0]) cli_set_model_path(ctx, env_model);
    ctx->sampling = lm_sampling_default();
    ctx->seed = 42;
    ctx->threads = 2;
    const char *th = getenv("LLMLAB_THREADS");
    if (th && atoi(th) > 0) ctx->threads = atoi(th);
    lm_set_threads(ctx->threads);
}

static void unload(cli_ctx *ctx) {
    if (ctx->model_loaded && !ctx->lmodel) lm_model_free(&ctx->model);
    lm_lmodel_free(ctx->lmodel);
    ctx->lmodel = NULL;
    if (ctx->tok) lm_tok_free(ctx->tok);
    ctx->tok = NULL;
    ctx->model_loaded = 0;
}

void cli_ctx_free(cli_ctx *ctx) { unload(ctx); }

/* identifies one version of a file: modification time and size */
static long long file_stamp(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec + (long long)st.st_size;
}

int cli_set_model_path(cli_ctx *ctx, const char *path) {
    lm_err err = {{0}};
    if (lm_path_check(path, &err)) {
        fprintf(ctx->err, "llmlab: model: %s\n", err.msg);
        return 1;
    }
    if (strcmp(path, ctx->model_path) != 0) {
        unload(ctx);
        memcpy(ctx->model_path, path, strlen(path) + 1);
    }
    return 0;
}

/* the cannot-load message, naming the file once (core messages start with it) */
static void load_failed(cli_ctx *ctx, const char *path_given, const lm_err *err) {
    if (strstr(err->msg, ctx->model_path)) fprintf(ctx->err, "llmlab: cannot load model: %s\n", err->msg);
    else fprintf(ctx->err, "llmlab: cannot load model %s: %s\n", ctx->model_path, err->msg);
    if (!path_given || !path_given[0])
        fprintf(ctx->err, "  (llmlab looks for models/base.llm in the current folder and next to the binary;\n"
                          "   pass -m MODEL or set LLMLAB_MODEL)\n");
}

/* ctx->model_path as another kind's model into ctx->lmodel */
static int load_lmodel(cli_ctx *ctx, const char *path_given) {
    lm_err err = {{0}};
    lm_lmodel *lm = lm_lmodel_open(ctx->model_path, &err);
    if (!lm) {
        load_failed(ctx, path_given, &err);
        return 1;
    }
    uint8_t *blob = NULL;
    size_t len = 0;
    lm_tokenizer *tok = NULL;
    if (lm_tok_serialize(lm->tok, &blob, &len, &err) == 0) tok = lm_tok_deserialize(blob, len, &err);
    free(blob);
    if (!tok) {
        fprintf(ctx->err, "llmlab: model %s: its tokeniser: %s\n", ctx->model_path, err.msg);
        lm_lmodel_free(lm);
        return 1;
    }
    memset(&ctx->model, 0, sizeof ctx->model);
    ctx->lmodel = lm;
    ctx->tok = tok;
    return 0;
}

/* a command that looks inside a transformer was given another kind */
static int not_transformer(cli_ctx *ctx, const char *path, const char *kind) {
    fprintf(ctx->err, "llmlab: %s is a %s model, not a transformer: this command looks inside a transformer "
                      "(kind gpt); next, generate and lms read every language-model kind\n", path, kind);
    return 1;
}

/* Loads ctx->model_path if not loaded (or changed on disk); any = 1 takes
 * every language-model kind, 0 the transformer only. */
static int ensure(cli_ctx *ctx, const char *path, int any) {
    const char *given = path;
    if (path && path[0] && !(path = cli_path_for_read(ctx, "load", path))) return 1;
    if (path && path[0] && cli_set_model_path(ctx, path)) return 1;
    long long stamp = file_stamp(ctx->model_path);
    if (ctx->model_loaded && stamp != ctx->model_stamp) unload(ctx);
    if (!ctx->model_loaded) {
        lm_err err = {{0}};
        lm_file_header h;
        /* another kind goes to lm_lmodel_open; a file whose head cannot be
         * read gets lm_load's full message below */
        if (lm_file_peek(&h, ctx->model_path, &err) == 0 && strcmp(h.kind, LM_KIND_GPT) != 0 &&
            strcmp(h.kind, LM_KIND_ENCODER) != 0) {
            if (!any) return not_transformer(ctx, ctx->model_path, h.kind);
            if (load_lmodel(ctx, given)) return 1;
        } else {
            lm_model m;
            if (lm_load(&m, NULL, ctx->model_path, &err) != 0) {
                load_failed(ctx, given, &err);
                return 1;
            }
            lm_tokenizer *tok = m.tokenizer_len ? lm_tok_deserialize(m.tokenizer_blob, m.tokenizer_len, &err)
                                                : lm_tok_byte_new();
            if (!tok) {
                fprintf(ctx->err, "llmlab: model %s has a bad tokeniser: %s\n", ctx->model_path, err.msg);
                lm_model_free(&m);
                return 1;
            }
            if (lm_tok_vocab_size(tok) > m.cfg.vocab_size) {
                fprintf(ctx->err, "llmlab: model %s: tokeniser has %d ids but the model only %d\n",
                        ctx->model_path, lm_tok_vocab_size(tok), m.cfg.vocab_size);
                lm_tok_free(tok);
                lm_model_free(&m);
                return 1;
            }
            ctx->model = m;
            ctx->tok = tok;
        }
        ctx->model_loaded = 1;
        ctx->model_stamp = stamp;
    }
    if (!any && ctx->lmodel) return not_transformer(ctx, ctx->model_path, ctx->lmodel->kind);
    return 0;
}

int cli_ensure_model(cli_ctx *ctx, const char *path) { return ensure(ctx, path, 0); }
int cli_ensure_any_model(cli_ctx *ctx, const char *path) { return ensure(ctx, path, 1); }

int cli_model_n_ctx(const cli_ctx *ctx) {
    return ctx->lmodel ? ctx->lmodel->n_ctx : ctx->model.cfg.n_ctx;
}

int cli_refuse_encoder(cli_ctx *ctx, const char *cmd) {
    if (ctx->lmodel || !ctx->model.bidirectional) return 0;
    fprintf(ctx->err, "llmlab %s: %s is an encoder: it fills blanks from both sides and does not predict the next "
                      "token; try `llmlab mlm fill -m %s \"... [MASK] ...\"`\n", cmd, ctx->model_path, ctx->model_path);
    return 1;
}

int cli_ensure_decoder(cli_ctx *ctx, const char *cmd, const char *path) {
    return cli_ensure_model(ctx, path) || cli_refuse_encoder(ctx, cmd);
}

lm_tokenizer *cli_open_tokenizer(cli_ctx *ctx, const char *spec, lm_err *err) {
    if (strcmp(spec, "bpe") == 0 || strcmp(spec, "model") == 0) {
        if (cli_ensure_model(ctx, NULL)) {
            lm_fail(err, "no model loaded to take its tokeniser from");
            return NULL;
        }
        uint8_t *blob = NULL;
        size_t len = 0;
        if (lm_tok_serialize(ctx->tok, &blob, &len, err)) return NULL;
        lm_tokenizer *t = lm_tok_deserialize(blob, len, err);
        free(blob);
        return t;
    }
    size_t sl = strlen(spec);
    int is_tiktoken = sl > 9 && strcmp(spec + sl - 9, ".tiktoken") == 0;
    const char *path = cli_sandbox_read(ctx, spec, err);   /* in a lesson: its policy (sandbox.h) */
    if (!path) return NULL;
    if (!is_tiktoken && strchr(path, '/') == NULL && access(path, R_OK) != 0)
        return lm_tok_open(spec, err);   /* a name such as o200k_base */
    spec = path;
    if (is_tiktoken) return lm_tok_open(spec, err);
    lm_infile f;   /* a regular file only: a FIFO or device is refused, never read */
    if (access(spec, F_OK) != 0) return lm_tok_open(spec, err);
    if (lm_infile_open(&f, spec, "tokeniser", 0, err)) return NULL;
    char magic[8] = {0};
    int got = f.size >= 8 && lm_infile_read(&f, magic, 8, NULL) == 0;
    lm_infile_close(&f);
    if (got && memcmp(magic, "LLMLAB\0\1", 8) == 0) {   /* a model file of any kind: its tokeniser */
        lm_file_parts p;
        if (lm_load_parts(&p, spec, err)) return NULL;
        lm_tokenizer *t = p.tokenizer_len ? lm_tok_deserialize(p.tokenizer, (size_t)p.tokenizer_len, err)
                                          : lm_tok_byte_new();
        lm_file_parts_free(&p);
        return t;
    }
    uint8_t *data;
    size_t len;
    int e = cli_slurp(spec, &data, &len);
    if (e) { lm_fail(err, "cannot read %s: %s", spec, strerror(e)); return NULL; }
    lm_tokenizer *t = lm_tok_deserialize(data, len, err);
    free(data);
    return t;
}

int cli_run(cli_ctx *ctx, int argc, char **argv) {
    if (argc < 1) return 0;
    const cli_command *c = cli_find(argv[0]);
    if (!c) {
        fprintf(ctx->err, "llmlab: unknown command '%s' (try 'help')\n", argv[0]);
        return 2;
    }
    /* options such as --temperature or --slide apply to their own command;
     * only `set` changes the session's decoding settings */
    lm_sampling sampling = ctx->sampling;
    uint64_t seed = ctx->seed;
    int slide = ctx->slide;
    int rc = c->run(ctx, argc, argv);
    if (strcmp(c->name, "set") != 0) {
        ctx->sampling = sampling;
        ctx->seed = seed;
        ctx->slide = slide;
    }
    fflush(ctx->out);
    return rc;
}

int cli_run_line(cli_ctx *ctx, const char *line) {
    const char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '\0' || *p == '\n' || *p == '#') return 0;
    size_t len = strlen(line);
    char *buf = malloc(len + 1);   /* words.h: len + 1 bytes always suffice */
    char *words[256];
    if (!buf) return 1;
    int n = lm_split_words(line, len, buf, len + 1, words, 255, NULL);
    int rc;
    if (n < 0) {
        fprintf(ctx->err, "llmlab: unclosed quote or too many words in: %s\n", line);
        rc = 2;
    } else {
        words[n] = NULL;
        rc = cli_run(ctx, n, words);
    }
    free(buf);
    return rc;
}
