/* nlm_view.c - opening, prompting and showing the feed-forward and
 * recurrent LMs (see nlm_view.h). */
#include "cli/nlm_view.h"

#include <stdlib.h>
#include <string.h>

#include "cli/sandbox.h"
#include "cli/show.h"
#include "tok/chat.h"

lm_lmodel *cli_nlm_open(cli_ctx *ctx, const char *cmd, const char *path) {
    const char *p = cli_path_for_read(ctx, cmd, path);
    if (!p) return NULL;
    lm_err err = {{0}};
    lm_lmodel *lm = lm_lmodel_open(p, &err);
    if (!lm) fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
    return lm;
}

int cli_nlm_prompt(cli_ctx *ctx, const char *cmd, const lm_tokenizer *tok, const uint8_t *text, size_t len,
                   lm_ids *ids) {
    ids->n = 0;
    int32_t eot = lm_tok_special_id(tok, LM_CHAT_EOT);
    lm_err err = {{0}};
    if ((eot >= 0 && lm_ids_push(ids, eot) != 0) || lm_tok_encode(tok, text, len, 0, ids, &err) != 0) {
        fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg[0] ? err.msg : "out of memory");
        return -1;
    }
    if (ids->n == 0) {
        fprintf(ctx->err, "llmlab %s: the prompt is empty and the tokeniser has no <|endoftext|> to start from\n", cmd);
        return -1;
    }
    return 0;
}

void cli_nlm_piece(const lm_tokenizer *tok, int32_t id, char *out, size_t cap) {
    size_t len;
    const uint8_t *b = lm_tok_piece(tok, id, &len);
    if (b) show_piece(b, len, !show_unicode_ok(), out, cap);
    else snprintf(out, cap, "<%d>", id);
}

void cli_nlm_put_padded(FILE *f, const char *s, int width) {
    int n = 0;
    for (const char *p = s; *p; p++) n += ((unsigned char)*p & 0xC0) != 0x80;
    fputs(s, f);
    for (; n < width; n++) fputc(' ', f);
}

int cli_nlm_bars(cli_ctx *ctx, const char *cmd, lm_lmodel *lm, const int32_t *ids, size_t n, int k,
                 const char *indent) {
    lm_err err = {{0}};
    lm_sample_result r;
    if (lm_sample_result_init(&r, lm->vocab, &err)) {
        fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
        return -1;
    }
    lm_sampling s = lm_sampling_default();
    s.greedy = 1;   /* only the distribution is wanted: nothing is drawn */
    lm_rng rng;
    lm_rng_seed(&rng, 1);
    int rc = lm_lmodel_next(lm, ids, n, &s, &rng, &r, &err);
    if (rc) fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
    for (int i = 0; rc == 0 && i < k && i < lm->vocab; i++) {
        int id = r.order[i];
        char piece[128], bar[160];
        cli_nlm_piece(lm->tok, id, piece, sizeof piece);
        show_bar(r.probs_before[id], 30, !show_unicode_ok(), bar, sizeof bar);
        fputs(indent, ctx->out);
        cli_nlm_put_padded(ctx->out, piece, 16);
        fprintf(ctx->out, " %6.2f%% ", 100.0 * r.probs_before[id]);
        show_color(ctx->out, ctx->color, "32");
        fputs(bar, ctx->out);
        show_reset(ctx->out, ctx->color);
        fputc('\n', ctx->out);
    }
    lm_sample_result_free(&r);
    return rc ? -1 : 0;
}
