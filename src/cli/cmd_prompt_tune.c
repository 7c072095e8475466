/* cmd_prompt_tune.c - `llmlab prompt-tune`: prompt tuning, the lecture's
 * "tuning in word-embedding space". A few trainable vectors (a soft prompt,
 * models/softprompt) go in front of a FROZEN model and are trained on a
 * small task (data/task.h) until the model answers it; the model's weights
 * never change (their CRC is printed before and after).
 *
 *   train     train a soft prompt (THE training loop: cli/trainloop.h)
 *   eval      zero-shot, few-shot and soft-prompt accuracy on the held-out
 *             items, beside the trivial baseline (eval/prompting.h)
 *   generate  continue a prompt with the soft prompt in front
 *   near      the tokens nearest to each soft vector (they are not words)
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/prompt.h"
#include "cli/sandbox.h"
#include "cli/show.h"
#include "cli/trainloop.h"
#include "data/task.h"
#include "decode/generate.h"
#include "eval/prompting.h"
#include "models/softprompt/softprompt.h"
#include "tok/chat.h"

static const char *usage =
    "usage: llmlab prompt-tune train|eval|generate|near ... (each has --help)\n"
    "Prompt tuning: P trainable vectors (a soft prompt) in front of a frozen model,\n"
    "trained until the model answers a task. The model's weights never change.\n"
    "  train     -m MODEL --task FILE [--tokens P] -o OUT [--steps N --lr LR ...]\n"
    "  eval      -m MODEL [-p SOFT] --task FILE   zero-shot, few-shot and soft prompt\n"
    "            accuracy on the held-out items, beside the trivial baseline\n"
    "  generate  -m MODEL -p SOFT PROMPT          continue PROMPT after the soft prompt\n"
    "  near      -m MODEL -p SOFT                 the tokens nearest to each soft vector\n"
    "A task file is JSONL: a first line {\"task\": NAME, \"instruction\": TEXT,\n"
    "\"separator\": TEXT}, then {\"input\": TEXT, \"answer\": TEXT} per item; the last\n"
    "5% of the items are held out (data/gen/sentiment.jsonl is one).\n";

static const char *usage_train =
    "usage: llmlab prompt-tune train -m MODEL --task FILE [--tokens P] -o OUT [options]\n"
    "       llmlab prompt-tune train --resume -o OUT [options]\n"
    "Trains P soft vectors in front of the frozen MODEL so that it answers the task:\n"
    "each row is [P vectors] INPUT SEPARATOR ANSWER, the loss counts only the answer's\n"
    "tokens, and AdamW updates only the vectors. Prints the CRC of MODEL's weights\n"
    "before and after (they must not change) and, at each validation, val_loss and\n"
    "the held-out accuracy. OUT is a soft-prompt file (kind softprompt); it only works\n"
    "with the model it was trained on.\n"
    "  -m MODEL           the frozen model (resume: the one OUT records)\n"
    "  --task FILE        the task (JSONL; the last 5% of its items are held out)\n"
    "  --tokens P         soft vectors (default 16, at most 64)\n" CLI_RUN_HELP
    "Defaults here: --steps 300 --batch 16 --lr 0.1 (a soft prompt takes a large rate).\n";

static const char *usage_eval =
    "usage: llmlab prompt-tune eval -m MODEL [-p SOFT] --task FILE [--shots K] [--items N] [--show N]\n"
    "Asks MODEL every held-out item of the task three ways and prints how many it\n"
    "gets right, beside the trivial baseline (always the most common answer):\n"
    "  zero-shot   the instruction and the input:        INSTRUCTION\\nINPUT SEP\n"
    "  K-shot      the same with K solved training items before the input\n"
    "  soft prompt the trained vectors, then INPUT SEP (no instruction)\n"
    "An answer counts when the greedy reply's first line starts with it.\n"
    "  -m MODEL           the frozen model (default models/base.llm)\n"
    "  -p SOFT            a soft prompt from `prompt-tune train` (without: no soft row)\n"
    "  --task FILE        the task (JSONL)\n"
    "  --shots K          solved examples for the few-shot row (default 3)\n"
    "  --items N          only the first N held-out items\n"
    "  --show N           print the first N items' prompts and replies per method\n";

static const char *usage_generate =
    "usage: llmlab prompt-tune generate -m MODEL -p SOFT [-n N] [--all-lines] [sampling] PROMPT\n"
    "Continues PROMPT after the soft prompt's vectors (greedy unless a sampling option\n"
    "is given), up to the end of the line. For a task, end PROMPT with its separator:\n"
    "  llmlab prompt-tune generate -p models/softprompt.llm \"The ball was dull. //\"\n"
    "  -m MODEL           the frozen model (default models/base.llm)\n"
    "  -p SOFT            the soft prompt\n"
    "  -n N               new tokens at most (default 24)\n"
    "  -e, --escapes      read \\n, \\t and \\\\ in PROMPT as newline, tab, backslash\n"
    "  --all-lines        go on past the end of the first line\n" CLI_SAMPLING_HELP;

static const char *usage_near =
    "usage: llmlab prompt-tune near -m MODEL -p SOFT [-k K]\n"
    "For each soft vector, the K tokens whose embeddings (rows of wte) are most\n"
    "similar to it by cosine, and its length beside the tokens' mean length. A word's\n"
    "own embedding has cosine 1.00 with itself; trained soft vectors are near no word.\n"
    "  -m MODEL           the frozen model (default models/base.llm)\n"
    "  -p SOFT            the soft prompt\n"
    "  -k K               tokens per vector (default 5)\n";

/* ---- shared ---- */

