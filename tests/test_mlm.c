/* test_mlm.c - masked language modelling: <|mask|> added to a BPE
 * (lm_tok_bpe_add_special), BERT's masking rule (data/mlm_mask.h: 15% chosen,
 * of those 80% mask / 10% random / 10% unchanged, within statistical bounds,
 * counted here from the batch before and after, not from the rule's own
 * counts), the loss only on the chosen positions (recomputed here from the
 * logits), and the mlm objective (its data, refusals, figures and fixed
 * validation masks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "data/mlm_mask.h"
#include "train/objective.h"
#include "train_fixtures.h"

/* chat_tok (256 bytes + the five chat markers, ids 0..260) with <|mask|> */
enum { MASK = V, V_MLM = V + 1 };

static lm_tokenizer *mlm_tok(void) {
    lm_tokenizer *t = chat_tok();
    lm_err err = {{0}};
    lm_tokenizer *m = lm_tok_bpe_add_special(t, LM_MLM_MASK, &err);
    if (!m) fail_msg("add special: %s", err.msg);
    lm_tok_free(t);
    return m;
}

static void test_add_special(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tok(), *m = mlm_tok();
    assert_int_equal(lm_tok_vocab_size(t), V);
    assert_int_equal(lm_tok_vocab_size(m), V_MLM);   /* one id more: the one after the last */
    assert_int_equal(lm_tok_special_id(m, LM_MLM_MASK), MASK);
    assert_int_equal(lm_tok_special_id(m, "<|endoftext|>"), EOT);   /* every old id keeps its meaning */
    assert_true(lm_tok_is_special(m, MASK));
    /* plain text never makes the marker; with specials allowed it is one id */
    const char *text = "a <|mask|> b<|endoftext|>";
    lm_ids plain = {0}, special = {0};
    lm_err err = {{0}};
    assert_int_equal(lm_tok_encode(m, (const uint8_t *)text, strlen(text), 0, &plain, &err), 0);
    assert_int_equal(plain.n, strlen(text));   /* bytes, one id each */
    assert_int_equal(lm_tok_encode(m, (const uint8_t *)text, strlen(text), 1, &special, &err), 0);
    const int32_t want[] = {'a', ' ', MASK, ' ', 'b', EOT};
    assert_int_equal(special.n, 6);
    assert_memory_equal(special.ids, want, sizeof want);
    /* it survives the blob a model file carries */
    uint8_t *blob;
    size_t len;
    assert_int_equal(lm_tok_serialize(m, &blob, &len, &err), 0);
    lm_tokenizer *back = lm_tok_deserialize(blob, len, &err);
    assert_non_null(back);
    assert_int_equal(lm_tok_special_id(back, LM_MLM_MASK), MASK);
    size_t plen;
    const uint8_t *piece = lm_tok_piece(back, MASK, &plen);
    assert_int_equal(plen, 8);
    assert_memory_equal(piece, "<|mask|>", 8);
    /* refusals */
    assert_null(lm_tok_bpe_add_special(m, LM_MLM_MASK, &err));
    assert_non_null(strstr(err.msg, "already has"));
    assert_null(lm_tok_bpe_add_special(t, "", &err));
    lm_tokenizer *bytes = lm_tok_byte_new();
    assert_null(lm_tok_bpe_add_special(bytes, LM_MLM_MASK, &err));
    assert_non_null(strstr(err.msg, "BPE"));
    free(blob);
    lm_ids_free(&plain);
    lm_ids_free(&special);
    lm_tok_free(back);
    lm_tok_free(bytes);
    lm_tok_free(m);
    lm_tok_free(t);
}

/* |x - p n| within 5 standard deviations of a binomial(n, p) */
static void assert_binomial(const char *what, long x, long n, double p) {
    double sd = sqrt(n * p * (1 - p)), dev = fabs(x - p * n);
    if (dev > 5 * sd) fail_msg("%s: %ld of %ld, expected %.1f +- %.1f", what, x, n, p * n, 5 * sd);
}

