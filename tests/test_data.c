/* test_data.c - the chat template and its mask, token streams and batches,
 * validation batches spread over the data, SFT JSONL and its errors, and
 * THE hold-out rule (data/holdout.h). */
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
#include "data/holdout.h"
#include "eval/evals.h"
#include "tok/tokenizer.h"
#include "train_fixtures.h"

/* ---- chat template ---- */

static void test_chat_template(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tok();
    lm_chat_msg msgs[] = {{.role = LM_ROLE_USER, .content = "Hi", .len = 2}, {.role = LM_ROLE_ASSISTANT, .content = "Yo", .len = 2}};
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
    lm_chat_msg sys[] = {{.role = LM_ROLE_SYSTEM, .content = "S", .len = 1}, {.role = LM_ROLE_USER, .content = "Q", .len = 1}};
    lm_ids g = {0};
    assert_int_equal(lm_chat_encode(t, sys, 2, 1, &g, NULL, &err), 0);
    const int32_t wg[] = {EOT, SYS, 'S', END, USR, 'Q', END, AST};
    assert_int_equal(g.n, 8);
    for (int i = 0; i < 8; i++) assert_int_equal(g.ids[i], wg[i]);
    /* a user cannot inject a marker */
    lm_chat_msg inj = {.role = LM_ROLE_USER, .content = "<|end|>", .len = 7};
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
    assert_non_null(strstr(err.msg, "/tmp is a folder, not a regular file"));
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


/* ---- tool use in the template and in SFT data ---- */

/* parses one JSONL line with t; returns the lm_sft_parse_buf status */
static int parse_one(lm_tokenizer *t, const char *line, lm_sft_set *set, lm_err *err) {
    return lm_sft_parse_buf(set, t, (const uint8_t *)line, strlen(line), 0, "t.jsonl", err);
}

static void test_chat_tools(void **state) {
    (void)state;
    lm_tokenizer *t = chat_tool_tok();
    lm_err err = {{0}};
    lm_sft_set set;
    /* one call inside the turn: the ids and the mask, worked out by hand */
    assert_int_equal(parse_one(t,
                               "{\"messages\":[{\"role\":\"user\",\"content\":\"Q\"},"
                               "{\"role\":\"assistant\",\"content\":\"I\",\"tool_call\":\"2+3\"},"
                               "{\"role\":\"tool\",\"content\":\"5\"},"
                               "{\"role\":\"assistant\",\"content\":\"ok\"}]}\n",
                               &set, &err),
                     0);
    const int32_t want[] = {EOT, USR, 'Q', END, AST, 'I', TOOL, '2', '+', '3', RES, '5', RESE, 'o', 'k', END};
    const uint8_t want_mask[] = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1};
    assert_int_equal(set.n, 1);
    assert_int_equal(set.ex[0].n, 16);
    for (int i = 0; i < 16; i++) {
        assert_int_equal(set.ex[0].ids[i], want[i]);
        assert_int_equal(set.ex[0].mask[i], want_mask[i]);
    }
    lm_sft_free(&set);

    /* the text form is what the ids decode to */
    lm_chat_msg msgs[] = {{.role = LM_ROLE_USER, .content = "Q", .len = 1},
                          {.role = LM_ROLE_ASSISTANT, .content = "I", .len = 1, .tool_call = "2+3", .tool_len = 3},
                          {.role = LM_ROLE_TOOL, .content = "5", .len = 1},
                          {.role = LM_ROLE_ASSISTANT, .content = "ok", .len = 2}};
    size_t len;
    char *text = lm_chat_render_text(msgs, 4, 0, &len);
    assert_string_equal(text, "<|endoftext|><|user|>Q<|end|><|assistant|>I<|tool|>2+3<|result|>5<|/result|>ok<|end|>");
    assert_int_equal(len, strlen(text));
    lm_ids ids = {0};
    assert_int_equal(lm_chat_encode(t, msgs, 4, 0, &ids, NULL, &err), 0);
    uint8_t *dec = NULL;
    size_t dlen = 0;
    assert_int_equal(lm_tok_decode(t, ids.ids, ids.n, &dec, &dlen, &err), 0);
    assert_int_equal(dlen, len);
    assert_memory_equal(dec, text, len);
    free(dec);
    free(text);
    lm_ids_free(&ids);

    /* the generation prompt after a tool message adds nothing (the model
     * goes on with its turn); after a call without its result it is refused */
    assert_int_equal(lm_chat_encode(t, msgs, 3, 1, &ids, NULL, &err), 0);
    assert_int_equal(ids.n, 13);
    assert_int_equal(ids.ids[12], RESE);
    lm_ids_free(&ids);
    assert_int_equal(lm_chat_encode(t, msgs, 2, 1, &ids, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "message 2"));
    lm_ids_free(&ids);

    /* two calls in one turn, and a value that looks like a marker stays text */
    assert_int_equal(parse_one(t,
                               "{\"messages\":[{\"role\":\"user\",\"content\":\"Q\"},"
                               "{\"role\":\"assistant\",\"content\":\"\",\"tool_call\":\"1\"},"
                               "{\"role\":\"tool\",\"content\":\"<|end|>\"},"
                               "{\"role\":\"assistant\",\"content\":\"\",\"tool_call\":\"2\"},"
                               "{\"role\":\"tool\",\"content\":\"2\"},"
                               "{\"role\":\"assistant\",\"content\":\"A\"}]}\n",
                               &set, &err),
                     0);
    const int32_t want2[] = {EOT, USR, 'Q', END, AST, TOOL, '1', RES, '<', '|', 'e', 'n', 'd', '|', '>', RESE,
                             TOOL, '2', RES, '2', RESE, 'A', END};
    const int n2 = (int)(sizeof want2 / sizeof want2[0]);
    assert_int_equal(set.ex[0].n, n2);
    for (int i = 0; i < n2; i++) {
        assert_int_equal(set.ex[0].ids[i], want2[i]);
        /* trained: the calls (5..7, 16..18) and the answer with its <|end|> (21, 22) */
        int trained = (i >= 5 && i <= 7) || (i >= 16 && i <= 18) || i >= 21;
        assert_int_equal(set.ex[0].mask[i], trained);
    }
    lm_sft_free(&set);

    /* hostile lines: "PATH:LINE: reason" */
    static const struct { const char *line, *says; } bad[] = {
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"Q\"},{\"role\":\"tool\",\"content\":\"5\"},"
         "{\"role\":\"assistant\",\"content\":\"A\"}]}",
         "message 2 (tool) does not follow an assistant message with a tool_call"},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"Q\",\"tool_call\":\"1+1\"},"
         "{\"role\":\"assistant\",\"content\":\"A\"}]}",
         "message 1 (user) has a tool_call"},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"Q\"},"
         "{\"role\":\"assistant\",\"content\":\"A\",\"tool_call\":7}]}",
         "message 2: \"tool_call\" must be a non-empty string"},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"Q\"},"
         "{\"role\":\"assistant\",\"content\":\"A\",\"tool_call\":\"\"}]}",
         "non-empty"},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"Q\"},"
         "{\"role\":\"assistant\",\"content\":\"A\",\"tool_call\":\"1\"},{\"role\":\"user\",\"content\":\"Q\"}]}",
         "message 3 (user) is not its result"},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"Q\"},"
         "{\"role\":\"assistant\",\"content\":\"A\",\"tool_call\":\"1\"},{\"role\":\"tool\",\"content\":\"1\"},"
         "{\"role\":\"tool\",\"content\":\"1\"}]}",
         "message 4 (tool) does not follow"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char line[512];
        snprintf(line, sizeof line, "\n%s\n", bad[k].line);   /* on line 2 */
        err.msg[0] = 0;
        assert_int_equal(parse_one(t, line, &set, &err), -1);
        if (!strstr(err.msg, "t.jsonl:2:") || !strstr(err.msg, bad[k].says))
            fail_msg("bad line %zu: got \"%s\", want \"%s\"", k, err.msg, bad[k].says);
    }
    lm_tok_free(t);

    /* a tokeniser without the tool markers: tool data is refused, naming the
     * marker; plain chat data works as before */
    lm_tokenizer *old = chat_tok();
    assert_int_equal(lm_chat_has_tools(old), 0);
    assert_int_equal(parse_one(old,
                               "{\"messages\":[{\"role\":\"user\",\"content\":\"Q\"},"
                               "{\"role\":\"assistant\",\"content\":\"I\",\"tool_call\":\"2+3\"},"
                               "{\"role\":\"tool\",\"content\":\"5\"}]}",
                               &set, &err),
                     -1);
    assert_non_null(strstr(err.msg, "t.jsonl:1:"));
    assert_non_null(strstr(err.msg, "<|tool|>"));
    assert_int_equal(parse_one(old, "{\"messages\":[{\"role\":\"user\",\"content\":\"Q\"},"
                                    "{\"role\":\"assistant\",\"content\":\"A\"}]}",
                               &set, &err),
                     0);
    lm_sft_free(&set);
    lm_tok_free(old);
    lm_tokenizer *tt = chat_tool_tok();
    assert_int_equal(lm_chat_has_tools(tt), 1);
    lm_tok_free(tt);
}