/* the soft prompt at path, checked against the loaded model; 0 or 1 (printed) */
static int load_soft(cli_ctx *ctx, const char *cmd, const char *path, lm_softprompt *sp) {
    if (!(path = cli_path_for_read(ctx, cmd, path))) return 1;
    lm_err err = {{0}};
    int rc = lm_softprompt_load(sp, NULL, path, &err);
    if (rc < 0) {
        fprintf(ctx->err, "llmlab %s: cannot load soft prompt %s: %s\n", cmd, path, err.msg);
        return 1;
    }
    if (lm_softprompt_attach(sp, &ctx->model, &err)) {   /* width, vocabulary and weights' CRC */
        fprintf(ctx->err, "llmlab %s: %s does not belong to %s: %s\n", cmd, path, ctx->model_path, err.msg);
        lm_softprompt_free(sp);
        return 1;
    }
    lm_softprompt_detach(&ctx->model);
    return 0;
}

static void print_crc(cli_ctx *ctx, const char *what, const lm_model *m) {
    fprintf(ctx->out, "%s: %s, %zu weights, CRC %08x\n", what, ctx->model_path, m->n_params,
            lm_softprompt_weights_crc(m));
}

/* ---- train ---- */

typedef struct {
    cli_run_opts ro;
    const char *model, *task;
    int tokens;
} train_args;

static int parse_train(cli_ctx *ctx, const char *cmd, int argc, char **argv, train_args *a) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},       {"model", required_argument, 0, 'm'},
        {"task", required_argument, 0, 1301}, {"tokens", required_argument, 0, 1302},
        CLI_RUN_LONGOPTS,                    {0, 0, 0, 0}};
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "hm:o:", longopts, NULL)) != -1) {
        int k = cli_run_option(ctx, cmd, c, optarg, &a->ro);
        if (k < 0) return 2;
        if (k > 0) continue;
        switch (c) {
        case 'h': fputs(usage_train, ctx->out); return 0;
        case 'm': a->model = optarg; break;
        case 1301: a->task = optarg; break;
        case 1302:
            if (cli_parse_int(ctx, cmd, "--tokens", optarg, 1, LM_SOFTPROMPT_MAX_TOKENS, &a->tokens)) return 2;
            break;
        default: return cli_bad_option(ctx, cmd, argc, argv, "hm:o:", longopts);
        }
    }
    if (optind < argc) return cli_usage_error(ctx, cmd, "unexpected argument");
    if (!a->ro.out) return cli_usage_error(ctx, cmd, "-o OUT is required");
    if (a->ro.seq >= 0)
        return cli_usage_error(ctx, cmd, "--seq does not apply: rows are as long as the task's longest item");
    if (a->ro.resume && a->tokens > 0)
        return cli_usage_error(ctx, cmd, "--tokens is fixed by the soft prompt being resumed");
    return -1;
}

