/* test_nlm.c - the feed-forward LM and the recurrent LMs as language models
 * and as things that train: for each kind (fflm with and without direct
 * connections, Elman, GRU) nll equals the position-by-position sum of
 * -log softmax(next_logits) through the lmodel interface of a saved file;
 * the FFLM's prediction depends on its window and on nothing before it;
 * the RNN's kept state gives the same logits as a fresh run; a checkpoint
 * saved, loaded and resumed (moments too) continues bit for bit like a run
 * never stopped; the objectives train from the table on a text file; the
 * Elman gradient fades with distance. (Each forward and gradient is checked
 * against PyTorch in tests/nlm_torch_test.py.) */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "models/fflm/fflm.h"
#include "models/lmodel.h"
#include "models/rnn/rnn.h"
#include "train/nlm_step.h"
#include "train/objective.h"
#include "tmpdir_fixture.h"

static char dir[128];

static int setup(void **state) {
    (void)state;
    return tmpdir_make(dir, sizeof dir, "nlm");
}

static int teardown(void **state) {
    (void)state;
    return tmpdir_remove(dir);
}

/* the four models under test, over the byte tokeniser (V = 256) */
static lm_nlm *make(int which) {
    lm_nlm *m = NULL;
    lm_err err = {{0}};
    int rc;
    if (which < 2) {
        lm_fflm_config c = {256, 4, 6, 12, which};
        rc = lm_fflm_new(&m, &c, 5, &err);
    } else {
        lm_rnn_config c = {256, 6, 10, which == 2 ? LM_RNN_ELMAN : LM_RNN_GRU};
        rc = lm_rnn_new(&m, &c, 5, &err);
    }
    if (rc) fail_msg("%s", err.msg);
    /* a peaked distribution: the output layer scaled up */
    float *U = lm_nlm_param(m, which < 2 ? "out.U" : "out.V");
    for (size_t i = 0; i < (size_t)256 * (which < 2 ? 12 : 10); i++) U[i] *= 6.0f;
    return m;
}
static const char *NAMES[4] = {"fflm", "fflm+direct", "elman", "gru"};

static void save(lm_nlm *m, const char *path, const char *meta) {
    lm_kind_ckpt k = lm_nlm_ckpt(m);
    lm_err err = {{0}};
    if (lm_checkpoint_save_kind(&k, meta, path, &err)) fail_msg("%s", err.msg);
}

static double log_softmax_at(const float *logits, int V, int id) {
    double mx = logits[0], s = 0;
    for (int i = 1; i < V; i++) mx = logits[i] > mx ? logits[i] : mx;
    for (int i = 0; i < V; i++) s += exp(logits[i] - mx);
    return logits[id] - mx - log(s);
}

static void test_lmodel_contract(void **state) {
    (void)state;
    const int32_t ids[12] = {72, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100, 33};
    for (int which = 0; which < 4; which++) {
        lm_nlm *m = make(which);
        char path[256];
        snprintf(path, sizeof path, "%s/%d.llm", dir, which);
        save(m, path, "made=test_nlm\n");
        lm_nlm_free(m);
        lm_err err = {{0}};
        lm_lmodel *lm = lm_lmodel_open(path, &err);
        if (!lm) fail_msg("%s: %s", NAMES[which], err.msg);
        assert_string_equal(lm->kind, which < 2 ? "fflm" : "rnn");
        assert_int_equal(lm->vocab, 256);
        assert_int_equal(lm->n_ctx, 0);   /* the FFLM reads its window itself (nlm_lmodel.c) */
        assert_non_null(strstr(lm->metadata, "made=test_nlm"));
        double nll = 0, want = 0;
        assert_int_equal(lm->ops->nll(lm, ids, 12, &nll, &err), 0);
        float logits[256];
        for (size_t i = 1; i < 12; i++) {
            assert_int_equal(lm->ops->next_logits(lm, ids, i, logits, &err), 0);
            want -= log_softmax_at(logits, 256, ids[i]);
        }
        if (!(nll > 11 * 0.5) || fabs(nll - want) > 1e-4 * want)
            fail_msg("%s: nll %.6f, sum of -log softmax(next_logits) %.6f", NAMES[which], nll, want);
        /* bits per byte through the interface: the byte tokeniser scores every byte, in
         * windows of 16 whatever the kind (47 bytes: 3 windows, all but their first scored) */
        lm_text_loss tl;
        const char *text = "the cat sat on the mat. the dog sat on the log.";
        assert_int_equal(lm_lmodel_text_loss(lm, (const uint8_t *)text, strlen(text), 16, 0, &tl, &err), 0);
        assert_int_equal(tl.tokens, 47 - 3);
        assert_true(fabs(tl.bits_per_byte - tl.nats_per_token / log(2.0)) < 1e-9);
        lm_lmodel_free(lm);
    }
}

