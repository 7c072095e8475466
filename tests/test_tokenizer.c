/* test_tokenizer.c - byte, word and hand-made BPE tokenizers: the lecture's
 * word example, BPE merges and the encoding trace worked out by hand,
 * special tokens, serialisation. (OpenAI's encodings: test_tiktoken.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tok/tokenizer.h"

static lm_ids enc(const lm_tokenizer *t, const char *s, int allow) {
    lm_ids v = {0};
    lm_err e = {{0}};
    int rc = lm_tok_encode(t, (const uint8_t *)s, strlen(s), allow, &v, &e);
    if (rc) fail_msg("encode failed: %s", e.msg);
    return v;
}

static void assert_ids(lm_ids v, const int32_t *want, size_t n) {
    if (v.n != n) fail_msg("got %zu ids, want %zu", v.n, n);
    for (size_t i = 0; i < n; i++)
        if (v.ids[i] != want[i]) fail_msg("id %zu: got %d want %d", i, v.ids[i], want[i]);
}

static void test_byte(void **st) {
    (void)st;
    lm_tokenizer *t = lm_tok_open("char", NULL);
    assert_non_null(t);
    assert_int_equal(lm_tok_kind_of(t), LM_TOK_BYTE);
    assert_int_equal(lm_tok_vocab_size(t), 256);
    const uint8_t text[] = {'h', 0, 0xff, 0x80, 'i'};
    lm_ids v = {0};
    assert_int_equal(lm_tok_encode(t, text, sizeof text, 0, &v, NULL), 0);
    int32_t want[] = {'h', 0, 255, 128, 'i'};
    assert_ids(v, want, 5);
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(lm_tok_decode(t, v.ids, v.n, &buf, &len, NULL), 0);
    assert_int_equal(len, sizeof text);
    assert_memory_equal(buf, text, len);
    int32_t bad = 256;
    lm_err e;
    assert_int_equal(lm_tok_decode(t, &bad, 1, &buf, &len, &e), -1);
    assert_non_null(strstr(e.msg, "invalid token id 256"));
    free(buf);
    lm_ids_free(&v);
    lm_tok_free(t);
}

/* the lecture: four patents, five distinct words */
static void test_word_lecture(void **st) {
    (void)st;
    const char *patents = "invention\na good invention\na better invention\na less good invention\n";
    lm_tokenizer *t = lm_tok_word_from_text((const uint8_t *)patents, strlen(patents), NULL);
    assert_non_null(t);
    assert_int_equal(lm_tok_n_pieces(t), 5);
    assert_int_equal(lm_tok_vocab_size(t), 6);     /* + <unk> */
    size_t n;
    const uint8_t *p = lm_tok_piece(t, 0, &n);     /* order of first appearance */
    assert_int_equal(n, 9);
    assert_memory_equal(p, "invention", 9);
    p = lm_tok_piece(t, 4, &n);
    assert_memory_equal(p, "less", 4);
    lm_tok_free(t);

    const char *dict[] = {"a", "invention", "better", "good", "less"};
    t = lm_tok_word_new(dict, 5, NULL);
    assert_non_null(t);
    lm_ids v = enc(t, "a good invention", 0);
    int32_t want[] = {0, 3, 1};
    assert_ids(v, want, 3);
    lm_ids_free(&v);
    /* unknown words: <unk> = id 5, shown as such */
    assert_int_equal(lm_tok_unk_id(t), 5);
    v = enc(t, "  a   brilliant\tinvention ", 0);
    int32_t want2[] = {0, 5, 1};
    assert_ids(v, want2, 3);
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(lm_tok_decode(t, v.ids, v.n, &buf, &len, NULL), 0);
    assert_int_equal(len, strlen("a <unk> invention"));
    assert_memory_equal(buf, "a <unk> invention", len);
    free(buf);
    lm_ids_free(&v);
    const char *bad[] = {"a", "a"};
    lm_err e;
    assert_null(lm_tok_word_new(bad, 2, &e));
    assert_non_null(strstr(e.msg, "duplicate"));
    const char *ws[] = {"a b"};
    assert_null(lm_tok_word_new(ws, 1, &e));
    lm_tok_free(t);
}

