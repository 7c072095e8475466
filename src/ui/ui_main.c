/* ui_main.c - `llmlab ui`: options, the event loop, and the frame benchmark
 * (see ui.h). */
#include "ui/app.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <omp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/opts.h"
#include "ui/curses_inc.h"
#include "cli/preset.h"
#include "cli/sandbox.h"
#include "ui/record.h"

static const char *usage =
    "usage: llmlab ui [-m MODEL] [--instruct MODEL] [--ascii] [--high-contrast] [PROMPT]\n"
    "       llmlab ui --bench-frames N [--size WxH] [--bench-view V|all] [-m MODEL] PROMPT\n"
    "       llmlab ui [--preset NAME] [--record FILE] [--replay FILE [--screen-out OUT]]\n"
    "Opens the text UI: next-token bars, attention heads, tokenisers and the BPE\n"
    "stepper, base vs instruct, and live training. Press ? inside for every key.\n"
    "  -m MODEL          the model to explore (default models/base.llm)\n"
    "  --instruct MODEL  the instruct model for the compare view\n"
    "                    (default: instruct.llm next to the base model)\n"
    "  --ascii           no Unicode blocks or braille (also LLMLAB_ASCII=1)\n"
    "  --high-contrast   colours for projectors (H toggles inside)\n"
    "  --bench-frames N  draw the main view N times into a virtual screen with a\n"
    "                    64-token prompt and print frame times in ms (p50, p99)\n"
    "  --size WxH        the virtual screen for --bench-frames / --screen-out\n"
    "                    (default 200x60; a recording's own size for --replay)\n"
    "  --preset NAME     open a preset (`preset save NAME` on the ':' line writes\n"
    "                    one): model, prompt, view, decoding settings; a NAME or a\n"
    "                    path (with '/' or ending in .preset)\n"
    "  --record FILE     write every key (and the settings at the start) to FILE\n"
    "  --replay FILE     start from a recording's settings and feed its keys\n"
    "  --screen-out OUT  with --replay: no terminal; replay on a virtual screen and\n"
    "                    write the final screen as text to OUT\n"
    "  --bench-view V    with --bench-frames: also time view V (a number or a name,\n"
    "                    e.g. 2 or attention), or every view with 'all'\n"
    "Needs a terminal of at least 40x12. NO_COLOR=1 gives monochrome.\n"
    "LLMLAB_UI_LATENCY_LOG=FILE appends the key-to-screen time of every key press.\n"
    "LLMLAB_UI_THREADS=N: OpenMP threads for the UI's own forward passes (default 1).\n";

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static void pctl(double *t, int frames, double *p50, double *p99) {
    qsort(t, (size_t)frames, sizeof *t, cmp_double);
    int i50 = (frames - 1) / 2, i99 = (int)(0.99 * frames + 0.999) - 1;
    if (i99 < 0) i99 = 0;
    if (i99 >= frames) i99 = frames - 1;
    *p50 = t[i50];
    *p99 = t[i99];
}

