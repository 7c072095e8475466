/* ui_main.c - `llmlab ui`: options, the event loop, and the frame benchmark
 * (see ui.h). */
#include "ui/app.h"

#include <getopt.h>
#include <locale.h>
#include <omp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/opts.h"
#include "io/modelfile.h"

static const char *usage =
    "usage: llmlab ui [-m MODEL] [--instruct MODEL] [--ascii] [--high-contrast] [PROMPT]\n"
    "       llmlab ui --bench-frames N [--size WxH] [-m MODEL] PROMPT\n"
    "Opens the text UI: next-token bars, attention heads, tokenisers and the BPE\n"
    "stepper, base vs instruct, and live training. Press ? inside for every key.\n"
    "  -m MODEL          the model to explore (default models/base.llm)\n"
    "  --instruct MODEL  the instruct model for the compare view\n"
    "                    (default: instruct.llm next to the base model)\n"
    "  --ascii           no Unicode blocks or braille (also LLMLAB_ASCII=1)\n"
    "  --high-contrast   colours for projectors (H toggles inside)\n"
    "  --bench-frames N  draw the main view N times into a virtual screen with a\n"
    "                    64-token prompt and print frame times in ms (p50, p99)\n"
    "  --size WxH        the virtual screen for --bench-frames (default 200x60)\n"
    "Needs a terminal of at least 40x12. NO_COLOR=1 gives monochrome.\n"
    "LLMLAB_UI_LATENCY_LOG=FILE appends the key-to-screen time of every key press.\n"
    "LLMLAB_UI_THREADS=N: OpenMP threads for the UI's own forward passes (default 1).\n";

static void load_instruct(ui_app *a, const char *path) {
    char guess[1024];
    if (!path) {
        snprintf(guess, sizeof guess, "%s", a->ctx->model_path);
        char *slash = strrchr(guess, '/');
        if (slash) snprintf(slash + 1, sizeof guess - (size_t)(slash + 1 - guess), "instruct.llm");
        else snprintf(guess, sizeof guess, "instruct.llm");
        path = guess;
        if (strcmp(path, a->ctx->model_path) == 0 || access(path, R_OK) != 0) {
            snprintf(a->inst_note, sizeof a->inst_note, "no instruct model (%.200s not found)", path);
            return;
        }
    }
    snprintf(a->inst_path, sizeof a->inst_path, "%s", path);
    lm_err err = {{0}};
    if (lm_load(&a->inst, NULL, path, &err)) {
        snprintf(a->inst_note, sizeof a->inst_note, "instruct model %.60s: %.140s", path, err.msg);
        return;
    }
    a->inst_tok = a->inst.tokenizer_len ? lm_tok_deserialize(a->inst.tokenizer_blob, a->inst.tokenizer_len, &err)
                                        : lm_tok_byte_new();
    if (!a->inst_tok) {
        snprintf(a->inst_note, sizeof a->inst_note, "instruct model %.60s: %.140s", path, err.msg);
        lm_model_free(&a->inst);
        return;
    }
    a->has_inst = 1;
}

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static int run_bench(ui_app *a, int frames, int W, int H) {
    cli_ctx *ctx = a->ctx;
    /* a 64-token prompt: the text repeated until it is long enough, then cut */
    char text[UI_PROMPT_MAX], orig[UI_PROMPT_MAX];
    snprintf(orig, sizeof orig, "%s", a->prompt);
    snprintf(text, sizeof text, "%s", orig);
    while (a->seq.n < 64 && strlen(text) + strlen(orig) + 2 < sizeof text) {
        strcat(text, " ");
        strcat(text, orig);
        ses_set_prompt(a, text);
    }
    if (a->seq.n > 64) a->seq.n = a->n_prompt = 64;
    if (a->seq.n == 0) {
        fprintf(ctx->err, "llmlab ui: --bench-frames needs a non-empty PROMPT\n");
        return 2;
    }
    if (term_open(a, 1, W, H)) {
        fprintf(ctx->err, "llmlab ui: cannot open a virtual screen (TERM=%s)\n", getenv("TERM"));
        return 1;
    }
    /* three measurements of one full redraw of the main view (erase, every panel
     * drawn, clearok so doupdate repaints the whole screen):
     *   [0] ui_frame          from the cached core results (a key that does not change the prompt)
     *   [1] ui_frame_forward  after a fresh lm_forward over the tokens + sampler
     *   [2] ui_frame_resample sampler again on the cached logits (a decoding-setting key) */
    double *t = malloc(sizeof(double) * (size_t)frames * 3);   /* [3, frames] */
    if (!t) { term_close(); return 1; }
    a->dirty = 1;
    app_draw(a);   /* fills the cache */
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < frames; i++) {
            double t0 = app_now_ms();
            if (k == 1) a->dirty = 1;
            if (k == 2) a->sdirty = 1;
            clearok(stdscr, TRUE);
            app_draw(a);
            t[k * frames + i] = app_now_ms() - t0;
        }
    }
    int rows = a->rows, cols = a->cols;
    term_close();
    for (int k = 0; k < 3; k++) qsort(t + k * frames, (size_t)frames, sizeof *t, cmp_double);
    int i50 = (frames - 1) / 2, i99 = (int)(0.99 * frames + 0.999) - 1;
    if (i99 < 0) i99 = 0;
    if (i99 >= frames) i99 = frames - 1;
    fprintf(ctx->out, "bench ui_frame p50_ms=%.3f p99_ms=%.3f frames=%d size=%dx%d tokens=%zu "
                      "(full redraw of the main view from cached forward+sampler results: draw + full-screen doupdate)\n",
            t[i50], t[i99], frames, cols, rows, a->seq.n);
    fprintf(ctx->out, "bench ui_frame_forward p50_ms=%.3f p99_ms=%.3f tokens=%zu ui_omp_threads=%d blas_threads=%d "
                      "(fresh lm_forward over the tokens + sampler + draw + doupdate)\n",
            t[frames + i50], t[frames + i99], a->seq.n, omp_get_max_threads(), lm_get_threads());
    fprintf(ctx->out, "bench ui_frame_resample p50_ms=%.3f p99_ms=%.3f (forward cached: sampler + draw + doupdate)\n",
            t[2 * frames + i50], t[2 * frames + i99]);
    free(t);
    return 0;
}

