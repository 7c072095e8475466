/* test_ui_worker.c - the TUI's training worker thread (src/ui/worker.h):
 * single steps and their records, the working copy leaving the source model
 * alone, snapshots, the loss going down while running, pause, save-as that
 * never overwrites, and a failure reported instead of a crash. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "models/gpt/model.h"
#include "io/modelfile.h"
#include "ui/worker.h"

static char dir[256];
static char text_path[300], jsonl_path[300];

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

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

static uw_opts opts(uw_mode mode, const char *path, float lr) {
    static const int32_t prompt[] = {'a', 'b'};
    uw_opts o = {.mode = mode, .data_path = path, .B = 2, .T = 16, .max_lr = lr, .total_steps = 100,
                 .val_every = 20, .sample_every = 0, .sample_prompt = prompt, .n_sample_prompt = 2,
                 .seed = 1};
    return o;
}

/* polls until the worker leaves the loading state (or 10 s) */
static uw_state wait_loaded(ui_worker *w, uw_info *in) {
    for (int i = 0; i < 1000; i++) {
        uw_get_info(w, in);
        if (in->state != UW_LOADING) return in->state;
        sleep_ms(10);
    }
    return UW_LOADING;
}

/* collects records until there are n (or 20 s) */
static int collect(ui_worker *w, uw_record *out, int n) {
    int got = 0;
    for (int i = 0; i < 2000 && got < n; i++) {
        got += uw_poll(w, out + got, n - got);
        if (got < n) sleep_ms(10);
    }
    return got;
}

/* a pretraining worker on text_path, loaded and paused */
static ui_worker *start_pretrain(const lm_model *m, uw_info *in) {
    uw_opts o = opts(UW_PRETRAIN, text_path, 1e-2f);
    lm_err err;
    ui_worker *w = uw_start(m, &o, &err);
    assert_non_null(w);
    assert_int_equal(wait_loaded(w, in), UW_PAUSED);
    return w;
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
    uw_record r[3];
    assert_int_equal(uw_poll(w, r, 3), 0);   /* paused: nothing happens by itself */
    uw_step(w);
    uw_step(w);
    uw_step(w);
    assert_int_equal(collect(w, r, 3), 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(r[i].step, i + 1);
        assert_true(isfinite(r[i].loss) && r[i].loss > 0);
    }
    assert_true(isfinite(r[0].val_loss));   /* measured at step 1 */
    assert_true(isnan(r[1].val_loss));      /* and then every val_every steps */
    sleep_ms(50);
    assert_int_equal(uw_poll(w, r, 3), 0);   /* exactly three steps */
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
    assert_int_equal(collect(w, r, N), N);
    uw_run(w, 0);
    double first = 0, last = 0;
    for (int i = 0; i < 5; i++) { first += r[i].loss; last += r[N - 1 - i].loss; }
    assert_true(last < first * 0.8);   /* ln(256) ~ 5.5 at the start; the text is very repetitive */
    for (int i = 1; i < N; i++) assert_int_equal(r[i].step, r[i - 1].step + 1);
    /* paused: the step counter stops */
    sleep_ms(100);
    uw_record extra[64];
    int n1 = uw_poll(w, extra, 64);
    sleep_ms(200);
    assert_int_equal(uw_poll(w, extra, 64), 0);
    (void)n1;
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
    assert_int_equal(collect(w, r, 2), 2);
    /* an existing file is refused and left alone */
    uw_save(w, text_path);
    for (int i = 0; i < 500; i++) {
        uw_get_info(w, &in);
        if (!strstr(in.message, "saving")) break;
        sleep_ms(10);
    }
    assert_non_null(strstr(in.message, "exists"));
    FILE *f = fopen(text_path, "r");
    char head[4] = {0};
    assert_int_equal(fread(head, 1, 3, f), 3);
    fclose(f);
    assert_string_equal(head, "abc");
    /* a new path gets the trained copy: the same weights as the latest snapshot */
    char out[320];
    snprintf(out, sizeof out, "%s/saved.llm", dir);
    uw_save(w, out);
    for (int i = 0; i < 500; i++) {
        uw_get_info(w, &in);
        if (strstr(in.message, "saved ")) break;
        sleep_ms(10);
    }
    assert_non_null(strstr(in.message, "saved "));
    unsigned seen = 0;
    assert_int_equal(uw_snapshot(w, &m, &seen), 1);
    lm_model back;
    lm_err err;
    assert_int_equal(lm_load(&back, NULL, out, &err), 0);
    assert_int_equal(back.n_params, m.n_params);
    assert_memory_equal(back.params, m.params, sizeof(float) * m.n_params);
    lm_model_free(&back);
    uw_free(w);
    lm_model_free(&m);
}

static void test_failure_is_reported(void **state) {
    (void)state;
    lm_model m;
    tiny_model(&m);   /* byte tokeniser: no chat markers, so SFT data cannot be rendered */
    uw_opts o = opts(UW_SFT, jsonl_path, 1e-3f);
    lm_err err;
    ui_worker *w = uw_start(&m, &o, &err);
    assert_non_null(w);
    uw_info in;
    assert_int_equal(wait_loaded(w, &in), UW_FAILED);
    assert_true(strlen(in.message) > 0);
    uw_step(w);   /* ignored, no crash */
    uw_record r[1];
    sleep_ms(50);
    assert_int_equal(uw_poll(w, r, 1), 0);
    uw_free(w);
    /* a missing file too */
    o = opts(UW_PRETRAIN, "/nonexistent/llmlab/train.txt", 1e-3f);
    w = uw_start(&m, &o, &err);
    assert_non_null(w);
    assert_int_equal(wait_loaded(w, &in), UW_FAILED);
    assert_non_null(strstr(in.message, "/nonexistent/llmlab/train.txt"));
    uw_free(w);
    lm_model_free(&m);
}

int main(void) {
    lm_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_steps_on_a_copy),
        cmocka_unit_test(test_running_lowers_the_loss),
        cmocka_unit_test(test_save_as_never_overwrites),
        cmocka_unit_test(test_failure_is_reported),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