/* the frozen model, the soft prompt (fresh, or resumed from OUT) and the task path */
static int train_setup(cli_ctx *ctx, const char *cmd, train_args *a, lm_softprompt *sp, char **meta,
                       char *buf_model, char *buf_task) {
    if (!(a->ro.out = cli_path_for_write(ctx, cmd, a->ro.out))) return 1;
    if (a->ro.resume) {
        lm_err err = {{0}};
        int rc = lm_softprompt_load(sp, meta, a->ro.out, &err);
        if (rc < 0) {
            fprintf(ctx->err, "llmlab %s: --resume: cannot load %s: %s\n", cmd, a->ro.out, err.msg);
            return 1;
        }
        if (rc > 0) fprintf(ctx->err, "llmlab %s: --resume: %s; AdamW moments restart from zero\n", cmd, err.msg);
        if (!a->model && cli_meta_get(*meta, "base", buf_model, LM_PATH_MAX) == 0) a->model = buf_model;
        if (!a->task && cli_meta_get(*meta, "data", buf_task, LM_PATH_MAX) == 0) a->task = buf_task;
        if (!a->model) return cli_usage_error(ctx, cmd, "give -m MODEL (the checkpoint does not name its model)");
    }
    if (!a->model) return cli_usage_error(ctx, cmd, "give -m MODEL (the frozen model) or --resume");
    if (!a->task) return cli_usage_error(ctx, cmd, "--task FILE is required");
    if (cli_ensure_model(ctx, a->model)) return 1;
    lm_err err = {{0}};
    if (a->ro.resume) {
        if (lm_softprompt_attach(sp, &ctx->model, &err)) {
            fprintf(ctx->err, "llmlab %s: --resume: %s does not belong to %s: %s\n", cmd, a->ro.out, a->model,
                    err.msg);
            return 1;
        }
        lm_softprompt_detach(&ctx->model);
        return 0;
    }
    uint64_t seed = (uint64_t)(a->ro.seed >= 0 ? a->ro.seed : 1234);
    if (lm_softprompt_init(sp, &ctx->model, a->tokens > 0 ? a->tokens : 16, seed, &err)) {
        fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
        return 1;
    }
    return 0;
}

