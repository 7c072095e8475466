/* test_trainloop.c - the CLI's step loop (cli/trainloop.h) driving an
 * objective it has never heard of: the figures that objective invents
 * reach the progress line and the checkpoint; SIGINT/SIGTERM/SIGHUP finish
 * the step, save and exit 130; a NaN stops and saves the last good weights;
 * a finished run does nothing. Also: options after positional arguments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/trainloop.h"
#include "io/modelfile.h"
#include "train/objective.h"
#include "train_fixtures.h"

/* ---- a test objective: pretraining on a fixed row, with hooks ---- */
typedef struct {
    lm_model *m;
    int at;        /* step at which to act */
    int sig;       /* raise this signal there, or 0 */
    int poison;    /* make the forward non-finite there (finite weights) */
} loop_user;

static int loop_batch(lm_objective *o, int step, lm_err *err) {
    (void)err;
    loop_user *u = o->state;
    lm_batch *b = &o->batch;
    for (int i = 0; i < b->T; i++) {
        b->tokens[i] = 'a' + i % 20;
        b->targets[i] = 'b' + i % 20;
    }
    if (step == u->at && u->sig) raise(u->sig);
    if (step == u->at && u->poison) {
        /* a huge but finite embedding row: the layer norm's sums overflow */
        const lm_tensor_view *w = lm_find_tensor(u->m, "wte");
        int C = u->m->cfg.d_model;
        for (int c = 0; c < C; c++) u->m->params[w->offset + (size_t)'a' * C + c] = 3e38f;
    }
    return 0;
}

/* a step whose figures include one no front end knows: "reward" */
static int loop_step(lm_objective *o, lm_model *m, const lm_train_opts *opts, lm_figures *out,
                     lm_err *err) {
    lm_step_record r;
    int rc = lm_train_step(m, &o->batch, opts, &r, err);
    if (rc) return rc;
    lm_figures_from_step(&r, out);
    lm_figures_set(out, "reward", 0.75);
    return 0;
}

static int loop_validate(lm_objective *o, lm_model *m, lm_figures *out, lm_err *err) {
    (void)o;
    (void)m;
    (void)err;
    lm_figures_set(out, "val_accuracy", 0.5);
    return 0;
}

static const lm_objective_ops loop_ops = {.name = "test", .next_batch = loop_batch, .step = loop_step,
                                          .validate = loop_validate};

/* runs the loop on a fresh tiny model from step `start`; returns its status,
 * the output and error text in out/errt (malloc'd) */
static int run_loop(const char *path, int start, int steps, loop_user *u, char **out, char **errt) {
    lm_err err = {{0}};
    lm_model m;
    lm_config cfg = tiny_cfg(16);
    assert_int_equal(lm_model_init(&m, &cfg, 5, &err), 0);
    m.adam_t = start;
    u->m = &m;
    size_t on = 0, en = 0;
    FILE *fo = open_memstream(out, &on), *fe = open_memstream(errt, &en);
    cli_ctx ctx;
    cli_ctx_init(&ctx, fo, fe);
    lm_objective *obj = lm_objective_new(&loop_ops, u, &err);
    assert_non_null(obj);
    assert_int_equal(lm_batch_alloc(&obj->batch, 1, 16, 0, &err), 0);
    cli_run_opts ro;
    cli_run_opts_init(&ro);
    ro.steps = steps;
    ro.out = path;
    cli_run_opts_fill(&ro, NULL, steps, 1, 16, 1e-3f);
    cli_trainloop L = {.cmd = "train", .m = &m, .obj = obj, .run_meta = "kind=test\n"};
    int rc = cli_trainloop_run_opts(&ctx, &L, &ro);
    fclose(fo);
    fclose(fe);
    cli_ctx_free(&ctx);
    lm_objective_free(obj);
    lm_model_free(&m);
    return rc;
}

/* a temporary directory with the checkpoint OUT and OUT.opt of a run */
typedef struct {
    char dir[64], path[256], opt[300];
} run_files;

static void run_files_make(run_files *f) {
    snprintf(f->dir, sizeof f->dir, "/tmp/test_trainloop_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/run.llm", f->dir);
    snprintf(f->opt, sizeof f->opt, "%s.opt", f->path);
}

static void run_files_remove(const run_files *f) {
    unlink(f->path);
    unlink(f->opt);
    rmdir(f->dir);
}

/* the figures an unknown objective returns reach the progress line and the
 * checkpoint's metadata */