static void event_loop(ui_app *a) {
    double last_draw = 0;
    int need = 1, pending = 0;
    while (!a->quit && !term_signalled()) {
        if (a->running) {
            int rc = ses_step(a);
            int full = ses_model_ok(a) && a->seq.n >= (size_t)a->ctx->model.cfg.n_ctx;
            if (rc != 0 || full) {
                a->running = 0;
                ses_msg(a, rc < 0, rc < 0 ? "%s" : full ? "stopped: the context is full" : "stopped: %s",
                        rc < 0 ? a->fwd_err : "the model chose a stop token");
            }
            need = 1;
        }
        if (view_train_poll(a)) pending = 1;
        double now = app_now_ms();
        if (pending && now - last_draw >= 100) need = 1;
        if (a->again) { a->again = 0; need = 1; }
        if (need) {
            app_draw(a);
            need = pending = 0;
            last_draw = app_now_ms();
        }
        timeout(a->running || a->again ? 0 : 40);
        wint_t wc;
        int r = get_wch(&wc);
        if (r == ERR) continue;
        double t0 = app_now_ms();
        a->in_key = 1;
        app_key(a, (int)wc, r == KEY_CODE_YES);
        app_draw(a);
        a->in_key = 0;
        last_draw = app_now_ms();
        need = pending = 0;
        if (a->lat) fprintf(a->lat, "ms=%.3f key=%d view=%d training=%d\n", last_draw - t0, (int)wc, a->view,
                            a->w != NULL);
    }
}

