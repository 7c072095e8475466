/* test_objective.c - the objective interface (train/objective.h): named
 * figures and their one format, THE warm-up rule, the pretraining and SFT
 * objectives (hold-out, batches, a step's figures, validation), the batch
 * order on resume, and the table of objectives by name. */
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

#include "train/objective.h"
#include "train/train.h"
#include "train_fixtures.h"

static void test_figures(void **state) {
    (void)state;
    lm_figures f = {0};
    assert_true(isnan(lm_figures_get(&f, "loss")));
    lm_figures_set(&f, "loss", 2.31);
    lm_figures_set(&f, "lr", 3e-4);
    lm_figures_set(&f, "tok/s", 6512.4);
    lm_figures_set(&f, "loss", 2.5);   /* replaces, keeps its place */
    assert_int_equal(f.n, 3);
    assert_true(lm_figures_get(&f, "loss") == 2.5);
    char buf[128];
    assert_string_equal(lm_figures_format(&f, buf, sizeof buf), "loss 2.500 lr 3.00e-04 tok/s 6512");
    lm_figures v = {0};
    lm_figures_set(&v, "val_loss", 0.125);
    lm_figures_set(&v, "loss", 9);
    lm_figures_merge(&f, &v);
    assert_string_equal(lm_figures_format(&f, buf, sizeof buf), "loss 9.000 lr 3.00e-04 tok/s 6512 val_loss 0.125");
    /* a full list drops new names rather than overflow */
    static const char *names[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
    lm_figures full = {0};
    for (int i = 0; i < 10; i++) lm_figures_set(&full, names[i], i);
    assert_int_equal(full.n, LM_FIGURES_MAX);
    assert_true(isnan(lm_figures_get(&full, "j")));
    assert_string_equal(lm_figure_format(0, buf, sizeof buf), "0.000");
    assert_string_equal(lm_figure_format(-0.05, buf, sizeof buf), "-0.05");
    assert_string_equal(lm_figure_format(0.09912, buf, sizeof buf), "0.09912");
    assert_string_equal(lm_figure_format(5e-4, buf, sizeof buf), "5.00e-04");
    assert_string_equal(lm_figure_format(NAN, buf, sizeof buf), "nan");
}

static void test_warmup_rule(void **state) {
    (void)state;
    assert_int_equal(lm_warmup_steps(2000), 100);   /* capped */
    assert_int_equal(lm_warmup_steps(500), 50);     /* a tenth */
    assert_int_equal(lm_warmup_steps(5), 0);
    assert_int_equal(lm_train_opts_default(300).sched.warmup_steps, 30);
}

/* a new temporary text file of 1000 bytes at path (a mkstemp template):
 * with the byte tokeniser its stream is EOT and 1000 ids, so 1001 ids */
static void write_text(char *path) {
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    for (int i = 0; i < 100; i++) fputs("abcab abd ", f);
    fclose(f);
}

static void test_pretrain_objective(void **state) {
    (void)state;
    char path[] = "/tmp/test_objective_XXXXXX";
    write_text(path);
    lm_tokenizer *t = chat_tok();
    lm_err err = {{0}};
    lm_objective *o = lm_obj_pretrain_new(&err);
    assert_non_null(o);
    lm_data_opts d = {.train_path = path, .B = 2, .T = 8, .val_batches = 3, .seed = 1};
    assert_int_equal(o->ops->prepare(o, t, &d, &err), 0);
    assert_int_equal(o->n_train, 1001 - 50);   /* the last 5% (1001 / 20) held out */
    assert_int_equal(o->n_val, 3);
    assert_non_null(strstr(o->desc, path));
    assert_non_null(strstr(o->meta, "tokens_train=951\n"));
    lm_model m;
    lm_config cfg = tiny_cfg(8);
    assert_int_equal(lm_model_init(&m, &cfg, 3, &err), 0);
    lm_train_opts opts = lm_train_opts_default(10);
    lm_figures f = {0};
    assert_int_equal(o->ops->next_batch(o, 0, &err), 0);
    assert_int_equal(o->ops->step(o, &m, &opts, &f, &err), 0);
    assert_int_equal(m.adam_t, 1);
    assert_true(fabs(lm_figures_get(&f, "loss") - log(V)) < 0.5);   /* a fresh model: about uniform */
    assert_true(lm_figures_get(&f, "grad_norm") > 0);
    assert_true(lm_figures_get(&f, "lr") == (double)3e-4f);   /* (0+1)/1 of the 1-step warm-up: max_lr */
    assert_true(lm_figures_get(&f, "tok/s") > 0);
    lm_figures v = {0};
    assert_int_equal(o->ops->validate(o, &m, &v, &err), 0);
    assert_int_equal(v.n, 1);
    assert_true(isfinite(lm_figures_get(&v, "val_loss")));
    lm_objective_free(o);
    /* with a validation file nothing is held out */
    o = lm_obj_pretrain_new(&err);
    d.val_path = path;
    assert_int_equal(o->ops->prepare(o, t, &d, &err), 0);
    assert_int_equal(o->n_train, 1001);
    lm_objective_free(o);
    /* too short for one window */
    o = lm_obj_pretrain_new(&err);
    d.val_path = NULL;
    d.T = 2000;
    assert_int_equal(o->ops->prepare(o, t, &d, &err), -1);
    assert_non_null(strstr(err.msg, "fewer than one sequence of 2001"));
    lm_objective_free(o);
    lm_model_free(&m);
    lm_tok_free(t);
    unlink(path);
}

/* the batch order comes from (seed, start step): the same for the same
 * pair, different for a resumed run */
static void test_batch_order(void **state) {
    (void)state;
    char path[] = "/tmp/test_objective_XXXXXX";
    write_text(path);
    lm_tokenizer *t = chat_tok();
    lm_err err = {{0}};
    lm_data_opts d = {.train_path = path, .B = 4, .T = 8, .val_batches = 1, .seed = 7};
    lm_objective *a = lm_obj_pretrain_new(&err), *b = lm_obj_pretrain_new(&err), *c = lm_obj_pretrain_new(&err);
    assert_int_equal(a->ops->prepare(a, t, &d, &err), 0);
    assert_int_equal(b->ops->prepare(b, t, &d, &err), 0);
    d.start_step = 5;
    assert_int_equal(c->ops->prepare(c, t, &d, &err), 0);
    size_t bytes = sizeof(int32_t) * 4 * 8;
    int differ = 0;
    for (int s = 0; s < 3; s++) {
        assert_int_equal(a->ops->next_batch(a, s, &err), 0);
        assert_int_equal(b->ops->next_batch(b, s, &err), 0);
        assert_int_equal(c->ops->next_batch(c, s, &err), 0);
        assert_memory_equal(a->batch.tokens, b->batch.tokens, bytes);
        differ |= memcmp(a->batch.tokens, c->batch.tokens, bytes) != 0;
    }
    assert_true(differ);
    lm_objective_free(a);
    lm_objective_free(b);
    lm_objective_free(c);
    lm_tok_free(t);
    unlink(path);
}

static void test_sft_objective(void **state) {
    (void)state;
    char path[] = "/tmp/test_objective_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    for (int i = 0; i < 20; i++)
        fprintf(f, "{\"messages\":[{\"role\":\"user\",\"content\":\"q%d\"},"
                   "{\"role\":\"assistant\",\"content\":\"a%d\"}]}\n", i, i);
    fclose(f);
    lm_tokenizer *t = chat_tok();
    lm_err err = {{0}};
    lm_objective *o = lm_obj_sft_new(1, &err);
    assert_non_null(o);
    lm_data_opts d = {.train_path = path, .B = 2, .T = 32, .val_batches = 4, .seed = 1};
    assert_int_equal(o->ops->prepare(o, t, &d, &err), 0);
    assert_int_equal(o->n_train, 19);   /* 20 / 20 = 1 held out */
    assert_true(o->n_val >= 1);
    assert_non_null(o->batch.mask);
    assert_non_null(strstr(o->meta, "mask=assistant\n"));
    assert_non_null(strstr(o->meta, "examples=19\n"));
    lm_model m;
    lm_config cfg = tiny_cfg(32);
    assert_int_equal(lm_model_init(&m, &cfg, 3, &err), 0);
    lm_train_opts opts = lm_train_opts_default(10);
    lm_figures fs = {0};
    assert_int_equal(o->ops->next_batch(o, 0, &err), 0);
    assert_int_equal(o->ops->step(o, &m, &opts, &fs, &err), 0);
    assert_true(isfinite(lm_figures_get(&fs, "loss")));
    lm_figures v = {0};
    assert_int_equal(o->ops->validate(o, &m, &v, &err), 0);
    assert_true(isfinite(lm_figures_get(&v, "val_loss")));
    lm_objective_free(o);
    /* mask off: every target counts */
    o = lm_obj_sft_new(0, &err);
    assert_int_equal(o->ops->prepare(o, t, &d, &err), 0);
    assert_non_null(strstr(o->meta, "mask=off\n"));
    lm_objective_free(o);
    lm_model_free(&m);
    lm_tok_free(t);
    unlink(path);
}

static void test_objective_table(void **state) {
    (void)state;
    int n = lm_objective_count(), seen = 0;
    assert_true(n >= 2);
    for (int i = 0; i < n; i++) {
        const char *name = lm_objective_name(i);
        assert_non_null(name);
        seen |= (strcmp(name, "pretrain") == 0) | (strcmp(name, "sft") == 0) << 1;
        lm_err err = {{0}};
        lm_objective *o = lm_objective_create(name, &err);
        assert_non_null(o);
        assert_string_equal(o->ops->name, name);
        assert_non_null(o->ops->prepare);
        assert_non_null(o->ops->step);
        lm_objective_free(o);
    }
    assert_int_equal(seen, 3);
    assert_null(lm_objective_name(n));
    lm_err err = {{0}};
    assert_null(lm_objective_create("dpo-someday", &err));
    assert_non_null(strstr(err.msg, "dpo-someday"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures),          cmocka_unit_test(test_warmup_rule),
        cmocka_unit_test(test_pretrain_objective), cmocka_unit_test(test_batch_order),
        cmocka_unit_test(test_sft_objective),    cmocka_unit_test(test_objective_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