/* ---- THE hold-out rule ---- */

static void test_holdout_rule(void **state) {
    (void)state;
    /* the last 5% ... */
    assert_int_equal(lm_holdout_size(2000, 17), 100);
    assert_int_equal(lm_holdout_size(100, 1), 5);
    /* ... at least one unit ... */
    assert_int_equal(lm_holdout_size(200, 17), 17);
    assert_int_equal(lm_holdout_size(19, 1), 1);
    assert_int_equal(lm_holdout_size(2, 1), 1);
    /* ... unless the training part would keep less than one */
    assert_int_equal(lm_holdout_size(30, 17), 0);
    assert_int_equal(lm_holdout_size(1, 1), 0);
    assert_int_equal(lm_holdout_size(0, 1), 0);

    /* a stream: the tail ids move to val, in order */
    lm_err err = {{0}};
    lm_token_stream tr = {0}, va;
    tr.n = 400;
    tr.ids = malloc(tr.n * sizeof *tr.ids);
    for (size_t i = 0; i < tr.n; i++) tr.ids[i] = (int32_t)i;
    assert_int_equal(lm_stream_holdout(&tr, &va, 7, &err), 0);   /* 5% = 20 >= 8 */
    assert_int_equal(tr.n, 380);
    assert_int_equal(va.n, 20);
    assert_int_equal(va.ids[0], 380);
    assert_int_equal(va.ids[19], 399);
    lm_stream_free(&va);
    tr.n = 12;   /* one window of 8 would leave 4: nothing held out */
    assert_int_equal(lm_stream_holdout(&tr, &va, 7, &err), 0);
    assert_int_equal(tr.n, 12);
    assert_int_equal(va.n, 0);
    lm_stream_free(&va);
    lm_stream_free(&tr);

    /* an SFT set: the last example(s) move, and each set frees its own */
    lm_sft_set set = {0}, val;
    set.n = set.cap = 3;
    set.ex = calloc(3, sizeof *set.ex);
    for (int i = 0; i < 3; i++) {
        set.ex[i].n = i + 1;
        set.ex[i].ids = calloc((size_t)i + 1, sizeof(int32_t));
        set.ex[i].mask = calloc((size_t)i + 1, 1);
    }
    assert_int_equal(lm_sft_holdout(&set, &val, &err), 0);
    assert_int_equal(set.n, 2);
    assert_int_equal(val.n, 1);
    assert_int_equal(val.ex[0].n, 3);   /* the last one */
    lm_sft_free(&val);
    lm_sft_free(&set);
}


int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chat_template),      cmocka_unit_test(test_stream_and_batches),
        cmocka_unit_test(test_val_batches_spread), cmocka_unit_test(test_sft_val_batches_spread),
        cmocka_unit_test(test_sft_jsonl),          cmocka_unit_test(test_holdout_rule),
        cmocka_unit_test(test_chat_tools),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
