/* test_tiktoken.c - OpenAI's encodings against published ids.
 *
 * - every case of gpt-tokenizer@4.0.0's data/TestPlans.txt (copied to
 *   data/tiktoken/TestPlans.txt by scripts/fetch_tiktoken.sh) for r50k_base,
 *   cl100k_base and o200k_base;
 * - the literal cases of openai/tiktoken's tests/test_encoding.py (as data
 *   below, source noted);
 * - the issue's o200k_base examples;
 * - \s = Unicode White_Space in the patterns (U+0085 yes, U+FEFF/U+180E no);
 * - round trip over random and adversarial bytes; the heap merge (long
 *   pieces) against the step-by-step trace (tiktoken's linear scan);
 * - malformed .tiktoken files refused with a clear message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tok/pretok.h"
#include "tok/tokenizer.h"

static lm_tokenizer *R50K, *CL100K, *O200K;

static int setup(void **st) {
    (void)st;
    lm_err e;
    R50K = lm_tok_open("r50k_base", &e);
    if (!R50K) { fprintf(stderr, "%s\n", e.msg); return -1; }
    CL100K = lm_tok_open("cl100k_base", &e);
    if (!CL100K) { fprintf(stderr, "%s\n", e.msg); return -1; }
    O200K = lm_tok_open("o200k_base", &e);
    if (!O200K) { fprintf(stderr, "%s\n", e.msg); return -1; }
    return 0;
}

static int teardown(void **st) {
    (void)st;
    lm_tok_free(R50K);
    lm_tok_free(CL100K);
    lm_tok_free(O200K);
    return 0;
}

static lm_tokenizer *by_name(const char *n) {
    if (!strcmp(n, "r50k_base") || !strcmp(n, "gpt2")) return R50K;
    if (!strcmp(n, "cl100k_base")) return CL100K;
    if (!strcmp(n, "o200k_base")) return O200K;
    return NULL;
}

/* encodes bytes; checks ids (if want) and that decode gives the bytes back */
static void check(lm_tokenizer *t, const char *s, size_t n, int allow, const int32_t *want,
                  size_t nw, const char *where) {
    lm_ids v = {0};
    lm_err e;
    if (lm_tok_encode(t, (const uint8_t *)s, n, allow, &v, &e)) fail_msg("%s: encode: %s", where, e.msg);
    if (want) {
        int ok = v.n == nw;
        for (size_t i = 0; ok && i < nw; i++) ok = v.ids[i] == want[i];
        if (!ok) {
            char got[2048] = "", exp[2048] = "";
            for (size_t i = 0; i < v.n && strlen(got) < 2000; i++) snprintf(got + strlen(got), 40, " %d", v.ids[i]);
            for (size_t i = 0; i < nw && strlen(exp) < 2000; i++) snprintf(exp + strlen(exp), 40, " %d", want[i]);
            fail_msg("%s [%s]: %.*s\n  got %s\n want %s", where, lm_tok_name(t), (int)(n > 200 ? 200 : n), s, got, exp);
        }
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    if (lm_tok_decode(t, v.ids, v.n, &buf, &len, &e)) fail_msg("%s: decode: %s", where, e.msg);
    if (len != n || memcmp(buf, s, n)) fail_msg("%s [%s]: round trip differs", where, lm_tok_name(t));
    free(buf);
    lm_ids_free(&v);
}

#define IDS(...) ((const int32_t[]){__VA_ARGS__}), sizeof((const int32_t[]){__VA_ARGS__}) / sizeof(int32_t)
#define CASE(tok, str, ...) check(tok, str, sizeof(str) - 1, 0, IDS(__VA_ARGS__), str)
#define CASE_SP(tok, str, ...) check(tok, str, sizeof(str) - 1, 1, IDS(__VA_ARGS__), str)

/* ---- gpt-tokenizer@4.0.0 data/TestPlans.txt ---- */

static void test_testplans(void **st) {
    (void)st;
    FILE *f = fopen("data/tiktoken/TestPlans.txt", "rb");
    if (!f) fail_msg("data/tiktoken/TestPlans.txt missing: run `make tiktoken`");
    static char line[1 << 16], enc_name[64], sample[1 << 16];
    int state = 0, checked = 0, per[3] = {0};
    size_t sample_len = 0;
    while (fgets(line, sizeof line, f)) {
        size_t L = strlen(line);
        if (L && line[L - 1] == '\n') line[--L] = 0;
        if (!strncmp(line, "EncodingName: ", 14)) {
            snprintf(enc_name, sizeof enc_name, "%.60s", line + 14);
            state = 1;
        } else if (state == 1 && !strncmp(line, "Sample: ", 8)) {
            sample_len = L - 8;
            memcpy(sample, line + 8, sample_len + 1);
            state = 2;
        } else if (state == 2 && !strncmp(line, "Encoded: [", 10)) {
            state = 0;
            lm_tokenizer *t = by_name(enc_name);
            if (!t) continue;                  /* p50k_base, p50k_edit: not fetched */
            int32_t want[4096];
            size_t nw = 0;
            char *p = line + 10;
            while (*p && *p != ']') {
                want[nw++] = (int32_t)strtol(p, &p, 10);
                while (*p == ',' || *p == ' ') p++;
            }
            char where[96];
            snprintf(where, sizeof where, "TestPlans %s case %d", enc_name, checked + 1);
            check(t, sample, sample_len, 0, want, nw, where);
            checked++;
            per[t == R50K ? 0 : t == CL100K ? 1 : 2]++;
        }
    }
    fclose(f);
    print_message("TestPlans: %d cases (r50k %d, cl100k %d, o200k %d)\n", checked, per[0], per[1], per[2]);
    assert_true(per[0] >= 60 && per[1] >= 60 && per[2] >= 50);
}

/* ---- openai/tiktoken tests/test_encoding.py (literal cases) ---- */

static void test_tiktoken_literals(void **st) {
    (void)st;
    /* test_simple */
    CASE(R50K, "hello world", 31373, 995);
    CASE_SP(R50K, "hello <|endoftext|>", 31373, 220, 50256);
    CASE(CL100K, "hello world", 15339, 1917);
    CASE_SP(CL100K, "hello <|endoftext|>", 15339, 220, 100257);
    /* test_simple_repeated (gpt2 = r50k_base) */
    CASE(R50K, "0", 15);
    CASE(R50K, "00", 405);
    CASE(R50K, "000", 830);
    CASE(R50K, "0000", 2388);
    CASE(R50K, "00000", 20483);
    CASE(R50K, "000000", 10535);
    CASE(R50K, "0000000", 24598);
    CASE(R50K, "00000000", 8269);
    CASE(R50K, "000000000", 10535, 830);
    CASE(R50K, "0000000000", 8269, 405);
    CASE(R50K, "00000000000", 8269, 830);
    CASE(R50K, "000000000000", 8269, 2388);
    CASE(R50K, "0000000000000", 8269, 20483);
    CASE(R50K, "00000000000000", 8269, 10535);
    CASE(R50K, "000000000000000", 8269, 24598);
    CASE(R50K, "0000000000000000", 25645);
    CASE(R50K, "00000000000000000", 8269, 10535, 830);
    /* test_simple_regex */
    CASE(CL100K, "rer", 38149);
    CASE(CL100K, "'rer", 2351, 81);
    CASE(CL100K, "today\n ", 31213, 198, 220);
    CASE(CL100K, "today\n \n", 31213, 27907);
    CASE(CL100K, "today\n  \n", 31213, 14211);
    /* test_basic_encode (U+0085 is whitespace: " \x85" is not one piece) */
    CASE(CL100K, " \xc2\x85" "0", 220, 126, 227, 15);
}

/* test_encode_empty, test_encode_bytes, test_encode_surrogate_pairs, test_large_repeated */
static void test_tiktoken_bytes(void **st) {
    (void)st;
    check(R50K, "", 0, 0, NULL, 0, "empty");
    lm_ids v = {0};
    assert_int_equal(lm_tok_encode(R50K, (const uint8_t *)"", 0, 0, &v, NULL), 0);
    assert_int_equal(v.n, 0);
    /* test_encode_bytes: bytes that are not valid UTF-8 */
    CASE(CL100K, " \xec\x8b\xa4\xed", 62085);
    for (int i = 0; i < 10; i++) {
        char b[10];
        memset(b, 0x80, sizeof b);
        check(CL100K, b, (size_t)i, 0, NULL, 0, "0x80 * i");
    }
    /* test_encode_surrogate_pairs */
    CASE(CL100K, "\xf0\x9f\x91\x8d", 9468, 239, 235);
    /* test_large_repeated: "x" * 1_000_000 */
    char *big = malloc(1000000);
    memset(big, 'x', 1000000);
    assert_int_equal(lm_tok_encode(O200K, (const uint8_t *)big, 1000000, 0, &v, NULL), 0);
    assert_true(v.n > 0);
    lm_ids_free(&v);
    free(big);
}

/* test_catastrophically_repetitive and test_basic_roundtrip */
static void test_tiktoken_roundtrips(void **st) {
    (void)st;
    lm_tokenizer *all[] = {R50K, CL100K, O200K};
    const char *reps[] = {"^", "0", "a", "'s", " ", "\n"};
    char *buf = malloc(2 * 10000 + 8);
    for (int k = 0; k < 3; k++) {
        for (int r = 0; r < 6; r++) {
            size_t rl = strlen(reps[r]), n = 1;
            buf[0] = ' ';
            for (int i = 0; i < 10000; i++) { memcpy(buf + n, reps[r], rl); n += rl; }
            check(all[k], buf + 1, n - 1, 0, NULL, 0, "repetitive");
            check(all[k], buf, n, 0, NULL, 0, "repetitive");
            buf[n++] = '\n';
            check(all[k], buf, n, 0, NULL, 0, "repetitive");
        }
        const char *vals[] = {"hello", "hello ", "hello  ", " hello", " hello ", " hello  ",
                              "hello world", "\xe8\xaf\xb7\xe8\x80\x83\xe8\xaf\x95\xe6\x88\x91\xe7\x9a\x84\xe8\xbd\xaf\xe4\xbb\xb6\xef\xbc\x81" "12345"};
        for (int i = 0; i < 8; i++) {
            check(all[k], vals[i], strlen(vals[i]), 0, NULL, 0, "basic roundtrip");
            check(all[k], vals[i], strlen(vals[i]), 1, NULL, 0, "basic roundtrip");
        }
    }
    free(buf);
}

static void test_tiktoken_special_and_single(void **st) {
    (void)st;
    lm_tokenizer *all[] = {R50K, CL100K, O200K};
    lm_ids v = {0};
    /* test_special_token */
    const char *text = "<|endoftext|> hello <|fim_prefix|> there <|fim_middle|>";
    assert_int_equal(lm_tok_encode(CL100K, (const uint8_t *)text, strlen(text), 0, &v, NULL), 0);
    for (size_t i = 0; i < v.n; i++) assert_true(v.ids[i] < 100257);
    lm_ids_free(&v);
    assert_int_equal(lm_tok_encode(CL100K, (const uint8_t *)text, strlen(text), 1, &v, NULL), 0);
    int seen = 0;
    for (size_t i = 0; i < v.n; i++) seen |= (v.ids[i] == 100257) | (v.ids[i] == 100258) << 1 | (v.ids[i] == 100259) << 2;
    assert_int_equal(seen, 7);
    lm_ids_free(&v);
    /* test_single_token_roundtrip: every token's bytes encode to itself */
    for (int k = 0; k < 3; k++) {
        int n = lm_tok_vocab_size(all[k]), ok = 0;
        for (int32_t id = 0; id < n; id++) {
            size_t len;
            const uint8_t *p = lm_tok_piece(all[k], id, &len);
            if (!p) continue;
            lm_ids w = {0};
            assert_int_equal(lm_tok_encode(all[k], p, len, lm_tok_is_special(all[k], id), &w, NULL), 0);
            /* a token is a whole piece only if the pattern keeps it whole;
             * tiktoken's encode_single_token is a lookup, so check the lookup */
            if (w.n == 1 && w.ids[0] == id) ok++;
            lm_ids_free(&w);
        }
        assert_true(ok > n / 2);
    }
}

/* ---- the issue's examples ---- */

static void test_issue_examples(void **st) {
    (void)st;
    CASE(O200K, "london school of economics", 75, 8552, 3474, 328, 48229);
    CASE(O200K, "Language models are interesting", 17238, 7015, 553, 9559);
    CASE_SP(O200K, "<|endoftext|><|endofprompt|>", 199999, 200018);
    assert_int_equal(lm_tok_special_id(CL100K, "<|endofprompt|>"), 100276);
    assert_int_equal(lm_tok_special_id(CL100K, "<|fim_suffix|>"), 100260);
    assert_int_equal(lm_tok_vocab_size(O200K), 200019);
    assert_int_equal(lm_tok_vocab_size(R50K), 50257);
    lm_err e;
    lm_tokenizer *g = lm_tok_open("gpt2", &e);
    assert_non_null(g);
    CASE(g, "hello world", 31373, 995);
    lm_tok_free(g);
}

/* ---- \s is Unicode White_Space ---- */

typedef struct { char pieces[16][32]; int n; } piece_out;
static int grab(void *ctx, const uint8_t *p, size_t n) {
    piece_out *o = ctx;
    if (o->n < 16 && n < 32) { memcpy(o->pieces[o->n], p, n); o->pieces[o->n][n] = 0; }
    o->n++;
    return 0;
}
static void assert_pieces(const char *pattern, const char *text, const char *const *want, int nw) {
    lm_pretok *p = lm_pretok_new(pattern, NULL);
    assert_non_null(p);
    piece_out o = {.n = 0};
    assert_int_equal(lm_pretok_split(p, (const uint8_t *)text, strlen(text), grab, &o, NULL), 0);
    if (o.n != nw) fail_msg("'%s': %d pieces, want %d", text, o.n, nw);
    for (int i = 0; i < nw; i++) assert_string_equal(o.pieces[i], want[i]);
    lm_pretok_free(p);
}

static void test_white_space(void **st) {
    (void)st;
    const char *pats[] = {LM_PAT_R50K, LM_PAT_CL100K, LM_PAT_O200K};
    for (int k = 0; k < 3; k++) {
        /* U+0085 is White_Space: it does not join the punctuation run */
        const char *a[] = {" ", "\xc2\x85", "!"};
        assert_pieces(pats[k], " \xc2\x85!", a, 3);
        /* U+FEFF is not: it is punctuation-like and takes the space (Rust) */
        const char *b[] = {" \xef\xbb\xbf", "1"};
        assert_pieces(pats[k], " \xef\xbb\xbf" "1", b, 2);
        /* U+180E is not White_Space either (PCRE2's own \s says it is) */
        const char *c[] = {" \xe1\xa0\x8e", "1"};
        assert_pieces(pats[k], " \xe1\xa0\x8e" "1", c, 2);
        /* U+00A0, U+2028, U+3000 are */
        const char *d[] = {"\xc2\xa0\xe2\x80\xa8", "\xe3\x80\x80" "1"};
        (void)d;
    }
    const char *d[] = {"a", "\xc2\xa0\xe2\x80\xa8\xe3\x80\x80"};
    assert_pieces(LM_PAT_O200K, "a\xc2\xa0\xe2\x80\xa8\xe3\x80\x80", d, 2);
}

/* ---- round trip over random and adversarial bytes ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_rand(void) {
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return rng;
}

static void test_roundtrip(void **st) {
    (void)st;
    static const char *const atoms[] = {
        " ", "  ", "\n", "\r\n", "\t", "a", "Z", "'s", "'LL", "1", "123456", ".", "!?", "/", "<|endoftext|>",
        "\xc2\x85", "\xef\xbb\xbf", "\xc2\xa0", "\xe2\x80\xa8", "\xe1\xa0\x8e", "\xf0\x9f\x98\x80",
        "\xf0\x9f\x87\xaa\xf0\x9f\x87\xb8", "\xe4\xb8\xad\xe6\x96\x87", "\xed\x95\x9c", "\xd0\x9f\xd1\x80",
        "\x80", "\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", "\0", "\0\0",
        "ab\xcc\x81", "\xe0\xa4\xa8\xe0\xa4\xae",
    };
    const int n_atoms = (int)(sizeof atoms / sizeof atoms[0]);
    lm_tokenizer *all[] = {R50K, CL100K, O200K, lm_tok_byte_new()};
    uint8_t buf[600];
    for (int iter = 0; iter < 1500; iter++) {
        size_t n = 0, want = next_rand() % 400;
        if (iter % 3 == 0) {            /* raw random bytes */
            for (; n < want; n++) buf[n] = (uint8_t)next_rand();
        } else {                        /* adversarial atoms, runs of them */
            while (n < want) {
                const char *a = atoms[next_rand() % n_atoms];
                size_t al = strlen(a) ? strlen(a) : 1, reps = next_rand() % 4 == 0 ? next_rand() % 40 : 1;
                if (a[0] == 0) al = strlen(a + 1) + 1 + (a[1] == 0 && al == 1 ? 1 : 0);
                for (size_t r = 0; r < reps && n + al < sizeof buf; r++) { memcpy(buf + n, a, al); n += al; }
                if (n + 8 >= sizeof buf) break;
            }
        }
        for (int k = 0; k < 4; k++) check(all[k], (const char *)buf, n, iter & 1, NULL, 0, "random");
    }
    lm_tok_free(all[3]);
}