/* the FFLM sees its window and nothing else */
static void test_fflm_window(void **state) {
    (void)state;
    lm_nlm *m = make(1);
    const int32_t a[9] = {1, 2, 3, 4, 5, 10, 11, 12, 13}, b[7] = {99, 98, 97, 10, 11, 12, 13};
    float la[256], lb[256];
    lm_err err = {{0}};
    assert_int_equal(m->ops->next_logits(m, a, 9, la, &err), 0);
    assert_int_equal(m->ops->next_logits(m, b, 7, lb, &err), 0);
    assert_memory_equal(la, lb, sizeof la);   /* the same last 4 tokens: the same prediction */
    const int32_t c[7] = {99, 98, 97, 9, 11, 12, 13};
    assert_int_equal(m->ops->next_logits(m, c, 7, lb, &err), 0);
    assert_memory_not_equal(la, lb, sizeof la);   /* a token inside the window changes it */
    int32_t w[4];
    lm_fflm_window(m, a, 2, w);
    assert_int_equal(w[0], -1);
    assert_int_equal(w[1], -1);
    assert_int_equal(w[2], 1);
    assert_int_equal(w[3], 2);
    lm_fflm_window(m, a, 9, w);
    assert_int_equal(w[0], 10);
    assert_int_equal(w[3], 13);
    lm_nlm_free(m);
}

/* the RNN continues from its kept state exactly as a fresh run would */
static void test_rnn_kept_state(void **state) {
    (void)state;
    for (int which = 2; which < 4; which++) {
        lm_nlm *m = make(which), *fresh = make(which);
        const int32_t ids[8] = {7, 8, 9, 10, 11, 12, 13, 14}, other[3] = {200, 201, 202};
        float l1[256], l2[256];
        lm_err err = {{0}};
        for (size_t n = 1; n <= 8; n++) assert_int_equal(m->ops->next_logits(m, ids, n, l1, &err), 0);
        assert_int_equal(fresh->ops->next_logits(fresh, ids, 8, l2, &err), 0);
        for (int i = 0; i < 256; i++) assert_true(fabsf(l1[i] - l2[i]) < 1e-5f);
        /* another text, then the first again: no state leaks across */
        assert_int_equal(m->ops->next_logits(m, other, 3, l1, &err), 0);
        assert_int_equal(m->ops->next_logits(m, ids, 8, l1, &err), 0);
        for (int i = 0; i < 256; i++) assert_true(fabsf(l1[i] - l2[i]) < 1e-5f);
        lm_nlm_free(m);
        lm_nlm_free(fresh);
    }
}

/* a fixed batch from a repeating text */
static void fill_batch(lm_batch *b, int s) {
    for (int i = 0; i < b->B * b->T; i++) {
        b->tokens[i] = (int32_t)((i * 7 + s * 3) % 97 + 32);
        b->targets[i] = (int32_t)((i * 7 + s * 3 + 7) % 97 + 32);
    }
}

