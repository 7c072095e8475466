/* cmd_bpe_train.c - `llmlab bpe-train`: learn a byte-level BPE vocabulary
 * from a text file, merge by merge, and write it as a tokeniser file. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "io/atomic.h"
#include "tok/bpe_train.h"
#include "tok/chat.h"
#include "cli/opts.h"
#include "cli/progress.h"
#include "cli/sandbox.h"
#include "cli/show.h"

static const char *usage =
    "usage: llmlab bpe-train --vocab N [--pattern P] [--no-specials] [--trace] FILE -o OUT\n"
    "Learns a byte-level BPE tokeniser from FILE: start from the 256 bytes and\n"
    "repeatedly merge the most frequent adjacent pair until there are N ids.\n"
    "  --vocab N        total ids: 256 bytes + merges + special tokens\n"
    "  --pattern P      pre-tokenisation: gpt4 (default), gpt2, o200k_base,\n"
    "                   digits (gpt4 with every digit its own piece), none\n"
    "  --no-specials    leave out the chat template's special tokens\n"
    "                   (<|endoftext|> <|system|> <|user|> <|assistant|> <|end|>,\n"
    "                   <|tool|> <|result|> <|/result|>)\n"
    "  --trace          print every merge: the pair, its count, the new id\n"
    "  -o OUT           the tokeniser file to write (use with init --tokenizer)\n";

static int on_progress(void *user, int done, int total) {
    (void)total;
    cli_progress_update(user, done, NULL, 0);
    return 0;
}

/* every merge as a line: the pair, the new piece, its id and count */
static void print_merges(FILE *out, const lm_bpe_merges *m) {
    for (int k = 0; k < m->n_merges; k++) {
        const lm_bpe_merge *g = &m->merges[k];
        char a[128], b[128], ab[256];
        size_t la, lb, lab;
        const uint8_t *pa = lm_bpe_merges_piece(m, g->left, &la);
        const uint8_t *pb = lm_bpe_merges_piece(m, g->right, &lb);
        const uint8_t *pab = lm_bpe_merges_piece(m, g->id, &lab);
        show_piece(pa, la, !show_unicode_ok(), a, sizeof a);
        show_piece(pb, lb, !show_unicode_ok(), b, sizeof b);
        show_piece(pab, lab, !show_unicode_ok(), ab, sizeof ab);
        fprintf(out, "merge %5d: [%s] + [%s] -> [%s] id %d, count %lld\n", k + 1, a, b, ab, g->id,
                (long long)g->count);
    }
}

/* saving to path failed: the learned tokeniser goes to a fresh folder in
 * $TMPDIR (or /tmp), so the training is not lost */
static void rescue(cli_ctx *ctx, const char *path, const uint8_t *blob, size_t blen) {
    lm_err err = {{0}};
    char *to = lm_rescue_path(getenv("TMPDIR"), path, &err);
    if (to && lm_atomic_write_bytes(to, blob, blen, &err) == 0)
        fprintf(ctx->err, "llmlab bpe-train: the tokeniser was saved instead to %s\n", to);
    else
        fprintf(ctx->err, "llmlab bpe-train: the rescue copy failed too: %s\n", err.msg);
    free(to);
}

/* the learned merges as a tokeniser file at path; 0 ok, 1 failed (said so) */
static int save_tokenizer(cli_ctx *ctx, const lm_bpe_merges *m, const char *path, int wanted_merges) {
    lm_err err = {{0}};
    lm_tokenizer *t = lm_bpe_merges_to_tokenizer(m, "bpe", &err);
    uint8_t *blob = NULL;
    size_t blen = 0;
    int rc = 1;
    if (!t || lm_tok_serialize(t, &blob, &blen, &err)) {
        fprintf(ctx->err, "llmlab bpe-train: %s\n", err.msg);
    } else if (lm_atomic_write_bytes(path, blob, blen, &err)) {
        fprintf(ctx->err, "llmlab bpe-train: %s\n", err.msg);
        rescue(ctx, path, blob, blen);
    } else {
        fprintf(ctx->out, "wrote %s: %d ids (256 bytes, %d merges, %d special)%s\n", path,
                lm_tok_vocab_size(t), m->n_merges, m->n_specials,
                m->n_merges < wanted_merges ? "; stopped early: no pair left to merge" : "");
        rc = 0;
    }
    free(blob);
    if (t) lm_tok_free(t);
    return rc;
}

int cmd_bpe_train(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},         {"vocab", required_argument, 0, 'v'},
        {"pattern", required_argument, 0, 'p'}, {"no-specials", no_argument, 0, 'S'},
        {"trace", no_argument, 0, 't'},        {"output", required_argument, 0, 'o'},
        {0, 0, 0, 0}};
    int vocab = 0, trace = 0, specials = 1;
    const char *pattern_name = "gpt4", *out = NULL;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'v': if (cli_parse_int(ctx, "bpe-train", "--vocab", optarg, 257, 1000000, &vocab)) return 2; break;
        case 'p': pattern_name = optarg; break;
        case 'S': specials = 0; break;
        case 't': trace = 1; break;
        case 'o': out = optarg; break;
        default: return cli_bad_option(ctx, "bpe-train", argc, argv, "ho:", longopts);
        }
    }
    if (!vocab) return cli_usage_error(ctx, "bpe-train", "missing --vocab N");
    if (!out) return cli_usage_error(ctx, "bpe-train", "missing -o OUT");
    if (optind != argc - 1) return cli_usage_error(ctx, "bpe-train", "wants exactly one FILE");
    if (!(out = cli_path_for_write(ctx, "bpe-train", out))) return 1;   /* a lesson's policy (sandbox.h) */
    lm_err err = {{0}};
    if (lm_atomic_probe(out, 0, &err)) {   /* before the training, not after */
        fprintf(ctx->err, "llmlab bpe-train: cannot save -o: %s\n", err.msg);
        return 1;
    }
    lm_bpe_train_opts o = {.vocab_size = vocab};
    if (lm_bpe_pattern_by_name(pattern_name, &o.pattern, &err)) {
        fprintf(ctx->err, "llmlab bpe-train: --pattern: %s\n", err.msg);
        return 2;
    }
    int n_specials = 0;
    while (specials && lm_chat_specials[n_specials]) n_specials++;
    o.specials = specials ? lm_chat_specials : NULL;
    o.n_specials = n_specials;
    uint8_t *text;
    size_t len;
    if (cli_read_file(ctx, argv[optind], &text, &len)) return 1;
    cli_progress bar;
    cli_progress_init(&bar, ctx->err, "merge", 0, vocab - 256 - n_specials, 0);
    o.progress = on_progress;
    o.progress_user = &bar;
    lm_bpe_merges m;
    int rc = lm_bpe_train(text, len, &o, &m, &err);
    cli_progress_finish(&bar);
    free(text);
    if (rc) {
        fprintf(ctx->err, "llmlab bpe-train: %s\n", err.msg);
        return 1;
    }
    if (trace) print_merges(ctx->out, &m);
    rc = save_tokenizer(ctx, &m, out, vocab - 256 - n_specials);
    lm_bpe_merges_free(&m);
    return rc;
}