int cmd_ui(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},          {"model", required_argument, 0, 'm'},
        {"instruct", required_argument, 0, 'I'}, {"ascii", no_argument, 0, 'A'},
        {"high-contrast", no_argument, 0, 'C'}, {"bench-frames", required_argument, 0, 'B'},
        {"size", required_argument, 0, 'S'},    {0, 0, 0, 0}};
    const char *model = NULL, *instruct = NULL;
    int ascii = 0, hc = 0, frames = 0, bw = 200, bh = 60;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "+hm:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'm': model = optarg; break;
        case 'I': instruct = optarg; break;
        case 'A': ascii = 1; break;
        case 'C': hc = 1; break;
        case 'B': if (cli_parse_int(ctx, "ui", "--bench-frames", optarg, 1, 1000000, &frames)) return 2; break;
        case 'S':
            if (sscanf(optarg, "%dx%d", &bw, &bh) != 2 || bw < 10 || bh < 5 || bw > 1000 || bh > 1000)
                return cli_usage_error(ctx, "ui", "--size is WxH, e.g. 200x60");
            break;
        default: return cli_usage_error(ctx, "ui", "unknown option or missing value");
        }
    }
    if (!frames && (!isatty(0) || !isatty(1))) {
        fprintf(ctx->err, "llmlab ui: needs a terminal (stdin and stdout must be a tty); "
                          "for scripts use `llmlab repl` or the commands\n");
        return 2;
    }
    if (cli_ensure_model(ctx, model)) return 1;
    char prompt[UI_PROMPT_MAX] = "Once upon a time";
    if (optind < argc) {
        prompt[0] = 0;
        for (int i = optind; i < argc; i++) {
            if (i > optind) strncat(prompt, " ", sizeof prompt - strlen(prompt) - 1);
            strncat(prompt, argv[i], sizeof prompt - strlen(prompt) - 1);
        }
    }
    /* the UI thread's own forward passes are small (B=1): one OpenMP thread keeps
     * frames steady on a busy machine, where spinning team threads stall for
     * a scheduler slice; the training worker sets its own count.
     * LLMLAB_UI_THREADS=N overrides (a quiet machine may prefer 2) */
    const char *uth = getenv("LLMLAB_UI_THREADS");
    int ui_threads = uth && atoi(uth) > 0 ? atoi(uth) : 1;
    omp_set_num_threads(ui_threads);
    setlocale(LC_ALL, "");
    ui_app *a = calloc(1, sizeof *a);
    if (!a) return 1;
    a->ctx = ctx;
    a->bench = frames > 0;
    a->cmp_len = 24;
    a->train_lr = 2e-4f;   /* gentle enough not to wreck a trained model in the first steps */
    a->tok_sel = -1;
    a->ascii = ascii;
    a->hc = hc;
    snprintf(a->letter, sizeof a->letter, "r");
    load_instruct(a, instruct);
    ses_init(a);
    ses_set_prompt(a, prompt);
    a->msg[0] = 0;
    const char *lat = getenv("LLMLAB_UI_LATENCY_LOG");
    if (lat && lat[0]) {
        a->lat = fopen(lat, "a");
        if (a->lat) setvbuf(a->lat, NULL, _IOLBF, 0);
    }
    int rc = 0;
    if (frames) {
        rc = run_bench(a, frames, bw, bh);
    } else if (term_open(a, 0, 0, 0)) {
        fprintf(ctx->err, "llmlab ui: cannot start curses on this terminal (TERM=%s)\n",
                getenv("TERM") ? getenv("TERM") : "");
        rc = 1;
    } else {
        if (optind < argc)
            ses_msg(a, 0, "? lists every key; e edits the prompt; space takes the next token");
        else
            app_start_editing(a, 1);   /* a newcomer's first keys type a prompt */
        event_loop(a);
        term_close();
    }
    int sig = term_signalled();
    view_train_free(a);
    view_tokens_free(a);
    view_compare_free(a);
    ses_free(a);
    for (int i = 0; i < a->nhist; i++) free(a->hist[i]);
    free(a->log);
    if (a->lat) fclose(a->lat);
    free(a);
    if (sig == SIGTERM || sig == SIGHUP) {
        fflush(stdout);
        signal(sig, SIG_DFL);
        raise(sig);
    }
    return rc;
}