static int cmd_train(cli_ctx *ctx, int argc, char **argv) {
    const char *cmd = "prompt-tune train";
    train_args a = {.tokens = -1};
    cli_run_opts_init(&a.ro);
    int rc = parse_train(ctx, cmd, argc, argv, &a);
    if (rc >= 0) return rc;
    lm_softprompt sp;
    memset(&sp, 0, sizeof sp);
    char *meta = NULL, *run_meta = NULL;
    char buf_model[LM_PATH_MAX], buf_task[LM_PATH_MAX];
    lm_objective *obj = NULL;
    rc = train_setup(ctx, cmd, &a, &sp, &meta, buf_model, buf_task);
    const char *task = rc == 0 ? cli_path_for_read(ctx, cmd, a.task) : NULL;
    if (rc == 0 && !task) rc = 1;
    lm_err err = {{0}};
    if (rc == 0) {
        cli_run_opts_fill(&a.ro, meta, 300, 16, 0, 0.1f);
        if (a.ro.min_lr > a.ro.lr) {
            fprintf(ctx->err, "llmlab %s: --min-lr %g is above --lr %g; it must be at most --lr\n", cmd, a.ro.min_lr,
                    a.ro.lr);
            rc = 2;
        }
    }
    if (rc == 0 && !(obj = lm_obj_prompt_tune_new(&ctx->model, &sp, &err))) rc = 1;
    lm_data_opts d = {.train_path = task, .B = a.ro.batch, .T = 0, .seed = (uint64_t)a.ro.seed,
                      .start_step = sp.ps.adam_t};
    if (rc == 0 && obj->ops->prepare(obj, ctx->tok, &d, &err)) rc = 1;
    if (rc == 1 && err.msg[0]) fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
    if (rc == 0) {
        size_t cap = strlen(a.model) + strlen(a.task) + sizeof obj->meta + 64;
        char *lines = malloc(cap);
        if (lines) snprintf(lines, cap, "kind=prompt-tune\nbase=%s\ndata=%s\n%s", a.model, a.task, obj->meta);
        run_meta = lines ? cli_run_opts_meta(&a.ro, lines) : NULL;
        free(lines);
        if (!run_meta) {
            fprintf(ctx->err, "llmlab %s: out of memory\n", cmd);
            rc = 1;
        }
    }
    if (rc == 0) {
        uint32_t before = lm_softprompt_weights_crc(&ctx->model);
        fprintf(ctx->out, "prompt-tune: %d soft vectors x %d = %zu trainable numbers; the frozen model's %zu "
                          "weights are not trained\n",
                sp.n_tokens, sp.d_model, sp.ps.n, ctx->model.n_params);
        print_crc(ctx, "frozen model before", &ctx->model);
        fprintf(ctx->out, "%s; steps %d..%d, batch %d\n", obj->desc, sp.ps.adam_t, a.ro.steps, a.ro.batch);
        cli_trainloop L = {.cmd = cmd, .m = NULL, .obj = obj, .run_meta = run_meta};
        rc = cli_trainloop_run_opts(ctx, &L, &a.ro);   /* 0, 1 or 130 (interrupted, saved) */
        lm_softprompt_detach(&ctx->model);
        uint32_t after = lm_softprompt_weights_crc(&ctx->model);
        print_crc(ctx, "frozen model after ", &ctx->model);
        if (after != before) {
            fprintf(ctx->err, "llmlab %s: the frozen model's weights changed (CRC %08x, was %08x)\n", cmd, after,
                    before);
            rc = 1;
        } else {
            fprintf(ctx->out, "the frozen weights are unchanged (CRC %08x before and after)\n", after);
        }
    }
    lm_objective_free(obj);   /* detaches the soft prompt */
    lm_softprompt_detach(&ctx->model);
    lm_softprompt_free(&sp);
    free(meta);
    free(run_meta);
    return rc;
}

/* ---- eval ---- */

typedef struct {
    cli_ctx *ctx;
    int show;
    const char *names[3];
} eval_trace;

static void trace_item(void *user, lm_task_prompt how, int item, const char *text, const char *reply, int right) {
    eval_trace *tr = user;
    if (item >= tr->show) return;
    FILE *f = tr->ctx->out;
    fprintf(f, "[%s] item %d %s\n  prompt: ", tr->names[how], item + 1, right ? "right" : "wrong");
    const char *last = strrchr(text, '\n');   /* few-shot prompts: the question is the last line */
    if (how == LM_TASK_SOFT) fputs("[soft prompt] ", f);
    if (last && how == LM_TASK_FEW_SHOT) fputs("... ", f);
    show_str(f, last && how == LM_TASK_FEW_SHOT ? last + 1 : text);
    fputs("\n  reply: ", f);
    show_str(f, reply);
    fputc('\n', f);
}

static void row(cli_ctx *ctx, const char *name, int right, int n) {
    fprintf(ctx->out, "%-26s %4d/%-4d %6.1f%%\n", name, right, n, n ? 100.0 * right / n : 0.0);
}