static void test_figures_reach_the_output(void **state) {
    (void)state;
    run_files f;
    run_files_make(&f);
    const char *path = f.path;
    char *out, *errt;
    loop_user u = {.at = -1};
    assert_int_equal(run_loop(path, 0, 4, &u, &out, &errt), 0);
    assert_non_null(strstr(out, "step 4/4 loss "));
    assert_non_null(strstr(out, "reward 0.750"));
    assert_non_null(strstr(out, "val_accuracy 0.500"));
    lm_model m;
    char *meta = NULL;
    lm_err err = {{0}};
    assert_int_equal(lm_load(&m, &meta, path, &err), 0);
    assert_non_null(strstr(meta, "kind=test\n"));
    assert_non_null(strstr(meta, "step=4\n"));
    assert_non_null(strstr(meta, "val_accuracy=0.5000\n"));
    free(meta);
    lm_model_free(&m);
    free(out);
    free(errt);
    run_files_remove(&f);
}

static int saved_step(const char *path) {
    lm_model m;
    lm_err err = {{0}};
    if (lm_load(&m, NULL, path, &err)) return -1;
    int t = m.adam_t;
    lm_model_free(&m);
    return t;
}

static void test_trainloop_exits(void **state) {
    (void)state;
    run_files f;
    run_files_make(&f);
    const char *path = f.path, *opt = f.opt;
    char *out, *errt;
    /* SIGINT, SIGTERM and SIGHUP: finish step 3, save, status 130 */
    const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++) {
        unlink(path);
        loop_user u = {.at = 2, .sig = sigs[i]};
        assert_int_equal(run_loop(path, 0, 50, &u, &out, &errt), 130);
        assert_non_null(strstr(out, "interrupted after step 3 of 50"));
        assert_int_equal(saved_step(path), 3);
        free(out);
        free(errt);
        /* the previous disposition is back (the test would die otherwise) */
        struct sigaction now;
        sigaction(sigs[i], NULL, &now);
        assert_true(now.sa_handler == SIG_DFL);
    }
    /* NaN at the 5th step (0-based 4) with no checkpoint written yet: the
     * weights after step 4 are saved to OUT and the message says so */
    unlink(path);
    unlink(opt);
    loop_user nu = {.at = 4, .poison = 1};
    assert_int_equal(run_loop(path, 0, 50, &nu, &out, &errt), 1);
    assert_non_null(strstr(errt, "saved the last good weights (step 4)"));
    assert_non_null(strstr(errt, path));
    assert_int_equal(saved_step(path), 4);
    assert_int_equal(access(opt, R_OK), 0);
    free(out);
    free(errt);
    /* a finished run: nothing to do, OUT not rewritten */
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    loop_user none = {.at = -1};
    assert_int_equal(run_loop(path, 7, 7, &none, &out, &errt), 0);
    char want[400];
    snprintf(want, sizeof want, "nothing to do: %s is already at step 7 of 7", path);
    assert_non_null(strstr(out, want));
    assert_null(strstr(out, "saved"));
    assert_int_equal(stat(path, &after), 0);
    assert_true(before.st_mtim.tv_sec == after.st_mtim.tv_sec && before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
    assert_int_equal(saved_step(path), 4);
    free(out);
    free(errt);
    run_files_remove(&f);
}

/* options may follow positional arguments (GNU permutation); "--" ends them */
static int run_cli(char **argv, int argc, char **out) {
    size_t on = 0, en = 0;
    char *errt;
    FILE *fo = open_memstream(out, &on), *fe = open_memstream(&errt, &en);
    cli_ctx ctx;
    cli_ctx_init(&ctx, fo, fe);
    int rc = cli_run(&ctx, argc, argv);
    cli_ctx_free(&ctx);
    fclose(fo);
    fclose(fe);
    free(errt);
    return rc;
}

static void test_option_order(void **state) {
    (void)state;
    char *out;
    char *train[] = {"train", "stray", "--help"};   /* --help after a non-option is still seen */
    assert_int_equal(run_cli(train, 3, &out), 0);
    assert_non_null(strstr(out, "usage: llmlab train"));
    free(out);
    char *sft[] = {"sft", "stray", "--help"};
    assert_int_equal(run_cli(sft, 3, &out), 0);
    assert_non_null(strstr(out, "usage: llmlab sft"));
    free(out);
    char *eval[] = {"eval", "some.llm", "--help"};
    assert_int_equal(run_cli(eval, 3, &out), 0);
    assert_non_null(strstr(out, "usage: llmlab eval"));
    free(out);
    char *dashdash[] = {"train", "--", "--help"};   /* after "--" it is an argument */
    assert_int_equal(run_cli(dashdash, 3, &out), 2);
    assert_null(strstr(out, "usage:"));
    free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures_reach_the_output),
        cmocka_unit_test(test_trainloop_exits),
        cmocka_unit_test(test_option_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
