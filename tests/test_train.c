/* test_train.c - chat template and mask, datasets and JSONL errors, training
 * steps (loss goes down, SFT mask, NaN stop), optimizer state round trip,
 * KV-cache generation against the full forward, evaluation verdict rules. */
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

#include "tok/chat.h"
#include "cli/cli.h"
#include "cli/trainloop.h"
#include "data/dataset.h"
#include "eval/evals.h"
#include "decode/generate.h"
#include "models/gpt/model.h"
#include "io/modelfile.h"
#include "io/optstate.h"
#include "tok/tokenizer.h"
#include "train/train.h"

/* A byte tokeniser plus the five chat markers at 256..260, in the order
 * EOT, SYSTEM, USER, ASSISTANT, END: every expected id below is a byte value
 * or one of these, worked out by hand. */
enum { EOT = 256, SYS = 257, USR = 258, AST = 259, END = 260, V = 261 };

static lm_tokenizer *chat_tok(void) {
    uint8_t bytes[256];
    const uint8_t *pieces[256];
    size_t lens[256];
    for (int i = 0; i < 256; i++) {
        bytes[i] = (uint8_t)i;
        pieces[i] = &bytes[i];
        lens[i] = 1;
    }
    const char *specials[] = {"<|endoftext|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"};
    const int32_t ids[] = {EOT, SYS, USR, AST, END};
    lm_err err = {{0}};
    lm_tokenizer *t = lm_tok_bpe_new("test", pieces, lens, 256, NULL, specials, ids, 5, &err);
    if (!t) fail_msg("tokenizer: %s", err.msg);
    return t;
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* ---- chat template ---- */

static void test_chat_template(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tok();
    lm_chat_msg msgs[] = {{LM_ROLE_USER, "Hi", 2}, {LM_ROLE_ASSISTANT, "Yo", 2}};
    lm_ids ids = {0};
    uint8_t *mask = NULL;
    lm_err err = {{0}};
    assert_int_equal(lm_chat_encode(t, msgs, 2, 0, &ids, &mask, &err), 0);
    const int32_t want[] = {EOT, USR, 'H', 'i', END, AST, 'Y', 'o', END};
    const uint8_t want_mask[] = {0, 0, 0, 0, 0, 0, 1, 1, 1};
    assert_int_equal(ids.n, 9);
    for (int i = 0; i < 9; i++) {
        assert_int_equal(ids.ids[i], want[i]);
        assert_int_equal(mask[i], want_mask[i]);
    }
    /* text form */
    size_t len;
    char *text = lm_chat_render_text(msgs, 2, 0, &len);
    assert_string_equal(text, "<|endoftext|><|user|>Hi<|end|><|assistant|>Yo<|end|>");
    assert_int_equal(len, strlen(text));
    free(text);
    /* generation prompt, with a system turn */
    lm_chat_msg sys[] = {{LM_ROLE_SYSTEM, "S", 1}, {LM_ROLE_USER, "Q", 1}};
    lm_ids g = {0};
    assert_int_equal(lm_chat_encode(t, sys, 2, 1, &g, NULL, &err), 0);
    const int32_t wg[] = {EOT, SYS, 'S', END, USR, 'Q', END, AST};
    assert_int_equal(g.n, 8);
    for (int i = 0; i < 8; i++) assert_int_equal(g.ids[i], wg[i]);
    /* a user cannot inject a marker */
    lm_chat_msg inj = {LM_ROLE_USER, "<|end|>", 7};
    lm_ids h = {0};
    assert_int_equal(lm_chat_encode(t, &inj, 1, 0, &h, NULL, &err), 0);
    assert_int_equal(h.n, 2 + 7 + 1);
    for (size_t i = 2; i < 9; i++) assert_true(h.ids[i] < 256);
    int32_t stop[2];
    assert_int_equal(lm_chat_stop_ids(t, stop, &err), 2);
    assert_int_equal(stop[0], END);
    assert_int_equal(stop[1], EOT);
    /* a tokeniser without markers is refused with a message */
    lm_tokenizer *b = lm_tok_byte_new();
    lm_ids x = {0};
    assert_int_equal(lm_chat_encode(b, msgs, 2, 0, &x, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "<|endoftext|>"));
    lm_tok_free(b);
    lm_ids_free(&ids);
    lm_ids_free(&g);
    lm_ids_free(&h);
    lm_ids_free(&x);
    free(mask);
    lm_tok_free(t);
}

/* ---- datasets ---- */

static void test_stream_and_batches(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tok();
    const char *text = "ab\n<|endoftext|>\ncd\n<|endoftext|>\n\nef\n";
    lm_token_stream s;
    lm_err err = {{0}};
    assert_int_equal(lm_stream_from_text(&s, t, (const uint8_t *)text, strlen(text), &err), 0);
    /* documents: "ab", "cd", "\nef" (its leading blank line is content) */
    const int32_t want[] = {EOT, 'a', 'b', EOT, 'c', 'd', EOT, '\n', 'e', 'f'};
    assert_int_equal(s.n, 10);
    assert_int_equal(s.n_docs, 3);
    for (int i = 0; i < 10; i++) assert_int_equal(s.ids[i], want[i]);

    lm_batch b;
    assert_int_equal(lm_batch_alloc(&b, 2, 3, 0, &err), 0);
    /* batch 1: rows start at (1*2+0)*3 = 6 and (1*2+1)*3 = 9 mod (10-3-1=6... span = n - T = 7) */
    assert_int_equal(lm_stream_batch_at(&s, 0, &b, &err), 0);
    /* row 0 starts at 0: tokens EOT a b, targets a b EOT; row 1 starts at 3 */
    assert_int_equal(b.tokens[0], EOT);
    assert_int_equal(b.targets[0], 'a');
    assert_int_equal(b.targets[2], EOT);
    assert_int_equal(b.tokens[3], EOT);
    assert_int_equal(b.tokens[4], 'c');
    assert_int_equal(b.targets[5], EOT);
    assert_int_equal(lm_batch_tokens(&b), 6);
    /* random windows are windows of the stream, shifted by one */
    lm_rng rng;
    lm_rng_seed(&rng, 7);
    for (int k = 0; k < 50; k++) {
        assert_int_equal(lm_stream_sample(&s, &rng, &b, &err), 0);
        for (int r = 0; r < 2; r++) {
            const int32_t *tk = b.tokens + r * 3, *tg = b.targets + r * 3;
            int found = 0;
            for (size_t st = 0; st + 4 <= s.n && !found; st++)
                found = !memcmp(tk, s.ids + st, 3 * sizeof *tk) && !memcmp(tg, s.ids + st + 1, 3 * sizeof *tg);
            assert_true(found);
        }
    }
    lm_batch_free(&b);
    /* too short for a window */
    assert_int_equal(lm_batch_alloc(&b, 1, 20, 0, &err), 0);
    assert_int_equal(lm_stream_sample(&s, &rng, &b, &err), -1);
    lm_batch_free(&b);
    lm_stream_free(&s);
    /* a file that cannot be opened or read says why */
    assert_int_equal(lm_stream_load(&s, t, "/nonexistent/llmlab/train.txt", &err), -1);
    assert_non_null(strstr(err.msg, "cannot open /nonexistent/llmlab/train.txt: No such file or directory"));
    lm_sft_set set;
    assert_int_equal(lm_sft_load(&set, t, "/nonexistent/sft.jsonl", 0, &err), -1);
    assert_non_null(strstr(err.msg, "No such file or directory"));
    assert_int_equal(lm_stream_load(&s, t, "/tmp", &err), -1);
    assert_non_null(strstr(err.msg, "Is a directory"));
    lm_eval_set es;
    assert_int_equal(lm_eval_set_load(&es, "/nonexistent/eval.jsonl", &err), -1);
    assert_non_null(strstr(err.msg, "No such file or directory"));
    lm_tok_free(t);
}

/* validation windows are spread over the whole stream, not its first windows */
static void test_val_batches_spread(void **state) {
    (void)state;
    lm_token_stream s = {0};
    s.n = 1000;
    s.ids = malloc(s.n * sizeof *s.ids);
    for (size_t i = 0; i < s.n; i++) s.ids[i] = (int32_t)i;   /* id = position */
    lm_err err = {{0}};
    lm_batch *bs;
    int n;
    /* 5 batches of 2 x 4 = 10 windows; last start 1000-4-1 = 995; w*995/10 */
    assert_int_equal(lm_stream_val_batches(&s, 2, 4, 5, &bs, &n, &err), 0);
    assert_int_equal(n, 5);
    const int want[10] = {0, 99, 199, 298, 398, 497, 597, 696, 796, 895};
    for (int w = 0; w < 10; w++) {
        const lm_batch *b = &bs[w / 2];
        int r = w % 2;
        for (int j = 0; j < 4; j++) {
            assert_int_equal(b->tokens[r * 4 + j], want[w] + j);
            assert_int_equal(b->targets[r * 4 + j], want[w] + j + 1);
        }
    }
    lm_batches_free(bs, n);
    /* deterministic: the same call gives the same windows */
    lm_batch *b2;
    int n2;
    assert_int_equal(lm_stream_val_batches(&s, 2, 4, 5, &b2, &n2, &err), 0);
    assert_int_equal(b2[4].tokens[4], 895);
    lm_batches_free(b2, n2);
    /* a short stream caps the count at its disjoint batches: (20-1)/(2*4) = 2 */
    s.n = 20;
    assert_int_equal(lm_stream_val_batches(&s, 2, 4, 8, &bs, &n, &err), 0);
    assert_int_equal(n, 2);
    /* 4 windows, last start 15: 0, 3, 7, 11 */
    assert_int_equal(bs[0].tokens[0], 0);
    assert_int_equal(bs[0].tokens[4], 3);
    assert_int_equal(bs[1].tokens[0], 7);
    assert_int_equal(bs[1].tokens[4], 11);
    lm_batches_free(bs, n);
    s.n = 4;   /* shorter than one window of 5 */
    assert_int_equal(lm_stream_val_batches(&s, 2, 4, 8, &bs, &n, &err), -1);
    assert_null(bs);
    free(s.ids);
}

/* SFT validation: packed in order when the set fits, else spread over it */
static void test_sft_val_batches_spread(void **state) {
    (void)state;
    lm_sft_set set = {0};
    set.n = set.cap = 40;
    set.ex = calloc(40, sizeof *set.ex);
    for (int k = 0; k < 40; k++) {   /* example k = ids k k k, all trained */
        set.ex[k].n = 3;
        set.ex[k].ids = malloc(3 * sizeof(int32_t));
        set.ex[k].mask = malloc(3);
        for (int j = 0; j < 3; j++) {
            set.ex[k].ids[j] = k;
            set.ex[k].mask[j] = 1;
        }
    }
    lm_err err = {{0}};
    lm_batch *bs;
    int n;
    /* B 1, T 5: a row (6 ids) holds 2 examples; 4 batches hold 8 of 40, so
     * batch i starts at example i*40/4 = 10 i */
    assert_int_equal(lm_sft_val_batches(&set, 1, 1, 5, 4, &bs, &n, &err), 0);
    assert_int_equal(n, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(bs[i].tokens[0], 10 * i);
        assert_int_equal(bs[i].tokens[3], 10 * i + 1);
    }
    lm_batches_free(bs, n);
    /* 6 examples fit in 3 batches: in order, 0 2 4, and no 4th batch */
    set.n = 6;
    assert_int_equal(lm_sft_val_batches(&set, 1, 1, 5, 4, &bs, &n, &err), 0);
    assert_int_equal(n, 3);
    for (int i = 0; i < 3; i++) assert_int_equal(bs[i].tokens[0], 2 * i);
    lm_batches_free(bs, n);
    set.n = 40;
    lm_sft_free(&set);
}

static void test_sft_jsonl(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tok();
    char path[] = "/tmp/test_train_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    lm_err err = {{0}};
    lm_sft_set set;
    /* a good file: two examples and a blank line */
    write_file(path,
               "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Yo\"}]}\n"
               "\n"
               "{\"messages\":[{\"role\":\"user\",\"content\":\"A\"},{\"role\":\"assistant\",\"content\":\"B\"}]}\n");
    assert_int_equal(lm_sft_load(&set, t, path, 0, &err), 0);
    assert_int_equal(set.n, 2);
    assert_int_equal(set.ex[0].n, 9);
    assert_int_equal(set.ex[1].n, 7);

    /* pack both into one row of T = 20: inputs are the 17 ids, then padding */
    lm_batch b;
    assert_int_equal(lm_batch_alloc(&b, 1, 20, 1, &err), 0);
    int order[] = {0, 1};
    assert_int_equal(lm_sft_pack(&set, order, 2, 0, 1, &b, NULL, &err), 0);
    const int32_t ids[] = {EOT, USR, 'H', 'i', END, AST, 'Y', 'o', END, EOT, USR, 'A', END, AST, 'B', END};
    /* the mask on id j is 1 for Y o END (6..8) and B END (14..15) */
    for (int p = 0; p < 20; p++) {
        if (p < 16) assert_int_equal(b.tokens[p], ids[p]);
        if (p < 15) {
            assert_int_equal(b.targets[p], ids[p + 1]);
            int j = p + 1;
            float want = (j >= 6 && j <= 8) || j >= 14 ? 1.0f : 0.0f;
            assert_true(b.mask[p] == want);
        } else {
            assert_int_equal(b.targets[p], -1);
            assert_true(b.mask[p] == 0.0f);
        }
    }
    assert_int_equal(lm_batch_tokens(&b), 5);
    /* --no-mask: every real target counts */
    assert_int_equal(lm_sft_pack(&set, order, 2, 0, 0, &b, NULL, &err), 0);
    assert_int_equal(lm_batch_tokens(&b), 15);
    lm_batch_free(&b);
    lm_sft_free(&set);

    /* malformed lines are reported with their line number */
    write_file(path,
               "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Yo\"}]}\n"
               "{\"messages\": [oops\n");
    assert_int_equal(lm_sft_load(&set, t, path, 0, &err), -1);
    assert_non_null(strstr(err.msg, ":2:"));
    write_file(path, "\n\n{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}\n");
    assert_int_equal(lm_sft_load(&set, t, path, 0, &err), -1);
    assert_non_null(strstr(err.msg, ":3:"));
    assert_non_null(strstr(err.msg, "assistant"));
    write_file(path, "{\"messages\":[{\"role\":\"robot\",\"content\":\"Hi\"}]}\n");
    assert_int_equal(lm_sft_load(&set, t, path, 0, &err), -1);
    assert_non_null(strstr(err.msg, "robot"));
    write_file(path, "{\"msgs\":[]}\n");
    assert_int_equal(lm_sft_load(&set, t, path, 0, &err), -1);
    assert_non_null(strstr(err.msg, ":1:"));
    unlink(path);
    lm_tok_free(t);
}

/* ---- training ---- */

static lm_config tiny_cfg(int T) {
    lm_config c = {.n_layer = 2, .n_head = 2, .d_model = 32, .d_mlp = 64, .n_ctx = T,
                   .vocab_size = V, .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    return c;
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

    /* optimizer state round trip */
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

/* ---- the CLI's step loop: signals, NaN stop, nothing to do ---- */
typedef struct {
    lm_model *m;
    int at;        /* step at which to act */
    int sig;       /* raise this signal there, or 0 */
    int poison;    /* make the forward non-finite there (finite weights) */
} loop_user;

static int loop_batch(void *user, int step, lm_batch *b, lm_err *err) {
    (void)err;
    loop_user *u = user;
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
    lm_batch b;
    assert_int_equal(lm_batch_alloc(&b, 1, 16, 0, &err), 0);
    cli_run_opts ro;
    cli_run_opts_init(&ro);
    ro.steps = steps;
    ro.out = path;
    cli_run_opts_fill(&ro, NULL, steps, 1, 16, 1e-3f);
    cli_trainloop L = {.cmd = "train", .m = &m, .run_meta = "kind=test\n", .next_batch = loop_batch,
                       .user = u, .batch = &b};
    int rc = cli_trainloop_run_opts(&ctx, &L, &ro);
    fclose(fo);
    fclose(fe);
    cli_ctx_free(&ctx);
    lm_batch_free(&b);
    lm_model_free(&m);
    return rc;
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
    char dir[] = "/tmp/test_trainloop_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], opt[300];
    snprintf(path, sizeof path, "%s/run.llm", dir);
    snprintf(opt, sizeof opt, "%s.opt", path);
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
    unlink(path);
    unlink(opt);
    rmdir(dir);
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

/* ---- evaluation rules ---- */

static void test_eval_rules(void **state) {
    (void)state;
    char *ans[] = {"14 March 1879", "1879"};
    assert_int_equal(lm_eval_classify_bare(" He was born in 1879.", ans, 2), LM_BARE_ANSWERS);
    assert_int_equal(lm_eval_classify_bare("\nYour answer: in Ulm", ans, 2), LM_BARE_ANSWERS);
    assert_int_equal(lm_eval_classify_bare(" When was Heisenberg born? This question", ans, 2),
                     LM_BARE_QUESTION);
    assert_int_equal(lm_eval_classify_bare("\n\n2. Who founded the LSE?\n", ans, 2), LM_BARE_QUESTION);
    assert_int_equal(lm_eval_classify_bare("\n- Paris\n- Rome", ans, 2), LM_BARE_LIST);
    assert_int_equal(lm_eval_classify_bare("\n3) the Thames", ans, 2), LM_BARE_LIST);
    assert_int_equal(lm_eval_classify_bare("\n# Science quiz\n", ans, 2), LM_BARE_HEADING);
    assert_int_equal(lm_eval_classify_bare(" This question will come up in the exam.", ans, 2),
                     LM_BARE_PROSE);
    assert_int_equal(lm_eval_classify_bare(" \n \n", ans, 2), LM_BARE_EMPTY);
    assert_true(lm_eval_contains_answer("born on 14 MARCH 1879", ans, 2));
    assert_false(lm_eval_contains_answer("born in 1880", ans, 2));
    assert_true(lm_eval_says_idk("Sorry, I don't know who that is."));
    assert_true(lm_eval_says_idk("I do not know."));
    assert_false(lm_eval_says_idk("Zorblax was born in 1901."));
    assert_int_equal(lm_eval_last_number("s-t-r-a-w: 1, 2, then 3"), 3);
    assert_int_equal(lm_eval_last_number("There are three r's."), 3);
    assert_int_equal(lm_eval_last_number("none here"), 0 == 1 ? 0 : -1);
    assert_int_equal(lm_eval_last_number("Someone said two, then 12."), 12);

    /* eval JSONL parsing and errors */
    lm_eval_set set = {0};
    lm_err err = {{0}};
    const char *l1 = "{\"kind\":\"fact_qa\",\"question\":\"When was X born?\",\"answers\":[\"1900\"]}";
    const char *l2 = "{\"kind\":\"letters\",\"question\":\"How many r in strawberry?\",\"answer\":3}";
    const char *l3 = "{\"kind\":\"unknown\",\"question\":\"Who is Zorblax?\"}";
    assert_int_equal(lm_eval_set_parse_line(&set, l1, strlen(l1), &err), 0);
    assert_int_equal(lm_eval_set_parse_line(&set, l2, strlen(l2), &err), 0);
    assert_int_equal(lm_eval_set_parse_line(&set, l3, strlen(l3), &err), 0);
    assert_string_equal(set.items[1].answers[0], "3");
    assert_int_equal(lm_eval_set_count(&set, LM_EVAL_FACT_QA), 1);
    const char *bad = "{\"kind\":\"trivia\",\"question\":\"?\"}";
    assert_int_equal(lm_eval_set_parse_line(&set, bad, strlen(bad), &err), -1);
    assert_non_null(strstr(err.msg, "trivia"));
    const char *noans = "{\"kind\":\"fact_qa\",\"question\":\"Q?\"}";
    assert_int_equal(lm_eval_set_parse_line(&set, noans, strlen(noans), &err), -1);
    assert_int_equal(set.n, 3);
    lm_eval_set_free(&set);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chat_template),  cmocka_unit_test(test_stream_and_batches),
        cmocka_unit_test(test_val_batches_spread), cmocka_unit_test(test_sft_val_batches_spread),
        cmocka_unit_test(test_sft_jsonl),      cmocka_unit_test(test_loss_decreases),
        cmocka_unit_test(test_sft_mask),       cmocka_unit_test(test_nan_stops),
        cmocka_unit_test(test_trainloop_exits), cmocka_unit_test(test_option_order),
        cmocka_unit_test(test_generate),       cmocka_unit_test(test_eval_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