static void test_masking_rule(void **state) {
    (void)state;
    enum { B = 50, T = 400, N = B * T, NORD = 100, SPECIAL = 120, MASKID = 121 };
    lm_batch b;
    lm_err err = {{0}};
    assert_int_equal(lm_batch_alloc(&b, B, T, 1, &err), 0);
    int32_t *orig = malloc(sizeof *orig * N);
    lm_rng rng;
    lm_rng_seed(&rng, 7);
    long ordinary = 0;
    for (int i = 0; i < N; i++) {   /* every 10th a special (never chosen), the rest ordinary */
        orig[i] = i % 10 == 9 ? SPECIAL : (int32_t)lm_rng_below(&rng, NORD);
        b.tokens[i] = orig[i];
        b.targets[i] = 5;   /* whatever was there is overwritten */
        b.mask[i] = 0.5f;
        ordinary += orig[i] < NORD;
    }
    lm_mlm_rule rule = lm_mlm_rule_bert();
    assert_true(rule.choose == 0.15f && rule.to_mask == 0.8f && rule.to_random == 0.1f);
    lm_mlm_counts c;
    long chosen = lm_mlm_mask(&b, &rule, MASKID, NORD, &rng, &c, &err);
    long n_chosen = 0, n_mask = 0, n_same = 0, n_other = 0;
    for (int i = 0; i < N; i++) {
        assert_true(b.mask[i] == 1.0f);
        if (b.targets[i] < 0) {   /* not chosen: no loss, input untouched */
            assert_int_equal(b.targets[i], -1);
            assert_int_equal(b.tokens[i], orig[i]);
            continue;
        }
        n_chosen++;
        assert_true(orig[i] < NORD);                 /* specials are never chosen */
        assert_int_equal(b.targets[i], orig[i]);     /* the answer is the hidden token */
        if (b.tokens[i] == MASKID) n_mask++;
        else if (b.tokens[i] == orig[i]) n_same++;
        else {
            n_other++;
            assert_true(b.tokens[i] >= 0 && b.tokens[i] < NORD);   /* a random ordinary token */
        }
    }
    assert_int_equal(chosen, n_chosen);
    assert_int_equal(c.positions, ordinary);
    assert_int_equal(c.chosen, n_chosen);
    assert_int_equal(c.masked, n_mask);
    assert_binomial("chosen", n_chosen, ordinary, 0.15);
    assert_binomial("-> <|mask|>", n_mask, n_chosen, 0.8);
    /* random picks the same token 1 time in NORD: counted with the unchanged */
    assert_binomial("-> another token", n_other, n_chosen, 0.1 * (1 - 1.0 / NORD));
    assert_binomial("-> unchanged", n_same, n_chosen, 0.1 + 0.1 / NORD);
    /* the same seed replays the same masks */
    lm_batch b2;
    assert_int_equal(lm_batch_alloc(&b2, B, T, 0, &err), 0);
    memcpy(b2.tokens, orig, sizeof *orig * N);
    lm_rng r1, r2;
    lm_rng_seed(&r1, 99);
    lm_rng_seed(&r2, 99);
    memcpy(b.tokens, orig, sizeof *orig * N);
    lm_mlm_mask(&b, &rule, MASKID, NORD, &r1, NULL, &err);
    lm_mlm_mask(&b2, &rule, MASKID, NORD, &r2, NULL, &err);
    assert_memory_equal(b.tokens, b2.tokens, sizeof *orig * N);
    assert_memory_equal(b.targets, b2.targets, sizeof *orig * N);
    /* bad arguments are refused */
    lm_mlm_rule bad = {0.15f, 0.8f, 0.3f};
    assert_int_equal(lm_mlm_mask(&b, &bad, MASKID, NORD, &r1, NULL, &err), -1);
    assert_int_equal(lm_mlm_mask(&b, &rule, -1, NORD, &r1, NULL, &err), -1);
    lm_batch_free(&b);
    lm_batch_free(&b2);
    free(orig);
}

/* the loss of a masked batch is the mean cross-entropy over the chosen
 * positions only: recomputed here in double from the logits */
static void test_loss_on_chosen_only(void **state) {
    (void)state;
    enum { B = 2, T = 12 };
    lm_config cfg = tiny_cfg(T);
    cfg.vocab_size = V_MLM;
    lm_model m;
    lm_err err = {{0}};
    assert_int_equal(lm_model_init(&m, &cfg, 3, &err), 0);
    m.bidirectional = 1;
    lm_batch b;
    assert_int_equal(lm_batch_alloc(&b, B, T, 0, &err), 0);
    lm_rng rng;
    lm_rng_seed(&rng, 11);
    for (int i = 0; i < B * T; i++) b.tokens[i] = 'a' + (int32_t)lm_rng_below(&rng, 26);
    lm_mlm_rule rule = {0.4f, 0.8f, 0.1f};   /* more blanks, so both rows surely have some */
    long chosen = lm_mlm_mask(&b, &rule, MASK, 256, &rng, NULL, &err);
    assert_true(chosen >= 2 && chosen < B * T);
    assert_int_equal(lm_forward(&m, b.tokens, b.targets, NULL, B, T, &err), 0);
    double sum = 0;
    for (int r = 0; r < B; r++)
        for (int t = 0; t < T; t++) {
            int32_t y = b.targets[r * T + t];
            if (y < 0) continue;
            const float *z = lm_logits(&m, r) + (size_t)t * V_MLM;
            double mx = z[0], s = 0;
            for (int v = 1; v < V_MLM; v++) mx = z[v] > mx ? z[v] : mx;
            for (int v = 0; v < V_MLM; v++) s += exp(z[v] - mx);
            sum += log(s) + mx - z[y];
        }
    assert_true(fabs(m.loss - sum / chosen) < 1e-5);
    /* the positions not chosen carry no loss whatever negative target they hold */
    float before = m.loss;
    for (int i = 0; i < B * T; i++)
        if (b.targets[i] < 0) b.targets[i] = -7;   /* any negative target is ignored */
    assert_int_equal(lm_forward(&m, b.tokens, b.targets, NULL, B, T, &err), 0);
    assert_true(m.loss == before);
    lm_batch_free(&b);
    lm_model_free(&m);
}