/* a small vocabulary: the 256 bytes (id = byte), then merges by hand:
 * 256 "ab", 257 "cd", 258 "abcd", 259 "aa" and a special "<|x|>" = 300 */
static lm_tokenizer *small_bpe(const char *pattern) {
    static uint8_t bytes[256];
    const uint8_t *pieces[260];
    size_t lens[260];
    for (int i = 0; i < 256; i++) { bytes[i] = (uint8_t)i; pieces[i] = &bytes[i]; lens[i] = 1; }
    const char *m[] = {"ab", "cd", "abcd", "aa"};
    for (int i = 0; i < 4; i++) { pieces[256 + i] = (const uint8_t *)m[i]; lens[256 + i] = strlen(m[i]); }
    const char *sp[] = {"<|x|>"};
    int32_t sid[] = {300};
    lm_err e;
    lm_tokenizer *t = lm_tok_bpe_new("small", pieces, lens, 260, pattern, sp, sid, 1, &e);
    if (!t) fail_msg("bpe_new: %s", e.msg);
    return t;
}

static void test_bpe_by_hand(void **st) {
    (void)st;
    lm_tokenizer *t = small_bpe(NULL);
    assert_int_equal(lm_tok_vocab_size(t), 301);
    /* "abcdx": ab (256) first, then cd (257), then abcd (258) */
    lm_ids v = enc(t, "abcdx", 0);
    int32_t w1[] = {258, 'x'};
    assert_ids(v, w1, 2);
    lm_ids_free(&v);
    /* "aaa": the leftmost of equal ranks merges: aa a */
    v = enc(t, "aaab", 0);
    int32_t w2[] = {259, 256};   /* aa (259) vs ab (256): ab has the lower rank: a a ab -> aa ab */
    assert_ids(v, w2, 2);
    lm_ids_free(&v);
    /* special markers: text unless allowed */
    v = enc(t, "ab<|x|>cd", 1);
    int32_t w3[] = {256, 300, 257};
    assert_ids(v, w3, 3);
    lm_ids_free(&v);
    v = enc(t, "ab<|x|>cd", 0);
    assert_int_equal(v.n, 7);
    assert_int_equal(v.ids[1], '<');
    lm_ids_free(&v);
    assert_int_equal(lm_tok_special_id(t, "<|x|>"), 300);
    assert_true(lm_tok_is_special(t, 300));
    assert_false(lm_tok_is_special(t, 256));
    assert_null(lm_tok_piece(t, 299, NULL));   /* a gap */
    lm_tok_free(t);
}

static void test_bpe_trace(void **st) {
    (void)st;
    lm_tokenizer *t = small_bpe(NULL);
    lm_bpe_trace tr;
    const char *s = "xabcd";
    assert_int_equal(lm_tok_encode_trace(t, (const uint8_t *)s, 5, &tr, NULL), 0);
    assert_int_equal(tr.n_pieces, 1);
    assert_int_equal(tr.n_initial, 5);
    assert_int_equal(tr.initial[1], 'a');
    assert_int_equal(tr.n_steps, 3);
    /* step 1: a+b -> 256, tokens x ab c d */
    assert_int_equal(tr.steps[0].left, 'a');
    assert_int_equal(tr.steps[0].right, 'b');
    assert_int_equal(tr.steps[0].merged, 256);
    int32_t s1[] = {'x', 256, 'c', 'd'};
    assert_int_equal(tr.steps[0].n_tokens, 4);
    assert_memory_equal(tr.steps[0].tokens, s1, sizeof s1);
    /* step 2: c+d -> 257; step 3: ab+cd -> 258 */
    assert_int_equal(tr.steps[1].merged, 257);
    assert_int_equal(tr.steps[2].left, 256);
    assert_int_equal(tr.steps[2].right, 257);
    int32_t s3[] = {'x', 258};
    assert_int_equal(tr.steps[2].n_tokens, 2);
    assert_memory_equal(tr.steps[2].tokens, s3, sizeof s3);
    lm_bpe_trace_free(&tr);

    /* with a pattern: pieces are merged one after the other, and the token
     * list of the whole text shows the later pieces still as bytes */
    lm_tokenizer *tp = small_bpe("[a-z]+| ");
    s = "ab cd";
    assert_int_equal(lm_tok_encode_trace(tp, (const uint8_t *)s, 5, &tr, NULL), 0);
    assert_int_equal(tr.n_pieces, 3);
    assert_int_equal(tr.piece_off[2], 3);
    assert_int_equal(tr.n_steps, 2);
    assert_int_equal(tr.steps[0].piece, 0);
    int32_t a1[] = {256, ' ', 'c', 'd'};
    assert_memory_equal(tr.steps[0].tokens, a1, sizeof a1);
    assert_int_equal(tr.steps[1].piece, 2);
    int32_t a2[] = {256, ' ', 257};
    assert_memory_equal(tr.steps[1].tokens, a2, sizeof a2);
    lm_bpe_trace_free(&tr);
    lm_err e;
    char big[LM_TRACE_MAX_BYTES + 1];
    memset(big, 'a', sizeof big);
    assert_int_equal(lm_tok_encode_trace(tp, (const uint8_t *)big, sizeof big, &tr, &e), -1);
    assert_non_null(strstr(e.msg, "too long"));
    lm_tok_free(tp);
    lm_tok_free(t);
}

