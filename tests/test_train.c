/* test_train.c - training steps (loss goes down, SFT mask, NaN stop),
 * optimizer state round trip, KV-cache generation against the full
 * forward (the evaluation rules: test_evals.c). */
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

#include "tok/chat.h"
#include "data/dataset.h"
#include "decode/generate.h"
#include "models/gpt/model.h"
#include "io/modelfile.h"
#include "io/optstate.h"
#include "tok/tokenizer.h"
#include "train/train.h"
#include "train_fixtures.h"

/* ---- training ---- */

/* the AdamW moments of m (trained to step 30) survive a save and load, and
 * are refused for other weights, another step, another size or a corrupted file */
static void check_optstate_roundtrip(const lm_model *mp, const lm_config *cfgp) {
    const lm_model m = *mp;
    const lm_config cfg = *cfgp;
    lm_err err = {{0}};
    char path[] = "/tmp/test_train_opt_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    assert_int_equal(lm_optstate_save(&m, path, &err), 0);
    lm_model m2;
    assert_int_equal(lm_model_init(&m2, &cfg, 2, &err), 0);
    /* the moments belong to m's weights at step 30: another model is refused */
    m2.adam_t = 30;
    assert_int_equal(lm_optstate_load(&m2, path, &err), -1);
    assert_non_null(strstr(err.msg, "does not match the model"));
    assert_null(m2.adam_m);
    memcpy(m2.params, m.params, m.n_params * sizeof(float));
    m2.adam_t = 29;   /* same weights, other step: refused, naming both steps */
    assert_int_equal(lm_optstate_load(&m2, path, &err), -1);
    assert_non_null(strstr(err.msg, "step 30"));
    assert_non_null(strstr(err.msg, "step 29"));
    assert_null(m2.adam_m);
    m2.adam_t = 30;
    assert_int_equal(lm_optstate_load(&m2, path, &err), 0);
    assert_int_equal(m2.adam_t, 30);
    assert_memory_equal(m2.adam_m, m.adam_m, m.n_params * sizeof(float));
    assert_memory_equal(m2.adam_v, m.adam_v, m.n_params * sizeof(float));
    lm_model m3;   /* a different size is refused */
    lm_config c3 = tiny_cfg(16);
    assert_int_equal(lm_model_init(&m3, &c3, 2, &err), 0);
    m3.adam_t = 30;
    assert_int_equal(lm_optstate_load(&m3, path, &err), -1);
    assert_non_null(strstr(err.msg, "parameters"));
    lm_model_free(&m3);
    /* a corrupted byte is caught */
    FILE *f = fopen(path, "r+b");
    fseek(f, 100, SEEK_SET);
    fputc(0x5a ^ 0xff, f);
    fclose(f);
    assert_int_equal(lm_optstate_load(&m2, path, &err), -1);
    unlink(path);
    lm_model_free(&m2);
}

static void test_loss_decreases(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tok();
    const char *text = "the cat sat on the mat. the dog sat on the log. ";
    char big[4096] = "";
    for (int i = 0; i < 40; i++) strcat(big, text);
    lm_token_stream s;
    lm_err err = {{0}};
    assert_int_equal(lm_stream_from_text(&s, t, (const uint8_t *)big, strlen(big), &err), 0);
    lm_model m;
    lm_config cfg = tiny_cfg(32);
    assert_int_equal(lm_model_init(&m, &cfg, 1, &err), 0);
    lm_batch b;
    assert_int_equal(lm_batch_alloc(&b, 4, 32, 0, &err), 0);
    lm_rng rng;
    lm_rng_seed(&rng, 3);
    lm_train_opts o = lm_train_opts_default(30);
    o.sched.max_lr = 1e-2f;
    o.sched.min_lr = 1e-3f;
    o.sched.warmup_steps = 3;
    float first = 0, last = 0;
    for (int i = 0; i < 30; i++) {
        lm_step_record r;
        assert_int_equal(lm_stream_sample(&s, &rng, &b, &err), 0);
        assert_int_equal(lm_train_step(&m, &b, &o, &r, &err), 0);
        assert_int_equal(r.step, i + 1);
        assert_int_equal(r.tokens, 4 * 32);
        assert_true(r.grad_norm > 0);
        assert_true(fabsf(r.lr - lm_schedule_lr(&o.sched, i)) < 1e-9f);
        if (i == 0) first = r.loss;
        if (i >= 25) last += r.loss / 5;
    }
    /* the first loss is near ln(261) = 5.56; a tiny model learns this text fast */
    assert_true(fabsf(first - logf(V)) < 0.5f);
    assert_true(last < first - 2.0f);
    /* validation loss over fixed batches agrees with the trained state */
    lm_batch vb;
    assert_int_equal(lm_batch_alloc(&vb, 2, 32, 0, &err), 0);
    assert_int_equal(lm_stream_batch_at(&s, 0, &vb, &err), 0);
    float vl;
    assert_int_equal(lm_eval_loss(&m, &vb, 1, &vl, &err), 0);
    assert_true(vl < first - 2.0f);

    check_optstate_roundtrip(&m, &cfg);

    lm_batch_free(&vb);
    lm_batch_free(&b);
    lm_model_free(&m);
    lm_stream_free(&s);
    lm_tok_free(t);
}