/* 3 steps, checkpoint, load + moments, 2 more == 5 steps straight */
static void test_resume_round_trip(void **state) {
    (void)state;
    for (int which = 0; which < 4; which++) {
        lm_nlm *a = make(which), *b = make(which);
        lm_batch batch;
        lm_err err = {{0}};
        assert_int_equal(lm_batch_alloc(&batch, 2, 9, 0, &err), 0);
        lm_train_opts o = lm_train_opts_default(5);
        o.sched.max_lr = 1e-2f;
        for (int s = 0; s < 5; s++) {
            fill_batch(&batch, s);
            assert_int_equal(lm_nlm_train_step(a, &batch, &o, NULL, &err), 0);
        }
        for (int s = 0; s < 3; s++) {
            fill_batch(&batch, s);
            assert_int_equal(lm_nlm_train_step(b, &batch, &o, NULL, &err), 0);
        }
        char path[256];
        snprintf(path, sizeof path, "%s/resume%d.llm", dir, which);
        save(b, path, "step=3\n");
        lm_nlm_free(b);
        char *meta = NULL;
        if (lm_nlm_load(&b, &meta, path, &err)) fail_msg("%s", err.msg);
        assert_string_equal(meta, "step=3\n");
        free(meta);
        assert_int_equal(b->ps.adam_t, 3);
        assert_int_equal(lm_checkpoint_load_moments(&b->ps, path, &err), 0);   /* 0: the moments, not fresh ones */
        for (int s = 3; s < 5; s++) {
            fill_batch(&batch, s);
            assert_int_equal(lm_nlm_train_step(b, &batch, &o, NULL, &err), 0);
        }
        assert_int_equal(b->ps.adam_t, 5);
        if (memcmp(a->ps.params, b->ps.params, a->ps.n * sizeof(float)) != 0)
            fail_msg("%s: a resumed run differs from one never stopped", NAMES[which]);
        lm_batch_free(&batch);
        lm_nlm_free(a);
        lm_nlm_free(b);
    }
}

/* the objectives of the table: a default model made for the tokeniser,
 * steps that lower the loss, validation, and the trainee saving a file of
 * the right kind */
static void test_objectives_from_table(void **state) {
    (void)state;
    char data[256];
    snprintf(data, sizeof data, "%s/text.txt", dir);
    FILE *f = fopen(data, "w");
    for (int i = 0; i < 300; i++) fprintf(f, "the cat sat on the mat and the dog sat on the log.\n");
    fclose(f);
    const char *names[2] = {"fflm", "rnn"};
    for (int k = 0; k < 2; k++) {
        lm_err err = {{0}};
        lm_objective *o = lm_objective_create(names[k], &err);
        assert_non_null(o);
        assert_non_null(o->ops->trainee);
        lm_trainee t;
        assert_int_not_equal(o->ops->trainee(o, &t, &err), 0);   /* no model before prepare */
        lm_tokenizer *tok = lm_tok_byte_new();
        lm_data_opts d = {.train_path = data, .B = 4, .T = 16, .val_batches = 2, .seed = 3};
        if (o->ops->prepare(o, tok, &d, &err)) fail_msg("%s", err.msg);
        assert_true(o->n_val >= 1);
        lm_train_opts opts = lm_train_opts_default(30);
        opts.sched.max_lr = 1e-2f;
        double first = 0, last = 0;
        for (int s = 0; s < 30; s++) {
            lm_figures fs = {0};
            assert_int_equal(o->ops->next_batch(o, s, &err), 0);
            if (o->ops->step(o, NULL, &opts, &fs, &err)) fail_msg("%s", err.msg);
            double l = lm_figures_get(&fs, "loss");
            if (s == 0) first = l;
            last = l;
            assert_true(isfinite(lm_figures_get(&fs, "grad_norm")) && lm_figures_get(&fs, "tok/s") > 0);
        }
        assert_true(first > 4.5 && last < first - 1.0);   /* ln 256 = 5.5 at the start, then learning */
        lm_figures v = {0};
        assert_int_equal(o->ops->validate(o, NULL, &v, &err), 0);
        assert_true(isfinite(lm_figures_get(&v, "val_loss")));
        assert_int_equal(o->ops->trainee(o, &t, &err), 0);
        assert_int_equal(t.adam_t(t.self), 30);
        char out[256];
        snprintf(out, sizeof out, "%s/obj_%s.llm", dir, names[k]);
        if (t.save(t.self, "made=test\n", out, &err)) fail_msg("%s", err.msg);
        lm_file_header h;
        assert_int_equal(lm_file_peek(&h, out, &err), 0);
        assert_string_equal(h.kind, names[k]);
        assert_int_equal(h.adam_t, 30);
        /* a model of another vocabulary is refused by prepare */
        lm_rnn_config c = {300, 4, 4, LM_RNN_ELMAN};
        lm_nlm *m = NULL;
        assert_int_equal(lm_rnn_new(&m, &c, 1, &err), 0);
        lm_objective *o2 = lm_obj_rnn_new(m, &err);
        assert_int_not_equal(o2->ops->prepare(o2, tok, &d, &err), 0);
        assert_non_null(strstr(err.msg, "predicts 300 ids but the tokeniser has 256"));
        lm_objective_free(o2);
        lm_nlm_free(m);
        lm_tok_free(tok);
        lm_objective_free(o);
    }
}

