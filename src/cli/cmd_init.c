/* cmd_init.c - `llmlab init`: write a randomly initialised model. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "io/atomic.h"
#include "io/modelfile.h"
#include "cli/opts.h"
#include "cli/sandbox.h"

static const char *usage =
    "usage: llmlab init [options] -o OUT\n"
    "Writes a model with GPT-2 initialisation (weights N(0, 0.02)) from a seed.\n"
    "  --layers N       transformer blocks (default 4)\n"
    "  --heads N        attention heads per block (default 4)\n"
    "  --width N        model width d_model, divisible by heads (default 128)\n"
    "  --mlp N          MLP hidden width (default 4 x width)\n"
    "  --ctx N          context length in tokens (default 128)\n"
    "  --vocab N        vocabulary size (default: the tokeniser's)\n"
    "  --pos KIND       learned | sinusoidal | rotary (default learned)\n"
    "  --act KIND       gelu | relu (default gelu)\n"
    "  --tokenizer SPEC a tokeniser file written by `llmlab bpe-train`, or\n"
    "                   char, gpt2, cl100k_base, o200k_base (default char: 256 bytes)\n"
    "  --seed S         initialisation seed (default 42)\n"
    "  -o OUT           where to write the model\n";

/* m with tok's blob and the seed in its metadata, saved to out; 0 or 1 (said why) */
/* writes m with its tokeniser to dst (the path after the lesson policy); out is the name shown */
static int save_model(cli_ctx *ctx, lm_model *m, const lm_tokenizer *tok, uint64_t seed, const char *dst,
                      const char *out) {
    lm_err err = {{0}};
    if (lm_tok_kind_of(tok) != LM_TOK_BYTE && lm_tok_serialize(tok, &m->tokenizer_blob, &m->tokenizer_len, &err)) {
        fprintf(ctx->err, "llmlab init: %s\n", err.msg);
        return 1;
    }
    char meta[256];
    snprintf(meta, sizeof meta, "made=llmlab init\nseed=%llu\n", (unsigned long long)seed);
    if (lm_save(m, meta, dst, &err)) {
        fprintf(ctx->err, "llmlab init: %s\n", err.msg);
        return 1;
    }
    fprintf(ctx->out, "wrote %s: %zu parameters, %s tokeniser with %d ids\n", out, m->n_params, lm_tok_name(tok),
            lm_tok_vocab_size(tok));
    return 0;
}

int cmd_init(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},          {"layers", required_argument, 0, 'L'},
        {"heads", required_argument, 0, 'H'},   {"width", required_argument, 0, 'C'},
        {"mlp", required_argument, 0, 'M'},     {"ctx", required_argument, 0, 'T'},
        {"vocab", required_argument, 0, 'V'},   {"pos", required_argument, 0, 'p'},
        {"act", required_argument, 0, 'a'},     {"tokenizer", required_argument, 0, 't'},
        {"seed", required_argument, 0, 's'},    {"output", required_argument, 0, 'o'},
        {0, 0, 0, 0}};
    lm_config cfg = {.n_layer = 4, .n_head = 4, .d_model = 128, .d_mlp = 0, .n_ctx = 128,
                     .vocab_size = 0, .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    const char *out = NULL, *tokspec = "char";
    uint64_t seed = 42;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "ho:t:", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'L': bad = cli_parse_int(ctx, "init", "--layers", optarg, 1, 64, &cfg.n_layer); break;
        case 'H': bad = cli_parse_int(ctx, "init", "--heads", optarg, 1, 256, &cfg.n_head); break;
        case 'C': bad = cli_parse_int(ctx, "init", "--width", optarg, 1, 16384, &cfg.d_model); break;
        case 'M': bad = cli_parse_int(ctx, "init", "--mlp", optarg, 1, 65536, &cfg.d_mlp); break;
        case 'T': bad = cli_parse_int(ctx, "init", "--ctx", optarg, 1, 65536, &cfg.n_ctx); break;
        case 'V': bad = cli_parse_int(ctx, "init", "--vocab", optarg, 1, 1000000, &cfg.vocab_size); break;
        case 'p':
            if (lm_pos_parse(optarg, &cfg.pos)) return cli_usage_error(ctx, "init", "--pos is learned, sinusoidal or rotary");
            break;
        case 'a':
            if (lm_act_parse(optarg, &cfg.act)) return cli_usage_error(ctx, "init", "--act is gelu or relu");
            break;
        case 't': tokspec = optarg; break;
        case 's': bad = cli_parse_u64(ctx, "init", "--seed", optarg, &seed); break;
        case 'o': out = optarg; break;
        default: return cli_bad_option(ctx, "init", argc, argv, "ho:t:", longopts);
        }
        if (bad) return 2;
    }
    if (!out) return cli_usage_error(ctx, "init", "missing -o OUT");
    if (optind < argc) return cli_usage_error(ctx, "init", "unexpected argument");
    const char *dst = cli_path_for_write(ctx, "init", out);   /* a lesson's policy (sandbox.h) */
    if (!dst) return 1;
    if (cfg.d_mlp == 0) cfg.d_mlp = 4 * cfg.d_model;

    lm_err err = {{0}};
    if (lm_atomic_probe(dst, 0, &err)) {
        fprintf(ctx->err, "llmlab init: cannot save -o: %s\n", err.msg);
        return 1;
    }
    lm_tokenizer *tok = cli_open_tokenizer(ctx, tokspec, &err);
    if (!tok) {
        fprintf(ctx->err, "llmlab init: tokeniser %s: %s\n", tokspec, err.msg);
        return 1;
    }
    if (cfg.vocab_size == 0) cfg.vocab_size = lm_tok_vocab_size(tok);
    if (cfg.vocab_size < lm_tok_vocab_size(tok)) {
        fprintf(ctx->err, "llmlab init: --vocab %d is smaller than the tokeniser's %d ids\n",
                cfg.vocab_size, lm_tok_vocab_size(tok));
        lm_tok_free(tok);
        return 2;
    }
    lm_model m;
    int rc;
    if (lm_config_check(&cfg, &err) || lm_model_init(&m, &cfg, seed, &err)) {
        fprintf(ctx->err, "llmlab init: %s\n", err.msg);
        lm_tok_free(tok);
        return 2;
    }
    rc = save_model(ctx, &m, tok, seed, dst, out);
    lm_model_free(&m);
    lm_tok_free(tok);
    return rc;
}
