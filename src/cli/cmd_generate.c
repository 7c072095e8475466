/* cmd_generate.c - `llmlab generate`: continue a prompt, token by token, with
 * greedy or sampled decoding (KV cache). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tok/chat.h"
#include "decode/generate.h"
#include "decode/tools.h"
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
    "  --slide            the same as --context slide (a reply with calculator calls\n"
    "                     does not slide: it stops when the context is full)\n"
    "  --no-tools         with --chat: no calculator calls, even if the model can make them\n"
    "  --tools            with --chat: fail unless the model can call the calculator\n"
    CLI_ABLATE_HELP CLI_SAMPLING_HELP
    "Tool use: with --chat, a transformer whose tokeniser has the markers <|tool|>\n"
    "<|result|> <|/result|> may call a calculator in its reply: it writes\n"
    "<|tool|>EXPR<|result|>, llmlab evaluates EXPR (64-bit integers, + - * / and\n"
    "parentheses) and feeds VALUE<|/result|> back, and the reply goes on. Each call\n"
    "shows inline as [calculator: EXPR = VALUE] (with --ids: every id of the reply\n"
    "on stdout, the calls on stderr). At most 4 calls per reply; -n counts only the\n"
    "model's own tokens.\n";

typedef struct {
    cli_ctx *ctx;
    int ids;
    int escape;   /* output is a terminal: text goes through w (show.h) */
    int count;
    show_writer w;
    int32_t tool, result;   /* tool use: the markers; in_call = inside <|tool|>EXPR */
    int in_call;
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

/* text to the output the way tokens go (escaped on a terminal) */
static void print_text(gen_print *g, const char *s) {
    if (g->escape) show_writer_put(&g->w, s, strlen(s));
    else fputs(s, g->ctx->out);
}

/* tool use: the model's tokens as usual, each call as [calculator: EXPR = VALUE]
 * (EXPR streams as the model writes it; the tool's own tokens are the VALUE
 * shown); with --ids every id of the reply, and the calls on stderr */
static int print_event(void *user, const lm_tool_event *ev) {
    gen_print *g = user;
    FILE *out = g->ctx->out;
    if (ev->kind == LM_TOOL_EV_CALL && g->ids) {
        fputs("[calculator: ", g->ctx->err);
        show_str(g->ctx->err, ev->call->status == LM_TOOL_MALFORMED ? "(no expression)" : ev->call->expr);
        fprintf(g->ctx->err, " = %s]\n", ev->call->value);
    } else if (ev->kind == LM_TOOL_EV_CALL) {
        if (!g->in_call) print_text(g, "[calculator: (no expression)");
        show_color(out, g->ctx->color, "1;33");
        print_text(g, " = ");
        print_text(g, ev->call->value);
        show_color(out, g->ctx->color, "1;35");
        print_text(g, "]");
        show_reset(out, g->ctx->color);
        g->in_call = 0;
    } else if (g->ids) {
        return print_token(g, ev->token, ev->sr);
    } else if (ev->token == g->tool) {
        show_color(out, g->ctx->color, "1;35");
        print_text(g, "[calculator: ");
        g->in_call = 1;
    } else if (ev->token != g->result && !ev->from_tool) {
        return print_token(g, ev->token, ev->sr);
    }
    fflush(out);
    return 0;
}

/* generate --chat with calculator calls (the model can make them: tools.h) */
static int generate_tools(cli_ctx *ctx, gen_print *g, const lm_ids *prompt, const lm_gen_opts *o, lm_rng *rng,
                          lm_gen_result *res, lm_err *err) {
    lm_chat_ids ci;
    if (lm_chat_ids_get(ctx->tok, &ci, err)) return -1;
    g->tool = ci.tool;
    g->result = ci.result;
    lm_tool_opts to = {.max_new = o->max_new, .sampling = o->sampling, .on_event = print_event, .user = g};
    lm_tool_result tr;
    if (lm_tool_generate(&ctx->model, ctx->tok, NULL, prompt->ids, prompt->n, &to, rng, NULL, &tr, err)) return -1;
    if (g->in_call) print_text(g, " (the reply ended before <|result|>)]");
    show_reset(ctx->out, ctx->color);
    *res = (lm_gen_result){.reason = tr.reason, .stop_token = tr.stop_token, .n_new = tr.n_new};
    if (tr.call_limit)
        fprintf(ctx->err, "\nllmlab generate: the model asked for a calculator call beyond the %d a reply may make; "
                          "the reply stops there\n", LM_TOOL_MAX_CALLS);
    return 0;
}