/* cross-entropy of logits row at target, by hand */
static double ce(const float *row, int target) {
    double mx = row[0];
    for (int v = 1; v < V; v++) mx = row[v] > mx ? row[v] : mx;
    double sum = 0;
    for (int v = 0; v < V; v++) sum += exp(row[v] - mx);
    return log(sum) + mx - row[target];
}

static void test_sft_mask(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tok();
    lm_err err = {{0}};
    char path[] = "/tmp/test_train_sft_XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    write_file(path,
               "{\"messages\":[{\"role\":\"user\",\"content\":\"What is two?\"},{\"role\":\"assistant\",\"content\":\"2\"}]}\n"
               "{\"messages\":[{\"role\":\"user\",\"content\":\"Name a cat\"},{\"role\":\"assistant\",\"content\":\"Tom\"}]}\n");
    lm_sft_set set;
    assert_int_equal(lm_sft_load(&set, t, path, 0, &err), 0);
    unlink(path);
    lm_model m;
    lm_config cfg = tiny_cfg(32);
    assert_int_equal(lm_model_init(&m, &cfg, 5, &err), 0);
    lm_batch b;
    assert_int_equal(lm_batch_alloc(&b, 2, 32, 1, &err), 0);
    int order[] = {0, 1};
    assert_int_equal(lm_sft_pack(&set, order, 2, 0, 1, &b, NULL, &err), 0);
    /* example 0 is 17 ids, example 1 is 18: they do not fit one window of 33
     * together, so row 0 holds example 0 and row 1 example 1 */
    /* manual masked loss from the logits of an unmasked forward */
    assert_int_equal(lm_forward(&m, b.tokens, NULL, NULL, 2, 32, &err), 0);
    double num = 0, den = 0, all = 0;
    int n_all = 0;
    for (int r = 0; r < 2; r++) {
        const float *lg = lm_logits(&m, r);
        for (int p = 0; p < 32; p++) {
            int tg = b.targets[r * 32 + p];
            if (tg < 0) continue;
            double c = ce(lg + (size_t)p * V, tg);
            num += b.mask[r * 32 + p] * c;
            den += b.mask[r * 32 + p];
            all += c;
            n_all++;
        }
    }
    assert_true(den == 2 + 4);   /* "2<|end|>" in row 0, "Tom<|end|>" in row 1 */
    double manual = num / den;
    /* the masked loss does not depend on targets where the mask is 0 */
    lm_batch b2;
    assert_int_equal(lm_batch_alloc(&b2, 2, 32, 1, &err), 0);
    memcpy(b2.tokens, b.tokens, sizeof(int32_t) * 64);
    memcpy(b2.targets, b.targets, sizeof(int32_t) * 64);
    memcpy(b2.mask, b.mask, sizeof(float) * 64);
    for (int i = 0; i < 64; i++)
        if (b2.mask[i] == 0 && b2.targets[i] >= 0) b2.targets[i] = 'z';
    assert_int_equal(lm_forward(&m, b2.tokens, b2.targets, b2.mask, 2, 32, &err), 0);
    assert_true(fabs(m.loss - manual) < 1e-4);

    lm_train_opts o = lm_train_opts_default(10);
    lm_step_record r;
    assert_int_equal(lm_sft_step(&m, &b, &o, &r, &err), 0);
    assert_true(fabs(r.loss - manual) < 1e-4);
    assert_int_equal(r.tokens, 6);
    /* --no-mask: the loss is the plain mean over real targets */
    assert_int_equal(lm_sft_pack(&set, order, 2, 0, 0, &b, NULL, &err), 0);
    lm_model m3;
    assert_int_equal(lm_model_init(&m3, &cfg, 5, &err), 0);
    assert_int_equal(lm_sft_step(&m3, &b, &o, &r, &err), 0);
    assert_true(fabs(r.loss - all / n_all) < 1e-4);
    /* a batch without a mask is refused by the SFT step */
    lm_batch nm;
    assert_int_equal(lm_batch_alloc(&nm, 1, 8, 0, &err), 0);
    memset(nm.tokens, 0, 8 * sizeof(int32_t));
    memset(nm.targets, 0, 8 * sizeof(int32_t));
    assert_int_equal(lm_sft_step(&m3, &nm, &o, &r, &err), -1);
    lm_batch_free(&nm);
    lm_model_free(&m3);
    lm_batch_free(&b);
    lm_batch_free(&b2);
    lm_model_free(&m);
    lm_sft_free(&set);
    lm_tok_free(t);
}

