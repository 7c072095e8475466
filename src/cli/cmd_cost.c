/* cmd_cost.c - `llmlab cost`: the cost of training versus generating,
 * measured live on the loaded model (decode/cost.h). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "decode/cost.h"

static const char *usage =
    "usage: llmlab cost [-m MODEL] [--max-t T] [--repeat N]\n"
    "Times, on this machine and the loaded model, for T = 8, 16, 32, ... up to\n"
    "max-t tokens:\n"
    "  forward     one forward pass over all T tokens at once (how training and\n"
    "              the prompt are processed: every position in parallel)\n"
    "  KV decode   T decoding steps with the key/value cache (how generation runs:\n"
    "              each new token attends to the cached keys and values)\n"
    "  no cache    T decoding steps without a cache: the whole forward again over\n"
    "              the growing prefix for every new token\n"
    "  attention   the attention kernels alone over T tokens, all layers, as a\n"
    "              share of the forward's time, and its share of the counted FLOPs\n"
    "Times are milliseconds, the best of N runs. A second table gives the counts\n"
    "that do not depend on the machine: model calls, positions processed and\n"
    "GFLOPs (multiply-adds x 2) of each way.\n"
    "  -m MODEL      model file (default models/base.llm)\n"
    "  --max-t T     the longest sequence (default and at most the context)\n"
    "  --repeat N    runs per measurement, the best is kept (default 1)\n";

static void print_tables(cli_ctx *ctx, const lm_cost *c) {
    fprintf(ctx->out, "%5s %11s %13s %12s %8s %12s %11s %12s\n", "T", "forward ms", "KV decode ms",
            "no-cache ms", "KV/fwd", "no-cache/KV", "attn time", "attn FLOPs");
    for (int i = 0; i < c->n_rows; i++) {
        const lm_cost_row *r = &c->rows[i];
        fprintf(ctx->out, "%5d %11.3f %13.3f %12.3f %7.1fx %11.1fx %10.1f%% %11.1f%%\n", r->T, r->fwd_ms,
                r->kv_ms, r->nocache_ms, r->kv_ms / r->fwd_ms, r->nocache_ms / r->kv_ms,
                100.0 * r->attn_share_time, 100.0 * r->attn_share_flops);
    }
    fprintf(ctx->out, "\ncounted per run (the same on any machine):\n");
    fprintf(ctx->out, "%5s %9s %9s %14s %18s %10s %9s %15s\n", "T", "fwd calls", "KV calls",
            "no-cache calls", "no-cache positions", "fwd GFLOP", "KV GFLOP", "no-cache GFLOP");
    for (int i = 0; i < c->n_rows; i++) {
        const lm_cost_row *r = &c->rows[i];
        fprintf(ctx->out, "%5d %9lld %9lld %14lld %18lld %10.4f %9.4f %15.4f\n", r->T, r->fwd_calls,
                r->kv_calls, r->nocache_calls, r->nocache_tokens, r->fwd_flops / 1e9, r->kv_flops / 1e9,
                r->nocache_flops / 1e9);
    }
}

int cmd_cost(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, {"model", required_argument, 0, 'm'},
        {"max-t", required_argument, 0, 't'}, {"repeat", required_argument, 0, 'r'}, {0, 0, 0, 0}};
    const char *model = NULL;
    int max_t = 0, repeat = 1;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "hm:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'm': model = optarg; break;
        case 't': if (cli_parse_int(ctx, "cost", "--max-t", optarg, 1, 1 << 20, &max_t)) return 2; break;
        case 'r': if (cli_parse_int(ctx, "cost", "--repeat", optarg, 1, 100, &repeat)) return 2; break;
        default: return cli_usage_error(ctx, "cost", "unknown option or missing value");
        }
    }
    if (optind < argc) return cli_usage_error(ctx, "cost", "takes no arguments");
    if (cli_ensure_model(ctx, model)) return 1;
    const lm_config *cf = &ctx->model.cfg;
    if (max_t == 0) max_t = cf->n_ctx;
    if (max_t > cf->n_ctx) {
        fprintf(ctx->err, "llmlab cost: --max-t %d is longer than the context (%d)\n", max_t, cf->n_ctx);
        return 2;
    }
    lm_cost cost;
    lm_err err = {{0}};
    if (lm_cost_begin(&cost, &ctx->model, max_t, repeat, &err) || lm_cost_step(&cost, 1e12, &err) < 0) {
        fprintf(ctx->err, "llmlab cost: %s\n", err.msg);
        lm_cost_free(&cost);
        return 1;
    }
    fprintf(ctx->out, "cost of training vs generating: %d layers, width %d, context %d, vocabulary %d; "
            "best of %d run%s, %d thread%s\n", cf->n_layer, cf->d_model, cf->n_ctx, cf->vocab_size,
            repeat, repeat == 1 ? "" : "s", lm_get_threads(), lm_get_threads() == 1 ? "" : "s");
    print_tables(ctx, &cost);
    lm_cost_free(&cost);
    return 0;
}