/* the panel's name as one word: "Next token" -> "next_token" */
static void bench_name(const ui_panel *p, char *out, size_t cap) {
    size_t n = 0;
    for (const char *c = p->name; *c && n + 1 < cap; c++)
        out[n++] = (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : (*c == ' ' || *c == '-') ? '_' : *c;
    out[n] = 0;
}

/* frames of each panel in views[] from cached results: after a warm-up
 * (polls until the panel settles), full redraws with no input changed */
static void bench_views(ui_app *a, const int *views, int nv, int frames, double *t, double (*res)[2]) {
    for (int k = 0; k < nv; k++) {
        a->view = views[k];
        a->ses.inputs_ver++;   /* as a key that shows the panel: it computes once */
        for (int i = 0; i < 2000 && (app_poll(a) & UI_POLL_AGAIN); i++) {}
        app_draw(a);
        for (int i = 0; i < frames; i++) {
            double t0 = app_now_ms();
            a->full_redraw = 1;
            app_poll(a);
            app_draw(a);
            t[i] = app_now_ms() - t0;
        }
        pctl(t, frames, &res[k][0], &res[k][1]);
    }
}

static int run_bench(ui_app *a, int frames, int W, int H, int bench_view) {
    cli_ctx *ctx = a->ctx;
    /* a 64-token prompt: the text repeated until it is long enough, then cut */
    char text[UI_PROMPT_MAX], orig[UI_PROMPT_MAX];
    ui_session *s = &a->ses;
    snprintf(orig, sizeof orig, "%s", s->prompt);
    snprintf(text, sizeof text, "%s", orig);
    while (s->seq.n < 64 && strlen(text) + strlen(orig) + 2 < sizeof text) {
        strcat(text, " ");
        strcat(text, orig);
        ses_set_prompt(s, text);
    }
    if (s->seq.n > 64) s->seq.n = s->n_prompt = 64;
    if (s->seq.n == 0) {
        fprintf(ctx->err, "llmlab ui: --bench-frames needs a non-empty PROMPT\n");
        return 2;
    }
    if (term_open(a, 1, W, H)) {
        fprintf(ctx->err, "llmlab ui: cannot open a virtual screen (TERM=%s)\n", getenv("TERM"));
        return 1;
    }
    /* three measurements of one full frame of the main view (the update step,
     * every part drawn onto the canvas, the canvas rendered with clearok so
     * doupdate repaints the whole screen):
     *   [0] ui_frame          from the cached core results (a key that does not change the prompt)
     *   [1] ui_frame_forward  after a fresh lm_forward over the tokens + sampler
     *   [2] ui_frame_resample sampler again on the cached logits (a decoding-setting key) */
    double *t = malloc(sizeof(double) * (size_t)frames * 3);   /* [3, frames] */
    if (!t) { term_close(); return 1; }
    s->dirty = 1;
    app_poll(a);   /* fills the cache */
    app_draw(a);
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < frames; i++) {
            double t0 = app_now_ms();
            if (k == 1) s->dirty = 1;
            if (k == 2) s->sdirty = 1;
            a->full_redraw = 1;
            app_poll(a);
            app_draw(a);
            t[k * frames + i] = app_now_ms() - t0;
        }
    }
    int views[64], nv = 0;
    double res[64][2];
    double *tv = bench_view ? malloc(sizeof(double) * (size_t)frames) : NULL;
    if (tv) {   /* -1 = every panel of the table, else view bench_view (1-based) */
        for (int v = 0; v < ui_n_panels && nv < 64; v++)
            if (bench_view < 0 || bench_view == v + 1) views[nv++] = v;
        bench_views(a, views, nv, frames, tv, res);
        a->view = 0;
        free(tv);
    }
    int rows = a->cv.rows, cols = a->cv.cols;
    term_close();
    for (int k = 0; k < 3; k++) qsort(t + k * frames, (size_t)frames, sizeof *t, cmp_double);
    int i50 = (frames - 1) / 2, i99 = (int)(0.99 * frames + 0.999) - 1;
    if (i99 < 0) i99 = 0;
    if (i99 >= frames) i99 = frames - 1;
    fprintf(ctx->out, "bench ui_frame p50_ms=%.3f p99_ms=%.3f frames=%d size=%dx%d tokens=%zu "
                      "(full redraw of the main view from cached forward+sampler results: draw + full-screen doupdate)\n",
            t[i50], t[i99], frames, cols, rows, s->seq.n);
    fprintf(ctx->out, "bench ui_frame_forward p50_ms=%.3f p99_ms=%.3f tokens=%zu ui_omp_threads=%d blas_threads=%d "
                      "(fresh lm_forward over the tokens + sampler + draw + doupdate)\n",
            t[frames + i50], t[frames + i99], s->seq.n, omp_get_max_threads(), lm_get_threads());
    fprintf(ctx->out, "bench ui_frame_resample p50_ms=%.3f p99_ms=%.3f (forward cached: sampler + draw + doupdate)\n",
            t[2 * frames + i50], t[2 * frames + i99]);
    for (int k = 0; k < nv; k++) {
        char nm[64];
        bench_name(ui_panels[views[k]], nm, sizeof nm);
        fprintf(ctx->out, "bench ui_frame_%s p50_ms=%.3f p99_ms=%.3f frames=%d size=%dx%d view=%d "
                          "(full redraw of the panel from cached results)\n", nm, res[k][0], res[k][1], frames, cols, rows,
                views[k] + 1);
    }
    free(t);
    return 0;
}

