/* prompt.c - PROMPT argument to token ids (see prompt.h). */
#include "cli/prompt.h"

#include <stdlib.h>
#include <string.h>

#include "tok/chat.h"
#include "cli/opts.h"

int cli_prompt_encode(cli_ctx *ctx, const char *cmd, const uint8_t *text, size_t len, int chat,
                      cli_prompt *p) {
    memset(p, 0, sizeof *p);
    p->text = malloc(len + 1);
    if (!p->text) return -1;
    memcpy(p->text, text, len);
    p->text[len] = '\0';
    p->len = len;
    lm_err err = {{0}};
    int rc;
    if (chat) {
        lm_chat_msg msg = {.role = LM_ROLE_USER, .content = (const char *)p->text, .len = len};
        rc = lm_chat_encode(ctx->tok, &msg, 1, 1, &p->ids, NULL, &err);
        if (rc) {
            fprintf(ctx->err, "llmlab %s: --chat: %s\n", cmd, err.msg);
            cli_prompt_free(p);
            return -1;
        }
    } else {
        rc = lm_tok_encode(ctx->tok, p->text, len, 0, &p->ids, &err);
        if (rc) {
            fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
            cli_prompt_free(p);
            return -1;
        }
        if (p->ids.n == 0) {
            int32_t eot = lm_tok_special_id(ctx->tok, "<|endoftext|>");
            if (eot < 0) {
                fprintf(ctx->err, "llmlab %s: empty prompt\n", cmd);
                cli_prompt_free(p);
                return -1;
            }
            lm_ids one = {0};
            one.ids = malloc(sizeof(int32_t));
            if (!one.ids) { cli_prompt_free(p); return -1; }
            one.ids[0] = eot;
            one.n = one.cap = 1;
            lm_ids_free(&p->ids);
            p->ids = one;
        }
    }
    return 0;
}

void cli_prompt_fit(cli_ctx *ctx, const char *cmd, cli_prompt *p) {
    size_t n_ctx = (size_t)cli_model_n_ctx(ctx);   /* 0: unbounded (an RNN) */
    if (n_ctx == 0 || p->ids.n <= n_ctx) return;
    p->clipped = (int)(p->ids.n - n_ctx);
    memmove(p->ids.ids, p->ids.ids + p->clipped, n_ctx * sizeof(int32_t));
    p->ids.n = n_ctx;
    fprintf(ctx->err, "llmlab %s: the prompt has %zu tokens, more than the context of %zu: keeping the last %zu "
            "(the first %d are dropped)\n", cmd, n_ctx + p->clipped, n_ctx, n_ctx, p->clipped);
}

int cli_prompt_read_whole(cli_ctx *ctx, const char *cmd, int argc, char **argv, int first, int chat,
                          int escapes, cli_prompt *p) {
    uint8_t *text;
    size_t len;
    if (cli_read_text(ctx, cmd, argc, argv, first, &text, &len)) return -1;
    if (escapes) len = cli_unescape(text, len);
    int rc = cli_prompt_encode(ctx, cmd, text, len, chat, p);
    free(text);
    return rc;
}

int cli_prompt_read(cli_ctx *ctx, const char *cmd, int argc, char **argv, int first, int chat,
                    int escapes, cli_prompt *p) {
    if (cli_prompt_read_whole(ctx, cmd, argc, argv, first, chat, escapes, p)) return -1;
    cli_prompt_fit(ctx, cmd, p);
    return 0;
}

void cli_prompt_free(cli_prompt *p) {
    if (p->ablated) lm_model_clear_ablation(p->ablated);
    free(p->text);
    lm_ids_free(&p->ids);
    memset(p, 0, sizeof *p);
}

int cli_prompt_option(int opt, const char *arg, cli_prompt_opts *po) {
    switch (opt) {
    case 'm': po->model = arg; return 1;
    case 1020: po->chat = 1; return 1;
    case 'e': po->escapes = 1; return 1;
    case 1021: po->ablate = arg; return 1;
    default: return 0;
    }
}

int cli_prompt_ablate(cli_ctx *ctx, const char *cmd, const cli_prompt_opts *po, cli_prompt *p) {
    if (!po->ablate) return 0;
    const lm_config *c = &ctx->model.cfg;
    uint8_t *mask = malloc((size_t)c->n_layer * c->n_head);   /* [L, H] */
    lm_err err = {{0}};
    if (!mask) snprintf(err.msg, sizeof err.msg, "out of memory");
    int rc = mask ? lm_ablation_parse(c, po->ablate, mask, &err) : -1;
    if (rc == 0) rc = lm_model_set_ablation(&ctx->model, mask, &err);
    free(mask);
    if (rc != 0) {
        fprintf(ctx->err, "llmlab %s: --ablate %s: %s\n", cmd, po->ablate, err.msg);
        cli_prompt_free(p);
        return 2;
    }
    p->ablated = &ctx->model;
    char heads[256];
    lm_ablation_format(&ctx->model, heads, sizeof heads);
    fprintf(ctx->err, "llmlab %s: heads knocked out: %s\n", cmd, heads);
    return 0;
}