static int cmd_eval_task(cli_ctx *ctx, int argc, char **argv) {
    const char *cmd = "prompt-tune eval";
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},        {"model", required_argument, 0, 'm'},
        {"soft", required_argument, 0, 'p'},  {"task", required_argument, 0, 1301},
        {"shots", required_argument, 0, 1303}, {"items", required_argument, 0, 1304},
        {"show", required_argument, 0, 1305}, {0, 0, 0, 0}};
    const char *model = NULL, *soft = NULL, *task_path = NULL;
    lm_prompting_opts o = {.shots = 3, .seed = 1234};
    int show = 0;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "hm:p:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage_eval, ctx->out); return 0;
        case 'm': model = optarg; break;
        case 'p': soft = optarg; break;
        case 1301: task_path = optarg; break;
        case 1303: if (cli_parse_int(ctx, cmd, "--shots", optarg, 1, 16, &o.shots)) return 2; break;
        case 1304: if (cli_parse_int(ctx, cmd, "--items", optarg, 1, LM_TASK_MAX_ITEMS, &o.max_items)) return 2; break;
        case 1305: if (cli_parse_int(ctx, cmd, "--show", optarg, 0, LM_TASK_MAX_ITEMS, &show)) return 2; break;
        default: return cli_bad_option(ctx, cmd, argc, argv, "hm:p:", longopts);
        }
    }
    if (optind < argc) return cli_usage_error(ctx, cmd, "unexpected argument");
    if (!task_path) return cli_usage_error(ctx, cmd, "--task FILE is required");
    if (cli_ensure_model(ctx, model)) return 1;
    lm_softprompt sp;
    memset(&sp, 0, sizeof sp);
    if (soft && load_soft(ctx, cmd, soft, &sp)) return 1;
    lm_task task;
    memset(&task, 0, sizeof task);
    lm_err err = {{0}};
    const char *tp = cli_path_for_read(ctx, cmd, task_path);
    int rc = tp ? 0 : 1;
    if (rc == 0 && lm_task_load(&task, tp, &err)) {
        fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
        rc = 1;
    }
    lm_prompting_result res;
    char shot_name[32], soft_name[48];
    snprintf(shot_name, sizeof shot_name, "%d-shot", o.shots);
    snprintf(soft_name, sizeof soft_name, "soft prompt (%d vectors)", sp.n_tokens);
    eval_trace tr = {ctx, show, {"zero-shot", shot_name, "soft prompt"}};
    o.trace = trace_item;
    o.user = &tr;
    if (rc == 0 && lm_prompting_eval(&ctx->model, ctx->tok, &task, soft ? &sp : NULL, &o, &res, &err)) {
        fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
        rc = 1;
    }
    if (rc == 0) {
        int held = task.n - task.n_train;
        fprintf(ctx->out, "task %s: %d held-out items%s (the last 5%% of %d), %d training items\n", task.name, res.n,
                res.n < held ? " measured" : "", task.n, task.n_train);
        fprintf(ctx->out, "%-26s %9s %7s\n", "method", "right", "acc");
        char base[96];
        snprintf(base, sizeof base, "always \"%.60s\"", res.majority);
        row(ctx, base, res.majority_right, res.n);
        row(ctx, "zero-shot", res.right[LM_TASK_ZERO_SHOT], res.n);
        row(ctx, shot_name, res.right[LM_TASK_FEW_SHOT], res.n);
        if (soft) row(ctx, soft_name, res.right[LM_TASK_SOFT], res.n);
        print_crc(ctx, "frozen model", &ctx->model);
        if (soft)
            fprintf(ctx->out, "soft prompt: %s, %d x %d = %zu numbers, trained on weights with CRC %08x (the same)\n",
                    soft, sp.n_tokens, sp.d_model, sp.ps.n, sp.base_crc);
    }
    lm_task_free(&task);
    lm_softprompt_free(&sp);
    return rc;
}

/* ---- generate ---- */

typedef struct {
    cli_ctx *ctx;
    int escape, all_lines;
    show_writer w;
} gen_print;