static void test_bpe_refuses(void **st) {
    (void)st;
    const uint8_t *pieces[2] = {(const uint8_t *)"a", (const uint8_t *)"b"};
    size_t lens[2] = {1, 1};
    lm_err e;
    assert_null(lm_tok_bpe_new("x", pieces, lens, 2, NULL, NULL, NULL, 0, &e));
    assert_non_null(strstr(e.msg, "byte 0x00 is not a token"));
    lm_tokenizer *t = small_bpe(NULL);
    lm_tok_free(t);
    assert_null(lm_tok_open("nonsense", &e));
    assert_non_null(strstr(e.msg, "unknown tokenizer"));
}

static void roundtrip_blob(lm_tokenizer *t, const char *probe) {
    uint8_t *blob = NULL;
    size_t len = 0;
    lm_err e;
    assert_int_equal(lm_tok_serialize(t, &blob, &len, &e), 0);
    lm_tokenizer *u = lm_tok_deserialize(blob, len, &e);
    if (!u) fail_msg("deserialize: %s", e.msg);
    assert_int_equal(lm_tok_kind_of(u), lm_tok_kind_of(t));
    assert_int_equal(lm_tok_vocab_size(u), lm_tok_vocab_size(t));
    assert_string_equal(lm_tok_name(u), lm_tok_name(t));
    lm_ids a = enc(t, probe, 1), b = enc(u, probe, 1);
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.ids, b.ids, a.n * sizeof *a.ids);
    lm_ids_free(&a);
    lm_ids_free(&b);
    lm_tok_free(u);
    /* every corruption of a byte, and every truncation, is refused */
    for (size_t i = 0; i < len; i += 1 + len / 300) {
        blob[i] ^= 0x5a;
        assert_null(lm_tok_deserialize(blob, len, &e));
        blob[i] ^= 0x5a;
        assert_null(lm_tok_deserialize(blob, i, &e));
    }
    free(blob);
}

static void test_serialize(void **st) {
    (void)st;
    lm_tokenizer *t = lm_tok_byte_new();
    roundtrip_blob(t, "bytes \x01\xff");
    lm_tok_free(t);
    const char *dict[] = {"a", "invention", "better", "good", "less"};
    t = lm_tok_word_new(dict, 5, NULL);
    roundtrip_blob(t, "a good invention and more");
    lm_tok_free(t);
    t = small_bpe("[a-z]+| |<");
    roundtrip_blob(t, "abcd aa<|x|>cd <");
    assert_string_equal(lm_tok_pattern(t), "[a-z]+| |<");
    lm_tok_free(t);
    lm_err e;
    assert_null(lm_tok_deserialize((const uint8_t *)"hello", 5, &e));
    assert_non_null(strstr(e.msg, "bad magic"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_byte),
        cmocka_unit_test(test_word_lecture),
        cmocka_unit_test(test_bpe_by_hand),
        cmocka_unit_test(test_bpe_trace),
        cmocka_unit_test(test_bpe_refuses),
        cmocka_unit_test(test_serialize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