/* continuous generation: one token per loop turn until a stop token or a
 * full context (policy stop; with slide the window slides and it goes on) */
static void run_step(ui_app *a) {
    ui_session *s = &a->ses;
    int rc = ses_step(s);
    if (rc == 0) return;
    s->running = 0;
    char note[256];
    if (rc == 2) ses_context_note(s, 0, note, sizeof note);
    ses_msg(s, rc < 0 || rc == 2, "stopped: %s", rc < 0 ? s->fwd_err : rc == 2 ? note : "the model chose a stop token");
}

/* ---- recording and replay (record.h) ---- */
static rec_session g_replay;       /* keys still to feed: [g_replay_next, n_keys) */
static int g_replay_next, g_replay_done;
static FILE *g_rec;
static ui_app *g_app;              /* for cli_preset_capture */

/* the UI's part of a preset: prompt, view, chat, the instruct model */
static void ui_capture(cli_ctx *ctx, cli_preset *p) {
    (void)ctx;
    if (!g_app) return;
    snprintf(p->prompt, sizeof p->prompt, "%s", g_app->ses.prompt);
    p->view = g_app->view + 1;
    p->chat = g_app->ses.chat;
    p->has |= PRESET_PROMPT | PRESET_VIEW | PRESET_CHAT;
    const char *inst = g_app->inst_path[0] ? g_app->inst_path : g_app->inst_arg;
    if (inst && inst[0] && strlen(inst) < sizeof p->instruct) {
        snprintf(p->instruct, sizeof p->instruct, "%s", inst);
        p->has |= PRESET_INSTRUCT;
    }
}

/* lets the panels finish what a key started (bounded), as a person's pace does */
static void settle(ui_app *a) {
    for (int i = 0; i < 10000 && (app_poll(a) & UI_POLL_AGAIN); i++) {}
}

/* the next key: a replayed one first, else the terminal's; recorded */
static int next_key(ui_app *a, int timeout_ms, int *ch) {
    int r;
    if (g_replay_next < g_replay.n_keys) {
        settle(a);
        rec_key k = g_replay.keys[g_replay_next++];
        *ch = k.ch;
        r = k.is_key ? 2 : 1;
    } else {
        r = term_read_key(timeout_ms, ch);
    }
    if (r && g_rec && !(r == 2 && (*ch == KEY_MOUSE || *ch == KEY_RESIZE))) rec_write_key(g_rec, *ch, r == 2);
    return r;
}

/* headless replay: every key on a virtual screen, then the screen as text */
static int replay_headless(ui_app *a, const char *out, int W, int H) {
    if (term_open(a, 1, W, H)) {
        fprintf(a->ctx->err, "llmlab ui: cannot open a virtual screen (TERM=%s)\n", getenv("TERM") ? getenv("TERM") : "");
        return 1;
    }
    settle(a);
    app_draw(a);
    for (int i = 0; i < g_replay.n_keys && !a->quit; i++) {
        a->ses.in_key = 1;
        app_key(a, g_replay.keys[i].ch, g_replay.keys[i].is_key);
        a->ses.in_key = 0;
        if (a->quit) break;   /* the screen as it was when q was pressed */
        settle(a);
        app_draw(a);
    }
    char *txt = canvas_to_text(&a->cv);
    term_close();
    FILE *f = txt ? fopen(out, "w") : NULL;
    int ok = f && fputs(txt, f) >= 0;
    if (f && fclose(f)) ok = 0;
    free(txt);
    if (!ok) { fprintf(a->ctx->err, "llmlab ui: cannot write %s\n", out); return 1; }
    return 0;
}

/* each turn: generate (when running), the update step, a frame when something
 * changed (at most every 100 ms for background changes), then one key, which
 * is answered by a frame of its own */