static int print_token(void *user, int32_t token, const lm_sample_result *r) {
    (void)r;
    gen_print *g = user;
    size_t len;
    const uint8_t *b = lm_tok_piece(g->ctx->tok, token, &len);
    if (!b) return 0;
    const uint8_t *nl = g->all_lines ? NULL : memchr(b, '\n', len);
    size_t n = nl ? (size_t)(nl - b) : len;   /* the line ends here */
    if (g->escape) show_writer_put(&g->w, b, n);
    else fwrite(b, 1, n, g->ctx->out);
    fflush(g->ctx->out);
    return nl != NULL;
}

static int cmd_generate_soft(cli_ctx *ctx, int argc, char **argv) {
    const char *cmd = "prompt-tune generate";
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},       {"model", required_argument, 0, 'm'},
        {"soft", required_argument, 0, 'p'}, {"escapes", no_argument, 0, 'e'},
        {"all-lines", no_argument, 0, 1306}, CLI_SAMPLING_LONGOPTS, {0, 0, 0, 0}};
    const char *model = NULL, *soft = NULL;
    int n = 24, escapes = 0, all_lines = 0, sampled = 0;
    lm_sampling saved = ctx->sampling;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "ehm:n:p:", longopts, NULL)) != -1) {
        int s = cli_sampling_option(ctx, cmd, c, optarg);
        if (s < 0) return 2;
        if (s > 0) {
            sampled = 1;
            continue;
        }
        switch (c) {
        case 'h': fputs(usage_generate, ctx->out); return 0;
        case 'm': model = optarg; break;
        case 'p': soft = optarg; break;
        case 'e': escapes = 1; break;
        case 'n': if (cli_parse_int(ctx, cmd, "-n", optarg, 1, 100000, &n)) return 2; break;
        case 1306: all_lines = 1; break;
        default: return cli_bad_option(ctx, cmd, argc, argv, "ehm:n:p:", longopts);
        }
    }
    if (!soft) return cli_usage_error(ctx, cmd, "-p SOFT is required");
    if (optind >= argc) return cli_usage_error(ctx, cmd, "give a PROMPT");
    if (cli_ensure_model(ctx, model)) return 1;
    lm_softprompt sp;
    memset(&sp, 0, sizeof sp);
    if (load_soft(ctx, cmd, soft, &sp)) return 1;
    cli_prompt p;
    if (cli_prompt_read(ctx, cmd, argc, argv, optind, 0, escapes, &p)) {
        lm_softprompt_free(&sp);
        return 2;
    }
    lm_sampling sampling = ctx->sampling;
    if (!sampled) sampling.greedy = 1;
    ctx->sampling = saved;   /* one call's options; the session's settings stay */
    lm_ids ids = {0};
    int rc = 0;
    lm_err err = {{0}};
    for (int i = 0; i < sp.n_tokens && rc == 0; i++) rc = lm_ids_push(&ids, 0);
    for (size_t i = 0; i < p.ids.n && rc == 0; i++) rc = lm_ids_push(&ids, p.ids.ids[i]);
    if (rc) fprintf(ctx->err, "llmlab %s: out of memory\n", cmd);
    if (rc == 0 && (int)ids.n >= ctx->model.cfg.n_ctx) {
        fprintf(ctx->err, "llmlab %s: the soft prompt (%d) and the prompt (%zu tokens) fill the context of %d\n", cmd,
                sp.n_tokens, p.ids.n, ctx->model.cfg.n_ctx);
        rc = 1;
    }
    if (rc == 0 && lm_softprompt_attach(&sp, &ctx->model, &err)) {
        fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
        rc = 1;
    }
    if (rc == 0) {
        int32_t stop[1];
        int n_stop = 0;
        int32_t eot = lm_tok_special_id(ctx->tok, LM_CHAT_EOT);
        if (eot >= 0) stop[n_stop++] = eot;
        gen_print g = {ctx, isatty(fileno(ctx->out)), all_lines, {0}};
        show_writer_init(&g.w, ctx->out);
        lm_gen_opts o = {.max_new = n, .sampling = sampling, .stop_ids = stop, .n_stop = n_stop,
                         .on_token = print_token, .user = &g};
        lm_rng rng;
        lm_rng_seed(&rng, ctx->seed);
        fprintf(ctx->out, "[%d soft vectors] ", sp.n_tokens);
        if (g.escape) show_writer_put(&g.w, p.text, p.len);
        else fwrite(p.text, 1, p.len, ctx->out);
        show_color(ctx->out, ctx->color, "1;36");
        if (lm_generate(&ctx->model, NULL, ids.ids, ids.n, &o, &rng, NULL, NULL, &err)) {
            fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
            rc = 1;
        }
        show_writer_end(&g.w);
        show_reset(ctx->out, ctx->color);
        fputc('\n', ctx->out);
        lm_softprompt_detach(&ctx->model);
    }
    lm_ids_free(&ids);
    cli_prompt_free(&p);
    lm_softprompt_free(&sp);
    return rc;
}

