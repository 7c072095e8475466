/* test_ui_worker.c - the TUI's training worker thread (src/ui/worker.h):
 * single steps and their records (named figures), the working copy leaving
 * the source model alone, snapshots, the loss going down while running,
 * pause (the paused weights are published by the worker itself), save-as
 * that never overwrites, and a failure reported instead of a crash.
 * No sleeps: every wait is uw_wait on a condition, with a generous bound
 * that fails the test instead of hanging. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "models/gpt/model.h"
#include "io/modelfile.h"
#include "ui/worker.h"

static char dir[256];
static char text_path[300], jsonl_path[300];

#define WAIT_S 60.0   /* generous: a loaded CI machine, sanitizers */

static int group_setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/llmlab-test-worker-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(text_path, sizeof text_path, "%s/train.txt", dir);
    FILE *f = fopen(text_path, "w");
    if (!f) return -1;
    for (int i = 0; i < 200; i++) fputs("abcabcabd abcabcabd xyzxyz. ", f);
    fclose(f);
    snprintf(jsonl_path, sizeof jsonl_path, "%s/sft.jsonl", dir);
    f = fopen(jsonl_path, "w");
    if (!f) return -1;
    fputs("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"hello\"}]}\n", f);
    fclose(f);
    return 0;
}

static int group_teardown(void **state) {
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void tiny_model(lm_model *m) {
    lm_config cfg = {.n_layer = 1, .n_head = 2, .d_model = 16, .d_mlp = 32, .n_ctx = 32,
                     .vocab_size = 256, .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    lm_err err;
    assert_int_equal(lm_model_init(m, &cfg, 7, &err), 0);
}

static uw_opts opts(const char *objective, const char *path, float lr) {
    static const int32_t prompt[] = {'a', 'b'};
    uw_opts o = {.objective = objective, .data_path = path, .B = 2, .T = 16, .max_lr = lr,
                 .total_steps = 100, .val_every = 20, .sample_every = 0, .sample_prompt = prompt,
                 .n_sample_prompt = 2, .seed = 1};
    return o;
}

/* conditions for uw_wait */
static int is_loaded(const uw_info *in, int queued, void *user) {
    (void)queued;
    (void)user;
    return in->state != UW_LOADING;
}
static int has_records(const uw_info *in, int queued, void *user) {
    (void)in;
    return queued >= *(const int *)user;
}
static int is_idle(const uw_info *in, int queued, void *user) {
    (void)queued;
    (void)user;
    return in->idle && in->state != UW_LOADING;
}
static int message_has(const uw_info *in, int queued, void *user) {
    (void)queued;
    return strstr(in->message, (const char *)user) != NULL;
}

static uw_state wait_loaded(ui_worker *w, uw_info *in) {
    assert_true(uw_wait(w, is_loaded, NULL, WAIT_S));
    uw_get_info(w, in);
    return in->state;
}

/* collects exactly n records, waiting for each batch of them */
static void collect(ui_worker *w, uw_record *out, int n) {
    int got = 0;
    while (got < n) {
        int want = 1;
        assert_true(uw_wait(w, has_records, &want, WAIT_S));
        got += uw_poll(w, out + got, n - got);
    }
}

/* a pretraining worker on text_path, loaded and paused */
static ui_worker *start_pretrain(const lm_model *m, uw_info *in) {
    uw_opts o = opts("pretrain", text_path, 1e-2f);
    lm_err err;
    ui_worker *w = uw_start(m, &o, &err);
    assert_non_null(w);
    assert_int_equal(wait_loaded(w, in), UW_PAUSED);
    return w;
}

/* the next single step is number `want`: no step ran on its own before it */
static void next_step_is(ui_worker *w, int want) {
    uw_step(w);
    uw_record r;
    collect(w, &r, 1);
    assert_int_equal(r.step, want);
}

static void test_single_steps_on_a_copy(void **state) {
    (void)state;
    lm_model m;
    tiny_model(&m);
    float *orig = malloc(sizeof(float) * m.n_params);
    memcpy(orig, m.params, sizeof(float) * m.n_params);
    uw_info in;
    ui_worker *w = start_pretrain(&m, &in);
    assert_non_null(strstr(in.data_desc, "train.txt"));
    assert_non_null(strstr(in.data_desc, "pretrain"));
    uw_record r[3];
    assert_int_equal(uw_poll(w, r, 3), 0);   /* paused: nothing happens by itself */
    uw_step(w);
    uw_step(w);
    uw_step(w);
    collect(w, r, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(r[i].step, i + 1);
        double loss = lm_figures_get(&r[i].figs, "loss");
        assert_true(isfinite(loss) && loss > 0);
        assert_true(lm_figures_get(&r[i].figs, "lr") > 0);
        assert_true(lm_figures_get(&r[i].figs, "grad_norm") > 0);
    }
    assert_true(isfinite(lm_figures_get(&r[0].figs, "val_loss")));   /* measured at step 1 */
    assert_true(isnan(lm_figures_get(&r[1].figs, "val_loss")));      /* then every val_every steps */
    next_step_is(w, 4);   /* exactly three steps ran for three requests */
    /* the source model is untouched; the snapshot carries the new weights */
    assert_memory_equal(m.params, orig, sizeof(float) * m.n_params);
    unsigned seen = 0;
    assert_int_equal(uw_snapshot(w, &m, &seen), 1);
    assert_true(memcmp(m.params, orig, sizeof(float) * m.n_params) != 0);
    assert_int_equal(uw_snapshot(w, &m, &seen), 0);   /* nothing newer */
    uw_free(w);
    free(orig);
    lm_model_free(&m);
}

static void test_running_lowers_the_loss(void **state) {
    (void)state;
    lm_model m;
    tiny_model(&m);
    uw_info in;
    ui_worker *w = start_pretrain(&m, &in);
    uw_run(w, 1);
    enum { N = 80 };
    uw_record r[N];
    collect(w, r, N);
    uw_run(w, 0);
    double first = 0, last = 0;
    for (int i = 0; i < 5; i++) {
        first += lm_figures_get(&r[i].figs, "loss");
        last += lm_figures_get(&r[N - 1 - i].figs, "loss");
    }
    assert_true(last < first * 0.8);   /* ln(256) ~ 5.5 at the start; the text is very repetitive */
    for (int i = 1; i < N; i++) assert_int_equal(r[i].step, r[i - 1].step + 1);
    /* paused: once the worker waits, drain what it ran ahead; the step
     * counter then stays where the last record left it */
    assert_true(uw_wait(w, is_idle, NULL, WAIT_S));
    int last_step = r[N - 1].step;
    uw_record extra[64];
    int n;
    while ((n = uw_poll(w, extra, 64)) > 0) last_step = extra[n - 1].step;
    uw_get_info(w, &in);
    assert_int_equal(in.state, UW_PAUSED);
    assert_int_equal(in.step, last_step);
    /* the worker published the paused weights itself: a save of its copy
     * matches the snapshot */
    unsigned seen = 0;
    assert_int_equal(uw_snapshot(w, &m, &seen), 1);
    char out[320];
    snprintf(out, sizeof out, "%s/paused.llm", dir);
    uw_save(w, out);
    assert_true(uw_wait(w, message_has, "saved ", WAIT_S));
    lm_model back;
    lm_err err;
    assert_int_equal(lm_load(&back, NULL, out, &err), 0);
    assert_int_equal(back.adam_t, last_step);
    assert_memory_equal(back.params, m.params, sizeof(float) * m.n_params);
    lm_model_free(&back);
    next_step_is(w, last_step + 1);   /* and nothing ran while paused */
    uw_free(w);
    lm_model_free(&m);
}

static void test_save_as_never_overwrites(void **state) {
    (void)state;
    lm_model m;
    tiny_model(&m);
    uw_info in;
    ui_worker *w = start_pretrain(&m, &in);
    uw_step(w);
    uw_step(w);
    uw_record r[2];
    collect(w, r, 2);
    /* an existing file is refused and left alone */
    uw_save(w, text_path);
    assert_true(uw_wait(w, message_has, "exists", WAIT_S));
    FILE *f = fopen(text_path, "r");
    char head[4] = {0};
    assert_int_equal(fread(head, 1, 3, f), 3);
    fclose(f);
    assert_string_equal(head, "abc");
    /* a new path gets the trained copy (a checkpoint: model and optimizer
     * state), the same weights as the latest snapshot */
    char out[320], opt[330];
    snprintf(out, sizeof out, "%s/saved.llm", dir);
    snprintf(opt, sizeof opt, "%s.opt", out);
    uw_save(w, out);
    assert_true(uw_wait(w, message_has, "saved ", WAIT_S));
    assert_int_equal(access(opt, R_OK), 0);
    unsigned seen = 0;
    assert_int_equal(uw_snapshot(w, &m, &seen), 1);
    lm_model back;
    lm_err err;
    assert_int_equal(lm_load(&back, NULL, out, &err), 0);
    assert_int_equal(back.n_params, m.n_params);
    assert_int_equal(back.adam_t, 2);
    assert_memory_equal(back.params, m.params, sizeof(float) * m.n_params);
    lm_model_free(&back);
    uw_free(w);
    lm_model_free(&m);
    /* the same checkpoint as the CLI's: `train --resume` continues it with
     * its AdamW moments (no "restart from zero" note) */
    char *argv[] = {"train", "--resume", "-o", out, "--data", text_path, "--steps", "4",
                    "--batch", "2", "--seq", "16", "--eval-every", "0"};
    char *cout = NULL, *cerr = NULL;
    size_t on = 0, en = 0;
    FILE *fo = open_memstream(&cout, &on), *fe = open_memstream(&cerr, &en);
    cli_ctx ctx;
    cli_ctx_init(&ctx, fo, fe);
    lm_set_threads(1);
    int rc = cli_run(&ctx, (int)(sizeof argv / sizeof argv[0]), argv);
    cli_ctx_free(&ctx);
    fclose(fo);
    fclose(fe);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(cout, "steps 2..4"));
    assert_null(strstr(cerr, "restart from zero"));
    free(cout);
    free(cerr);
    assert_int_equal(lm_load(&back, NULL, out, &err), 0);
    assert_int_equal(back.adam_t, 4);
    lm_model_free(&back);
}

static void test_sft_without_chat_markers_fails(void **state) {
    (void)state;
    lm_model m;
    tiny_model(&m);   /* byte tokeniser: no chat markers, so SFT data cannot be rendered */
    uw_opts o = opts("sft", jsonl_path, 1e-3f);
    lm_err err;
    ui_worker *w = uw_start(&m, &o, &err);
    assert_non_null(w);
    uw_info in;
    assert_int_equal(wait_loaded(w, &in), UW_FAILED);
    assert_true(strlen(in.message) > 0);
    uw_step(w);   /* ignored, no crash */
    uw_stop(w);   /* the thread is gone: whatever it would have done is done */
    uw_record r[1];
    assert_int_equal(uw_poll(w, r, 1), 0);
    uw_free(w);
    lm_model_free(&m);
}

static void test_failure_is_reported(void **state) {
    (void)state;
    lm_model m;
    tiny_model(&m);
    lm_err err;
    uw_info in;
    /* a missing file */
    uw_opts o = opts("pretrain", "/nonexistent/llmlab/train.txt", 1e-3f);
    ui_worker *w = uw_start(&m, &o, &err);
    assert_non_null(w);
    assert_int_equal(wait_loaded(w, &in), UW_FAILED);
    assert_non_null(strstr(in.message, "/nonexistent/llmlab/train.txt"));
    uw_free(w);
    /* an objective the table does not have */
    o = opts("no-such-objective", text_path, 1e-3f);
    w = uw_start(&m, &o, &err);
    assert_non_null(w);
    assert_int_equal(wait_loaded(w, &in), UW_FAILED);
    assert_non_null(strstr(in.message, "no-such-objective"));
    uw_free(w);
    lm_model_free(&m);
}

int main(void) {
    lm_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_steps_on_a_copy),
        cmocka_unit_test(test_running_lowers_the_loss),
        cmocka_unit_test(test_save_as_never_overwrites),
        cmocka_unit_test(test_sft_without_chat_markers_fails),
        cmocka_unit_test(test_failure_is_reported),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
