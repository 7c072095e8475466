/* cmd_generate.c - `llmlab generate`: continue a prompt, token by token, with
 * greedy or sampled decoding (KV cache). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tok/chat.h"
#include "decode/generate.h"
#include "models/lmodel.h"
#include "cli/opts.h"
#include "cli/prompt.h"
#include "cli/show.h"

static const char *usage =
    "usage: llmlab generate [-m MODEL] [-n N] [--chat] [--greedy | --temperature T\n"
    "                       --top-k K --top-p P] [--seed S] [--context stop|slide] [--ids] PROMPT | -\n"
    "Continues PROMPT with up to N new tokens (default 100), printed as they come.\n"
    "  -m MODEL           model file (default models/base.llm): a transformer or any\n"
    "                     other language-model kind (n-gram, feed-forward, RNN)\n"
    "  -n N               new tokens at most\n"
    "  -e, --escapes      read \\n, \\t and \\\\ in PROMPT as newline, tab, backslash\n"
    "  --chat             wrap PROMPT in the chat template; stop at the end of the reply\n"
    "  --ids              print the new token ids instead of text\n"
    "  --context stop     when prompt + new tokens fill the model's context (its\n"
    "                     window, `llmlab info`): stop there, saying so; a prompt\n"
    "                     longer than the context is refused (the default)\n"
    "  --context slide    slide the window instead: when it is full, keep its last\n"
    "                     3/4 (n_ctx - n_ctx/4 tokens) and go on; a longer prompt\n"
    "                     keeps its last 3/4. The tokens dropped are reported\n"
    "  --slide            the same as --context slide\n" CLI_ABLATE_HELP CLI_SAMPLING_HELP;

typedef struct {
    cli_ctx *ctx;
    int ids;
    int escape;   /* output is a terminal: text goes through w (show.h) */
    int count;
    show_writer w;
} gen_print;

static int print_token(void *user, int32_t token, const lm_sample_result *r) {
    (void)r;
    gen_print *g = user;
    if (g->ids) {
        fprintf(g->ctx->out, g->count ? " %d" : "%d", token);
    } else {
        size_t len;
        const uint8_t *b = lm_tok_piece(g->ctx->tok, token, &len);
        if (b && g->escape) {   /* a terminal: never let model bytes send control codes */
            show_writer_put(&g->w, b, len);
        } else if (b) {
            fwrite(b, 1, len, g->ctx->out);
        }
    }
    g->count++;
    fflush(g->ctx->out);
    return 0;
}

int cmd_generate(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, {"ids", no_argument, 0, 'i'},
        {"context", required_argument, 0, 1040}, {"slide", no_argument, 0, 1041},
        CLI_PROMPT_LONGOPTS,           CLI_SAMPLING_LONGOPTS, {0, 0, 0, 0}};
    cli_prompt_opts po = {0};
    int n = 100, ids = 0;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "ehm:n:", longopts, NULL)) != -1) {
        int s = cli_sampling_option(ctx, "generate", c, optarg);
        if (s < 0) return 2;
        if (s > 0 || cli_prompt_option(c, optarg, &po)) continue;
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'n': if (cli_parse_int(ctx, "generate", "-n", optarg, 0, 1000000, &n)) return 2; break;
        case 'i': ids = 1; break;
        case 1040: if (cli_parse_context(ctx, "generate", "--context", optarg, &ctx->slide)) return 2; break;
        case 1041: ctx->slide = 1; break;
        default: return cli_bad_option(ctx, "generate", argc, argv, "ehm:n:", longopts);
        }
    }
    if (cli_ensure_any_model(ctx, po.model)) return 1;
    if (ctx->lmodel && po.ablate) {
        fprintf(ctx->err, "llmlab generate: --ablate on a %s model: head ablation is the transformer's\n",
                ctx->lmodel->kind);
        return 2;
    }
    cli_prompt p;   /* every token: the context policy decides what happens to a long one */
    if (cli_prompt_read_whole(ctx, "generate", argc, argv, optind, po.chat, po.escapes, &p)) return 2;
    if (cli_prompt_ablate(ctx, "generate", &po, &p)) return 2;
    const int n_ctx = cli_model_n_ctx(ctx);   /* 0: unbounded (an RNN) */
    const size_t n_prompt = p.ids.n;
    if (n_ctx > 0 && !ctx->slide && n_prompt > (size_t)n_ctx) {   /* refused before anything prints */
        fprintf(ctx->err, "llmlab generate: the prompt has %zu tokens, more than the model's context of %d "
                "tokens; use --slide to keep its last %d and slide the window\n", n_prompt, n_ctx,
                lm_slide_keep(n_ctx));
        cli_prompt_free(&p);
        return 1;
    }
    lm_err err = {{0}};
    int32_t stop[2];
    int n_stop = 0;
    if (po.chat) {
        n_stop = lm_chat_stop_ids(ctx->tok, stop, &err);
        if (n_stop < 0) n_stop = 0;
    } else {
        int32_t eot = lm_tok_special_id(ctx->tok, LM_CHAT_EOT);
        if (eot >= 0) stop[n_stop++] = eot;
    }
    gen_print g = {ctx, ids, isatty(fileno(ctx->out)), 0, {0}};
    show_writer_init(&g.w, ctx->out);
    lm_gen_opts o = {.max_new = n, .sampling = ctx->sampling, .stop_ids = stop, .n_stop = n_stop,
                     .on_token = print_token, .user = &g, .slide = ctx->slide};
    lm_rng rng;
    lm_rng_seed(&rng, ctx->seed);
    if (!ids && !po.chat && g.escape) show_writer_put(&g.w, p.text, p.len);   /* the continuation follows the prompt */
    else if (!ids && !po.chat) fwrite(p.text, 1, p.len, ctx->out);
    if (!ids && !po.chat) show_color(ctx->out, ctx->color, "1;36");
    lm_gen_result res;
    int rc = ctx->lmodel ? lm_lmodel_generate(ctx->lmodel, &p.ids, &o, &rng, &res, &err)
                         : lm_generate(&ctx->model, NULL, p.ids.ids, p.ids.n, &o, &rng, NULL, &res, &err);
    show_writer_end(&g.w);
    if (!ids && !po.chat) show_reset(ctx->out, ctx->color);
    fputc('\n', ctx->out);
    if (rc) {
        fprintf(ctx->err, "llmlab generate: %s\n", err.msg);
    } else if (res.reason == LM_GEN_STOP && res.n_new == 0) {
        /* nothing after the prompt: say why, and what an instruct model wants */
        size_t sl = 0;
        const uint8_t *sp = lm_tok_piece(ctx->tok, res.stop_token, &sl);
        int32_t cs[2];
        lm_err e2 = {{0}};
        int has_chat = lm_chat_stop_ids(ctx->tok, cs, &e2) > 0;
        fprintf(ctx->err, "llmlab generate: the model ended at once with %.*s (no new tokens)%s\n",
                sp ? (int)sl : 9, sp ? (const char *)sp : "a stop id",
                !po.chat && has_chat ? "; for the instruct model try --chat (the prompt in the chat template)" : "");
    }
    char note[256];   /* the window: full (stop) or slid; never dropped silently */
    if (rc == 0 && lm_gen_note(&res, n_prompt, n_ctx, note, sizeof note))
        fprintf(ctx->err, "llmlab generate: %s%s\n", note,
                res.reason == LM_GEN_CONTEXT ? "; use --slide to continue with a sliding window" : "");
    cli_prompt_free(&p);
    return rc ? 1 : 0;
}