/* the vanishing gradient: an Elman RNN's |dL/dh_t| falls with distance */
static void test_elman_gradient_fades(void **state) {
    (void)state;
    lm_rnn_config c = {256, 16, 32, LM_RNN_ELMAN};
    lm_nlm *m = NULL;
    lm_err err = {{0}};
    assert_int_equal(lm_rnn_new(&m, &c, 9, &err), 0);
    int32_t ids[31];
    for (int i = 0; i < 31; i++) ids[i] = (int32_t)(i * 13 % 256);
    float norms[30];
    assert_int_equal(lm_rnn_grad_norms(m, ids, 31, norms, &err), 0);
    assert_true(norms[29] > 0);
    assert_true(norms[0] < 1e-3f * norms[29]);   /* 29 steps back: less than a thousandth */
    assert_int_not_equal(lm_rnn_grad_norms(m, ids, 1, norms, &err), 0);   /* no step to go back through */
    lm_nlm_free(m);
    lm_fflm_config fc = {256, 2, 2, 2, 0};
    assert_int_equal(lm_fflm_new(&m, &fc, 1, &err), 0);
    assert_int_not_equal(lm_rnn_grad_norms(m, ids, 31, norms, &err), 0);
    assert_non_null(strstr(err.msg, "no recurrence"));
    lm_nlm_free(m);
}

/* bad ids are refused, never read out of bounds */
static void test_bad_ids(void **state) {
    (void)state;
    for (int which = 0; which < 4; which++) {
        lm_nlm *m = make(which);
        const int32_t bad[3] = {1, 256, 2}, neg[2] = {-1, 3};
        float logits[256], loss;
        lm_err err = {{0}};
        assert_int_not_equal(m->ops->next_logits(m, bad, 3, logits, &err), 0);
        assert_non_null(strstr(err.msg, "outside the vocabulary"));
        assert_int_not_equal(m->ops->forward(m, neg, NULL, 1, 2, &loss, &err), 0);
        double nll;
        assert_int_not_equal(lm_nlm_nll(m, bad, 3, &nll, &err), 0);
        lm_nlm_free(m);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lmodel_contract),      cmocka_unit_test(test_fflm_window),
        cmocka_unit_test(test_rnn_kept_state),       cmocka_unit_test(test_resume_round_trip),
        cmocka_unit_test(test_objectives_from_table), cmocka_unit_test(test_elman_gradient_fades),
        cmocka_unit_test(test_bad_ids),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