static void event_loop(ui_app *a) {
    double last_draw = 0;
    int need = 1, pending = 0, again = 0;
    while (!a->quit && !term_signalled()) {
        if (a->ses.running) {
            run_step(a);
            need = 1;
        }
        int p = app_poll(a);
        if (p & UI_POLL_CHANGED) pending = 1;
        again = (p & UI_POLL_AGAIN) != 0;
        double now = app_now_ms();
        if (pending && now - last_draw >= 100) need = 1;
        if (again) need = 1;
        if (need) {
            app_draw(a);
            need = pending = 0;
            last_draw = app_now_ms();
        }
        int ch, r = next_key(a, a->ses.running || again ? 0 : 40, &ch);
        if (r == 0) continue;
        double t0 = app_now_ms();
        int replayed = g_replay_next > 0 && g_replay_next <= g_replay.n_keys && g_replay.n_keys > 0 && !g_replay_done;
        a->ses.in_key = 1;
        app_key(a, ch, r == 2);
        if (replayed && g_replay_next == g_replay.n_keys) g_replay_done = 1;
        if (replayed && a->quit) { a->quit = 0; g_replay_done = 1; g_replay_next = g_replay.n_keys; }   /* stay on the replayed screen */
        if (app_poll(a) & UI_POLL_AGAIN) need = 1;
        app_draw(a);
        a->ses.in_key = 0;
        last_draw = app_now_ms();
        pending = 0;
        if (a->lat) fprintf(a->lat, "ms=%.3f key=%d view=%d training=%d\n", last_draw - t0, ch, a->view,
                            a->ses.training);
    }
}

typedef struct {
    const char *model, *instruct;
    int ascii, hc, frames, bw, bh;
    int bench_view;              /* 0 none, -1 all, else a 1-based view */
    const char *preset, *record, *replay, *screen_out;
    int size_given;
    char prompt[UI_PROMPT_MAX];
    int has_prompt;
} ui_opts;

/* a view by its 1-based number, its name or tab ("attention", "Next token",
 * "next_token"; any case), or "all" (-1, when allow_all); 0 = none */
static int parse_view(const char *s, int allow_all) {
    if (allow_all && strcmp(s, "all") == 0) return -1;
    char *end;
    long n = strtol(s, &end, 10);
    if (*s && !*end) return n >= 1 && n <= ui_n_panels ? (int)n : 0;
    for (int v = 0; v < ui_n_panels; v++) {
        const char *names[2] = {ui_panels[v]->name, ui_panels[v]->tab};
        for (int k = 0; k < 2; k++) {
            size_t i = 0;
            for (; s[i] && names[k][i]; i++) {
                char a = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i] == '_' ? ' ' : s[i];
                char b = names[k][i] >= 'A' && names[k][i] <= 'Z' ? (char)(names[k][i] + 32) : names[k][i];
                if (a != b) break;
            }
            if (!s[i] && !names[k][i]) return v + 1;
        }
    }
    return 0;
}