static const char *TEXT =
    "the cat sat on the mat. the dog sat on the log. the cat saw the dog.\n"
    "<|endoftext|>\n"
    "a bird sat on the tree and the cat looked at the bird for a long time.\n"
    "<|endoftext|>\n"
    "the sun rose in the east and set in the west, and the moon came out at night.\n";

static lm_objective *prepared(const lm_tokenizer *t, const char *path, lm_err *err) {
    lm_objective *o = lm_obj_mlm_new(err);
    assert_non_null(o);
    lm_data_opts d = {.train_path = path, .B = 2, .T = 16, .val_batches = 2, .seed = 5};
    if (o->ops->prepare(o, t, &d, err)) {
        lm_objective_free(o);
        return NULL;
    }
    return o;
}

static void test_objective(void **state) {
    (void)state;
    char path[] = "/tmp/llmlab_test_mlm_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, TEXT);
    lm_err err = {{0}};
    /* a tokeniser without <|mask|> cannot be trained by masked-LM */
    lm_tokenizer *plain = chat_tok();
    assert_null(prepared(plain, path, &err));
    assert_non_null(strstr(err.msg, "<|mask|>"));
    lm_tokenizer *t = mlm_tok();
    lm_objective *o = prepared(t, path, &err);
    if (!o) fail_msg("prepare: %s", err.msg);
    assert_string_equal(o->ops->name, "mlm");
    assert_true(o->n_val >= 1);
    assert_non_null(strstr(o->meta, "mask_id=261\n"));
    assert_non_null(strstr(o->meta, "baseline_acc="));
    /* the batch: chosen positions carry the original token, the rest -1 */
    assert_int_equal(o->ops->next_batch(o, 0, &err), 0);
    long blanks = 0;
    for (int i = 0; i < 2 * 16; i++) {
        int32_t y = o->batch.targets[i], x = o->batch.tokens[i];
        if (y < 0) continue;
        blanks++;
        assert_true(x == MASK || (x >= 0 && x < 256));
    }
    /* a decoder is refused; an encoder steps */
    lm_config cfg = tiny_cfg(16);
    cfg.vocab_size = V_MLM;
    lm_model m;
    assert_int_equal(lm_model_init(&m, &cfg, 1, &err), 0);
    lm_train_opts opts = lm_train_opts_default(10);
    lm_figures f = {0};
    assert_int_equal(o->ops->step(o, &m, &opts, &f, &err), -1);
    assert_non_null(strstr(err.msg, "causal"));
    assert_int_equal(m.adam_t, 0);
    m.bidirectional = 1;
    if (blanks == 0) assert_int_equal(o->ops->next_batch(o, 0, &err), 0);
    assert_int_equal(o->ops->step(o, &m, &opts, &f, &err), 0);
    assert_int_equal(m.adam_t, 1);
    assert_false(isnan(lm_figures_get(&f, "loss")));
    double acc = lm_figures_get(&f, "mask_acc");
    assert_true(acc >= 0 && acc <= 1);
    /* validation: fixed masks, so the same weights give the same figures */
    lm_figures v1 = {0}, v2 = {0};
    assert_int_equal(o->ops->validate(o, &m, &v1, &err), 0);
    assert_int_equal(o->ops->validate(o, &m, &v2, &err), 0);
    double vl = lm_figures_get(&v1, "val_loss"), va = lm_figures_get(&v1, "val_mask_acc");
    assert_true(vl > 0 && isfinite(vl));
    assert_true(va >= 0 && va <= 1);
    assert_true(vl == lm_figures_get(&v2, "val_loss") && va == lm_figures_get(&v2, "val_mask_acc"));
    /* a second prepare with the same seed masks the validation the same way */
    lm_objective *o2 = prepared(t, path, &err);
    assert_non_null(o2);
    assert_int_equal(o2->n_val, o->n_val);
    for (int i = 0; i < o->n_val; i++) {
        assert_memory_equal(o2->val[i].tokens, o->val[i].tokens, sizeof(int32_t) * 2 * 16);
        assert_memory_equal(o2->val[i].targets, o->val[i].targets, sizeof(int32_t) * 2 * 16);
    }
    lm_objective_free(o2);
    lm_objective_free(o);
    lm_model_free(&m);
    lm_tok_free(t);
    lm_tok_free(plain);
    unlink(path);
}