static void test_nan_stops(void **state) {
    (void)state;
    lm_err err = {{0}};
    lm_model m;
    lm_config cfg = tiny_cfg(16);
    assert_int_equal(lm_model_init(&m, &cfg, 9, &err), 0);
    lm_batch b;
    assert_int_equal(lm_batch_alloc(&b, 1, 16, 0, &err), 0);
    for (int i = 0; i < 16; i++) {
        b.tokens[i] = 'a' + i;
        b.targets[i] = 'b' + i;
    }
    lm_train_opts o = lm_train_opts_default(10);
    lm_step_record r;
    assert_int_equal(lm_train_step(&m, &b, &o, &r, &err), 0);
    const lm_tensor_view *w = lm_find_tensor(&m, "ln_f.w");
    assert_non_null(w);
    m.params[w->offset] = NAN;
    float *copy = malloc(m.n_params * sizeof(float));
    memcpy(copy, m.params, m.n_params * sizeof(float));
    assert_int_equal(lm_train_step(&m, &b, &o, &r, &err), LM_TRAIN_NONFINITE);
    assert_non_null(strstr(err.msg, "NaN"));
    assert_int_equal(m.adam_t, 1);
    /* weights untouched (compare bytes: NaN != NaN) */
    assert_memory_equal(copy, m.params, m.n_params * sizeof(float));
    free(copy);
    lm_batch_free(&b);
    lm_model_free(&m);
}

/* ---- generation ---- */

static int count_cb(void *user, int32_t tok, const lm_sample_result *r) {
    (void)tok;
    (void)r;
    int *n = user;
    return ++*n >= 4;   /* stop after four tokens */
}

static void test_generate(void **state) {
    (void)state;
    lm_err err = {{0}};
    lm_model m;
    lm_config cfg = tiny_cfg(16);
    assert_int_equal(lm_model_init(&m, &cfg, 11, &err), 0);
    const int32_t prompt[] = {'h', 'e', 'l', 'l', 'o'};
    lm_gen_opts o = {0};
    o.max_new = 6;
    o.sampling = lm_sampling_default();
    o.sampling.greedy = 1;
    lm_rng rng;
    lm_rng_seed(&rng, 1);
    lm_ids out = {0};
    lm_gen_result res;
    assert_int_equal(lm_generate(&m, NULL, prompt, 5, &o, &rng, &out, &res, &err), 0);
    assert_int_equal(res.reason, LM_GEN_MAX);
    assert_int_equal(out.n, 6);
    /* each greedy token is the argmax of the full forward at the previous position */
    int32_t seq[11];
    memcpy(seq, prompt, sizeof prompt);
    memcpy(seq + 5, out.ids, 6 * sizeof(int32_t));
    assert_int_equal(lm_forward(&m, seq, NULL, NULL, 1, 11, &err), 0);
    const float *lg = lm_logits(&m, 0);
    for (int k = 0; k < 6; k++) {
        const float *row = lg + (size_t)(4 + k) * V;
        int best = 0;
        for (int v = 1; v < V; v++)
            if (row[v] > row[best]) best = v;
        assert_int_equal(seq[5 + k], best);
    }
    /* a stop token ends generation before it is appended */
    int32_t stop = out.ids[2];
    int first_stop = 0;
    while (out.ids[first_stop] != stop) first_stop++;
    lm_ids out2 = {0};
    o.stop_ids = &stop;
    o.n_stop = 1;
    assert_int_equal(lm_generate(&m, NULL, prompt, 5, &o, &rng, &out2, &res, &err), 0);
    assert_int_equal(res.reason, LM_GEN_STOP);
    assert_int_equal(res.stop_token, stop);
    assert_int_equal(out2.n, first_stop);
    /* the context runs out: 16 - 5 = 11 tokens at most */
    o.stop_ids = NULL;
    o.n_stop = 0;
    o.max_new = 100;
    lm_ids out3 = {0};
    assert_int_equal(lm_generate(&m, NULL, prompt, 5, &o, &rng, &out3, &res, &err), 0);
    assert_int_equal(res.reason, LM_GEN_CONTEXT);
    assert_int_equal(out3.n, 11);
    /* the callback can stop it */
    int n = 0;
    o.on_token = count_cb;
    o.user = &n;
    assert_int_equal(lm_generate(&m, NULL, prompt, 5, &o, &rng, NULL, &res, &err), 0);
    assert_int_equal(res.reason, LM_GEN_CALLBACK);
    assert_int_equal(res.n_new, 4);
    /* a prompt longer than the context is refused */
    int32_t longp[20] = {0};
    assert_int_equal(lm_generate(&m, NULL, longp, 20, &o, &rng, NULL, &res, &err), -1);
    lm_ids_free(&out);
    lm_ids_free(&out2);
    lm_ids_free(&out3);
    lm_model_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loss_decreases), cmocka_unit_test(test_sft_mask),
        cmocka_unit_test(test_nan_stops),      cmocka_unit_test(test_generate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