/* the options; returns -1 to go on, else the exit status */
static int parse_opts(cli_ctx *ctx, int argc, char **argv, ui_opts *o) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},          {"model", required_argument, 0, 'm'},
        {"instruct", required_argument, 0, 'I'}, {"ascii", no_argument, 0, 'A'},
        {"high-contrast", no_argument, 0, 'C'}, {"bench-frames", required_argument, 0, 'B'},
        {"size", required_argument, 0, 'S'},    {"bench-view", required_argument, 0, 'V'},
        {"preset", required_argument, 0, 'P'},  {"record", required_argument, 0, 'R'},
        {"replay", required_argument, 0, 'Y'},  {"screen-out", required_argument, 0, 'O'},
        {0, 0, 0, 0}};
    *o = (ui_opts){.bw = 200, .bh = 60, .prompt = "Once upon a time"};
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "+hm:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'm': o->model = optarg; break;
        case 'I': o->instruct = optarg; break;
        case 'A': o->ascii = 1; break;
        case 'C': o->hc = 1; break;
        case 'B': if (cli_parse_int(ctx, "ui", "--bench-frames", optarg, 1, 1000000, &o->frames)) return 2; break;
        case 'S':
            if (sscanf(optarg, "%dx%d", &o->bw, &o->bh) != 2 || o->bw < 10 || o->bh < 5 || o->bw > 1000 || o->bh > 1000)
                return cli_usage_error(ctx, "ui", "--size is WxH, e.g. 200x60");
            o->size_given = 1;
            break;
        case 'P': o->preset = optarg; break;
        case 'R': o->record = optarg; break;
        case 'Y': o->replay = optarg; break;
        case 'O': o->screen_out = optarg; break;
        case 'V':
            if ((o->bench_view = parse_view(optarg, 1)) == 0)
                return cli_usage_error(ctx, "ui", "--bench-view is a view number, a view name or 'all'");
            break;
        default: return cli_bad_option(ctx, "ui", argc, argv, "+hm:", longopts);
        }
    }
    if (o->bench_view && !o->frames) return cli_usage_error(ctx, "ui", "--bench-view needs --bench-frames N");
    if (o->screen_out && !o->replay) return cli_usage_error(ctx, "ui", "--screen-out needs --replay FILE");
    if (o->preset && o->replay) return cli_usage_error(ctx, "ui", "--preset and --replay both set the start; give one");
    if (optind < argc) {
        o->has_prompt = 1;
        o->prompt[0] = 0;
        for (int i = optind; i < argc; i++) {
            if (i > optind) strncat(o->prompt, " ", sizeof o->prompt - strlen(o->prompt) - 1);
            strncat(o->prompt, argv[i], sizeof o->prompt - strlen(o->prompt) - 1);
        }
    }
    return -1;
}

/* the screen (or the benchmark's virtual one) for an app that is set up */
static int run_app(ui_app *a, const ui_opts *o) {
    if (o->frames) return run_bench(a, o->frames, o->bw, o->bh, o->bench_view);
    if (o->screen_out) return replay_headless(a, o->screen_out, o->bw, o->bh);
    if (term_open(a, 0, 0, 0)) {
        fprintf(a->ctx->err, "llmlab ui: cannot start curses on this terminal (TERM=%s)\n",
                getenv("TERM") ? getenv("TERM") : "");
        return 1;
    }
    if (o->has_prompt || o->record || o->replay)   /* a recording starts with its prompt shown */
        ses_msg(&a->ses, 0, "? lists every key; e edits the prompt; space takes the next token");
    else
        app_start_editing(a, 1);   /* a newcomer's first keys type a prompt */
    if (o->record) {
        int rows, cols;
        term_size(&rows, &cols);
        cli_preset p;
        cli_preset_from_ctx(&p, a->ctx);
        ui_capture(a->ctx, &p);
        rec_write_start(g_rec, cols, rows, &p);
    }
    event_loop(a);
    term_close();
    return 0;
}

/* a preset's (or a recording's) settings before the model loads; what the
 * command line gave itself wins */
static void apply_early(cli_ctx *ctx, const cli_preset *p, ui_opts *o) {
    if ((p->has & PRESET_MODEL) && !o->model) o->model = p->model;
    if ((p->has & PRESET_INSTRUCT) && !o->instruct) o->instruct = p->instruct;
    if ((p->has & PRESET_PROMPT) && !o->has_prompt) {
        snprintf(o->prompt, sizeof o->prompt, "%s", p->prompt);
        o->has_prompt = 1;
    }
    if (p->has & PRESET_GREEDY) ctx->sampling.greedy = p->greedy;
    if (p->has & PRESET_TEMP) ctx->sampling.temperature = p->temperature;
    if (p->has & PRESET_TOPK) ctx->sampling.top_k = p->top_k;
    if (p->has & PRESET_TOPP) ctx->sampling.top_p = p->top_p;
    if (p->has & PRESET_SEED) ctx->seed = p->seed;
    if (p->has & PRESET_CONTEXT) ctx->slide = p->slide;
}