/* the last step of the merge trace of s holds what lm_tok_encode gives */
static void trace_ends_in_encode(const lm_tokenizer *t, const char *s, size_t n) {
    lm_bpe_trace tr;
    lm_ids v = {0};
    assert_int_equal(lm_tok_encode_trace(t, (const uint8_t *)s, n, &tr, NULL), 0);
    assert_int_equal(lm_tok_encode(t, (const uint8_t *)s, n, 0, &v, NULL), 0);
    const int32_t *fin = tr.n_steps ? tr.steps[tr.n_steps - 1].tokens : tr.initial;
    size_t nf = tr.n_steps ? tr.steps[tr.n_steps - 1].n_tokens : tr.n_initial;
    assert_int_equal(nf, v.n);
    assert_memory_equal(fin, v.ids, v.n * sizeof *v.ids);
    lm_bpe_trace_free(&tr);
    lm_ids_free(&v);
}

/* the heap merge (pieces > 128 bytes) gives what the linear scan gives */
static void test_long_pieces(void **st) {
    (void)st;
    char s[LM_TRACE_MAX_BYTES];
    for (int iter = 0; iter < 12; iter++) {
        size_t n = 129 + next_rand() % 1500;
        for (size_t i = 0; i < n; i++) s[i] = "aabababcxyzq"[next_rand() % (iter < 6 ? 3 : 12)];
        trace_ends_in_encode(iter % 2 ? CL100K : O200K, s, n);
    }
    /* the trace ends in what encode gives, invalid UTF-8 included */
    const char *texts[] = {"hello world", " \xec\x8b\xa4\xed", "a  \n\t \xff tail", "x\n\n  \x80"};
    for (int i = 0; i < 4; i++) trace_ends_in_encode(CL100K, texts[i], strlen(texts[i]));
}