/* lm_mlm_compare: the encoder at each blank t >= 1 from the masked window,
 * the decoder from the original window's row t - 1; recounted here */
static void test_compare(void **state) {
    (void)state;
    enum { B = 2, T = 10 };
    lm_config cfg = tiny_cfg(T);
    lm_model dec, enc;
    lm_err err = {{0}};
    assert_int_equal(lm_model_init(&dec, &cfg, 21, &err), 0);
    cfg.vocab_size = V_MLM;
    assert_int_equal(lm_model_init(&enc, &cfg, 22, &err), 0);
    enc.bidirectional = 1;
    lm_batch b;
    assert_int_equal(lm_batch_alloc(&b, B, T, 0, &err), 0);
    int32_t orig[B * T];
    for (int i = 0; i < B * T; i++) orig[i] = b.tokens[i] = 'a' + (i * 7) % 26;
    for (int i = 0; i < B * T; i++) b.targets[i] = -1;
    /* blanks at (0, 0) [left out: no left side], (0, 3), (1, 5) and (1, 9) */
    const int blank[4] = {0, 3, T + 5, T + 9};
    for (int k = 0; k < 4; k++) {
        b.targets[blank[k]] = orig[blank[k]];
        b.tokens[blank[k]] = MASK;
    }
    lm_mlm_comparison c;
    assert_int_equal(lm_mlm_compare(&b, 1, &enc, &dec, orig[3], &c, &err), 0);
    assert_int_equal(c.blanks, 3);
    assert_int_equal(c.base_correct, 1);   /* orig[3] is the hidden token once (orig[T + 5], orig[T + 9] differ) */
    long dec_ok = 0, enc_ok = 0;
    double dec_nats = 0, enc_nats = 0;
    for (int pass = 0; pass < 2; pass++) {
        lm_model *m = pass ? &enc : &dec;
        int Vm = m->cfg.vocab_size;
        assert_int_equal(lm_forward(m, pass ? b.tokens : orig, NULL, NULL, B, T, &err), 0);
        for (int k = 1; k < 4; k++) {
            int r = blank[k] / T, t = blank[k] % T, row_t = pass ? t : t - 1;
            const float *z = lm_logits(m, r) + (size_t)row_t * Vm;
            int best = 0;
            double mx = z[0], s = 0;
            for (int v = 1; v < Vm; v++) {
                if (z[v] > z[best]) best = v;
                mx = z[v] > mx ? z[v] : mx;
            }
            for (int v = 0; v < Vm; v++) s += exp(z[v] - mx);
            double nll = log(s) + mx - z[orig[blank[k]]];
            if (pass) { enc_ok += best == orig[blank[k]]; enc_nats += nll; }
            else { dec_ok += best == orig[blank[k]]; dec_nats += nll; }
        }
    }
    assert_int_equal(c.enc_correct, enc_ok);
    assert_int_equal(c.dec_correct, dec_ok);
    assert_true(fabs(c.enc_nats - enc_nats) < 1e-6 && fabs(c.dec_nats - dec_nats) < 1e-6);
    assert_true(c.enc_nats > 0 && c.dec_nats > 0);
    /* an id the decoder does not have is refused, naming it */
    b.tokens[1] = MASK;   /* not a blank: the "original" text would hold <|mask|> */
    assert_int_equal(lm_mlm_compare(&b, 1, &enc, &dec, 0, &c, &err), -1);
    assert_non_null(strstr(err.msg, "token 261 is outside the decoder's 261 ids"));
    /* the models must be an encoder and a decoder, in that order */
    assert_int_equal(lm_mlm_compare(&b, 1, &dec, &enc, 0, &c, &err), -1);
    lm_batch_free(&b);
    lm_model_free(&enc);
    lm_model_free(&dec);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_special),
        cmocka_unit_test(test_masking_rule),
        cmocka_unit_test(test_loss_on_chosen_only),
        cmocka_unit_test(test_objective),
        cmocka_unit_test(test_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