/* ---- near ---- */

static int cmd_near(cli_ctx *ctx, int argc, char **argv) {
    const char *cmd = "prompt-tune near";
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'},
                                             {"model", required_argument, 0, 'm'},
                                             {"soft", required_argument, 0, 'p'},
                                             {0, 0, 0, 0}};
    const char *model = NULL, *soft = NULL;
    int k = 5;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "hk:m:p:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage_near, ctx->out); return 0;
        case 'm': model = optarg; break;
        case 'p': soft = optarg; break;
        case 'k': if (cli_parse_int(ctx, cmd, "-k", optarg, 1, 50, &k)) return 2; break;
        default: return cli_bad_option(ctx, cmd, argc, argv, "hk:m:p:", longopts);
        }
    }
    if (optind < argc) return cli_usage_error(ctx, cmd, "unexpected argument");
    if (!soft) return cli_usage_error(ctx, cmd, "-p SOFT is required");
    if (cli_ensure_model(ctx, model)) return 1;
    lm_softprompt sp;
    memset(&sp, 0, sizeof sp);
    if (load_soft(ctx, cmd, soft, &sp)) return 1;
    lm_softprompt_near nr;
    lm_err err = {{0}};
    int rc = lm_softprompt_nearest(&sp, &ctx->model, ctx->tok, k, &nr, &err);
    if (rc) fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
    if (rc == 0) {
        fprintf(ctx->out, "%d soft vectors of width %d; nearest tokens by cosine (1.00 would be the token itself)\n",
                sp.n_tokens, sp.d_model);
        fprintf(ctx->out, "vector  length  nearest tokens\n");
        int ascii = !show_unicode_ok();
        for (int p = 0; p < nr.n_tokens; p++) {
            fprintf(ctx->out, "%6d %7.2f ", p, nr.norm[p]);
            for (int j = 0; j < nr.hits[p].k; j++) {
                size_t len;
                const uint8_t *b = lm_tok_piece(ctx->tok, nr.hits[p].id[j], &len);
                char piece[96];
                show_piece(b ? b : (const uint8_t *)"?", b ? len : 1, ascii, piece, sizeof piece);
                fprintf(ctx->out, "  %s %.2f", piece, nr.hits[p].sim[j]);
            }
            fputc('\n', ctx->out);
        }
        fprintf(ctx->out, "token embeddings: mean length %.2f\n", nr.mean_token_norm);
        lm_softprompt_near_free(&nr);
    }
    lm_softprompt_free(&sp);
    return rc ? 1 : 0;
}

/* ---- the command ---- */

int cmd_prompt_tune(cli_ctx *ctx, int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? ctx->err : ctx->out);
        return argc < 2 ? 2 : 0;
    }
    static const struct {
        const char *name;
        int (*run)(cli_ctx *, int, char **);
    } subs[] = {{"train", cmd_train}, {"eval", cmd_eval_task}, {"generate", cmd_generate_soft}, {"near", cmd_near}};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[1], subs[i].name) == 0) return subs[i].run(ctx, argc - 1, argv + 1);
    fprintf(ctx->err, "llmlab prompt-tune: unknown sub-command '%s' (train, eval, generate, near; see "
                      "'llmlab prompt-tune --help')\n",
            argv[1]);
    return 2;
}