/* the view and chat setting, once the app is up */
static void apply_late(ui_app *a, const cli_preset *p) {
    if ((p->has & PRESET_VIEW) && p->view >= 1 && p->view <= ui_n_panels) a->view = p->view - 1;
    else if (p->has & PRESET_VIEW) ses_msg(&a->ses, 1, "the preset's view %d is not one of 1-%d", p->view, ui_n_panels);
    if ((p->has & PRESET_CHAT) && p->chat != a->ses.chat) {
        a->ses.chat = p->chat;
        ses_reencode(&a->ses);
    }
    ses_reseed(&a->ses);
}

/* --preset / --replay read in; 0 ok, else the exit status */
static int read_start(cli_ctx *ctx, ui_opts *o, cli_preset *start) {
    lm_err err = {{0}};
    memset(start, 0, sizeof *start);
    if (o->preset) {
        char path[LM_PATH_MAX];
        if (cli_preset_path(o->preset, path, sizeof path, 0, &err) || cli_preset_load(path, start, &err)) {
            fprintf(ctx->err, "llmlab ui: preset %s: %s\n", o->preset, err.msg);
            return 1;
        }
    } else if (o->replay) {
        if (rec_load(o->replay, &g_replay, &err)) {
            fprintf(ctx->err, "llmlab ui: recording %s: %s\n", o->replay, err.msg);
            return 1;
        }
        *start = g_replay.settings;
        if (g_replay.cols && !o->size_given) { o->bw = g_replay.cols; o->bh = g_replay.rows; }
    }
    apply_early(ctx, start, o);
    if (o->record && !(g_rec = fopen(o->record, "w"))) {
        fprintf(ctx->err, "llmlab ui: cannot write %s: %s\n", o->record, strerror(errno));
        return 1;
    }
    return 0;
}

int cmd_ui(cli_ctx *ctx, int argc, char **argv) {
    ui_opts o;
    int rc = parse_opts(ctx, argc, argv, &o);
    if (rc >= 0) return rc;
    if (cli_sandbox_no_terminal(ctx, "ui")) return 1;   /* it would take a lesson's keys */
    cli_preset start;
    if ((rc = read_start(ctx, &o, &start)) != 0) { rec_free(&g_replay); return rc; }
    if (!o.frames && !o.screen_out && (!isatty(0) || !isatty(1))) {
        fprintf(ctx->err, "llmlab ui: needs a terminal (stdin and stdout must be a tty); "
                          "for scripts use `llmlab repl` or the commands\n");
        return 2;
    }
    if (cli_ensure_any_model(ctx, o.model)) return 1;
    /* the UI thread's own forward passes are small (B=1): one OpenMP thread keeps
     * frames steady on a busy machine, where spinning team threads stall for
     * a scheduler slice; the training worker sets its own count.
     * LLMLAB_UI_THREADS=N overrides (a quiet machine may prefer 2) */
    const char *uth = getenv("LLMLAB_UI_THREADS");
    omp_set_num_threads(uth && atoi(uth) > 0 ? atoi(uth) : 1);
    setlocale(LC_ALL, "");
    ui_app *a = calloc(1, sizeof *a);
    if (!a) return 1;
    a->bench = o.frames > 0;
    a->cv.ascii = o.ascii;
    a->rd.hc = o.hc;
    a->inst_arg = o.instruct;
    if (app_init(a, ctx)) { free(a); return 1; }
    ses_set_prompt(&a->ses, o.prompt);
    a->ses.msg[0] = 0;
    apply_late(a, &start);
    g_app = a;
    cli_preset_capture = ui_capture;
    const char *lat = getenv("LLMLAB_UI_LATENCY_LOG");
    if (lat && lat[0]) {
        a->lat = fopen(lat, "a");
        if (a->lat) setvbuf(a->lat, NULL, _IOLBF, 0);
    }
    rc = run_app(a, &o);
    cli_preset_capture = NULL;
    g_app = NULL;
    if (g_rec) fclose(g_rec);
    g_rec = NULL;
    rec_free(&g_replay);
    g_replay_next = g_replay_done = 0;
    int sig = term_signalled();
    app_free(a);
    if (a->lat) fclose(a->lat);
    free(a);
    if (sig == SIGTERM || sig == SIGHUP) {
        fflush(stdout);
        signal(sig, SIG_DFL);
        raise(sig);
    }
    return rc;
}