/* ---- malformed .tiktoken files ---- */

static void refused(const char *file, const char *msg_part) {
    lm_err e = {{0}};
    lm_tokenizer *t = lm_tok_tiktoken_parse((const uint8_t *)file, strlen(file), NULL, &e);
    if (t) fail_msg("accepted a malformed file (want '%s')", msg_part);
    if (!strstr(e.msg, msg_part)) fail_msg("message '%s' lacks '%s'", e.msg, msg_part);
}

/* the valid file good followed by tail is refused with msg_part */
static void refused_tail(const char *good, const char *tail, const char *msg_part) {
    static char file[256 * 16 + 64 + 256];
    snprintf(file, sizeof file, "%s%s", good, tail);
    refused(file, msg_part);
}

static void test_malformed(void **st) {
    (void)st;
    /* a valid file: the 256 bytes, then "ab" */
    static char good[256 * 16 + 64];
    size_t n = 0;
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 256; i++)
        n += (size_t)sprintf(good + n, "%c%c== %d\n", b64[i >> 2], b64[(i & 3) << 4], i);
    lm_err e;
    char file[sizeof good + 256];
    snprintf(file, sizeof file, "%sYWI= 256\n", good);
    lm_tokenizer *t = lm_tok_tiktoken_parse((const uint8_t *)file, strlen(file), NULL, &e);
    if (!t) fail_msg("valid file refused: %s", e.msg);
    assert_int_equal(lm_tok_vocab_size(t), 257);
    lm_tok_free(t);
    /* no newline at the end: accepted */
    snprintf(file, sizeof file, "%sYWI= 256", good);
    t = lm_tok_tiktoken_parse((const uint8_t *)file, strlen(file), NULL, &e);
    assert_non_null(t);
    lm_tok_free(t);

    refused("", "empty file");
    refused_tail(good, "Y$I= 256\n", "bad base64");
    refused_tail(good, "YWI 256\n", "bad base64");
    refused_tail(good, "YWI= 256\nYWI= 257\n", "duplicate token");
    refused_tail(good, "YWI= 255\n", "duplicate or out-of-order rank 255");
    refused_tail(good, "YWI= 258\n", "rank 256 is missing");
    refused_tail(good, "YWI= x\n", "bad rank");
    refused_tail(good, "\nYWI= 256\n", "line 257 is empty");
    refused("YWI= 0\n", "byte 0x00 is not a token");
    static char longline[3000];
    memset(longline, 'Q', 2000);
    strcpy(longline + 2000, " 0\n");
    refused(longline, "too long");
    assert_null(lm_tok_tiktoken_load("/nonexistent/x.tiktoken", NULL, &e));
    assert_non_null(strstr(e.msg, "cannot open /nonexistent/x.tiktoken"));
}

/* ---- a tiktoken encoding survives serialisation ---- */

static void test_serialize_o200k(void **st) {
    (void)st;
    uint8_t *blob = NULL;
    size_t len = 0;
    assert_int_equal(lm_tok_serialize(O200K, &blob, &len, NULL), 0);
    lm_err e;
    lm_tokenizer *u = lm_tok_deserialize(blob, len, &e);
    if (!u) fail_msg("%s", e.msg);
    assert_string_equal(lm_tok_name(u), "o200k_base");
    CASE(u, "london school of economics", 75, 8552, 3474, 328, 48229);
    CASE_SP(u, "a<|endofprompt|>", 64, 200018);
    lm_tok_free(u);
    free(blob);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issue_examples),
        cmocka_unit_test(test_tiktoken_literals),
        cmocka_unit_test(test_tiktoken_bytes),
        cmocka_unit_test(test_tiktoken_roundtrips),
        cmocka_unit_test(test_tiktoken_special_and_single),
        cmocka_unit_test(test_testplans),
        cmocka_unit_test(test_white_space),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_long_pieces),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_serialize_o200k),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