int cmd_generate(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, {"ids", no_argument, 0, 'i'},
        {"tools", no_argument, 0, 1040}, {"no-tools", no_argument, 0, 1041},
        {"context", required_argument, 0, 1042}, {"slide", no_argument, 0, 1043},
        CLI_PROMPT_LONGOPTS,           CLI_SAMPLING_LONGOPTS, {0, 0, 0, 0}};
    cli_prompt_opts po = {0};
    int n = 100, ids = 0, tools = -1;   /* -1: when the model can, 0 never, 1 required */
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
        case 1040: tools = 1; break;
        case 1041: tools = 0; break;
        case 1042: if (cli_parse_context(ctx, "generate", "--context", optarg, &ctx->slide)) return 2; break;
        case 1043: ctx->slide = 1; break;
        default: return cli_bad_option(ctx, "generate", argc, argv, "ehm:n:", longopts);
        }
    }
    if (cli_ensure_any_model(ctx, po.model)) return 1;
    if (ctx->lmodel && po.ablate) {
        fprintf(ctx->err, "llmlab generate: --ablate on a %s model: head ablation is the transformer's\n",
                ctx->lmodel->kind);
        return 2;
    }
    lm_err terr = {{0}};
    if (tools == 1 && (!po.chat || ctx->lmodel || lm_chat_tools_check(ctx->tok, &terr))) {
        fprintf(ctx->err, "llmlab generate: --tools: %s\n",
                !po.chat      ? "tool use is part of the chat template: add --chat"
                : ctx->lmodel ? "tool use needs a transformer model"
                              : terr.msg);
        return 2;
    }
    int use_tools = tools != 0 && po.chat && !ctx->lmodel && lm_chat_has_tools(ctx->tok);
    cli_prompt p;   /* every token: the context policy decides what happens to a long one */
    if (cli_prompt_read_whole(ctx, "generate", argc, argv, optind, po.chat, po.escapes, &p)) return 2;
    if (cli_prompt_ablate(ctx, "generate", &po, &p)) return 2;
    const int n_ctx = cli_model_n_ctx(ctx);   /* 0: unbounded (an RNN) */
    const size_t n_prompt = p.ids.n;
    const int slides = ctx->slide && !use_tools;   /* the calculator loop does not slide */
    if (n_ctx > 0 && !slides && n_prompt > (size_t)n_ctx) {   /* refused before anything prints */
        if (use_tools)
            fprintf(ctx->err, "llmlab generate: the prompt has %zu tokens, more than the model's context of %d "
                    "tokens; a reply with calculator calls does not slide: shorten it, or --no-tools --slide\n",
                    n_prompt, n_ctx);
        else
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
    gen_print g = {.ctx = ctx, .ids = ids, .escape = isatty(fileno(ctx->out))};
    show_writer_init(&g.w, ctx->out);
    lm_gen_opts o = {.max_new = n, .sampling = ctx->sampling, .stop_ids = stop, .n_stop = n_stop,
                     .on_token = print_token, .user = &g, .slide = slides};
    lm_rng rng;
    lm_rng_seed(&rng, ctx->seed);
    if (!ids && !po.chat && g.escape) show_writer_put(&g.w, p.text, p.len);   /* the continuation follows the prompt */
    else if (!ids && !po.chat) fwrite(p.text, 1, p.len, ctx->out);
    if (!ids && !po.chat) show_color(ctx->out, ctx->color, "1;36");
    lm_gen_result res;
    int rc = ctx->lmodel ? lm_lmodel_generate(ctx->lmodel, &p.ids, &o, &rng, &res, &err)
             : use_tools ? generate_tools(ctx, &g, &p.ids, &o, &rng, &res, &err)
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
                res.reason != LM_GEN_CONTEXT ? ""
                : use_tools                  ? "; a reply with calculator calls does not slide (--no-tools --slide does)"
                                             : "; use --slide to continue with a sliding window");
    cli_prompt_free(&p);
    return rc ? 1 : 0;
}
