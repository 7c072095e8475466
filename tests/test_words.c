/* test_words.c - lm_split_words (core/words.h): shell-like quoting.
 * Expected words are written by hand from the quoting rules in words.h; the
 * random test quotes random words three ways and checks they come back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/words.h"

#define MAXW 16

/* Splits s (strlen) and checks the words against want (NULL-terminated). */
static void expect_words(const char *s, const char *const *want) {
    char buf[256], *words[MAXW];
    lm_err err = {{0}};
    int n = lm_split_words(s, strlen(s), buf, sizeof buf, words, MAXW, &err);
    if (n < 0) fprintf(stderr, "split %s: %s\n", s, err.msg);
    int nw = 0;
    while (want[nw]) nw++;
    assert_int_equal(n, nw);
    for (int i = 0; i < nw; i++) assert_string_equal(words[i], want[i]);
}

/* Splits s and checks it fails with a message containing msg. */
static void expect_error(const char *s, size_t len, size_t cap, int max_words, const char *msg) {
    char buf[256], *words[MAXW];
    lm_err err = {{0}};
    assert_true(cap <= sizeof buf && max_words <= MAXW);
    assert_int_equal(lm_split_words(s, len, buf, cap, words, max_words, &err), -1);
    if (!strstr(err.msg, msg)) fprintf(stderr, "message '%s' lacks '%s'\n", err.msg, msg);
    assert_non_null(strstr(err.msg, msg));
}

static void test_plain(void **state) {
    (void)state;
    expect_words("a b  c", (const char *[]){"a", "b", "c", NULL});
    expect_words("  \t generate\r\n-n 5 \n", (const char *[]){"generate", "-n", "5", NULL});
    expect_words("one", (const char *[]){"one", NULL});
}

static void test_single_quotes(void **state) {
    (void)state;
    expect_words("say 'hello world'", (const char *[]){"say", "hello world", NULL});
    /* backslash and double quote are literal inside '...' */
    expect_words("'a\\b\"c'", (const char *[]){"a\\b\"c", NULL});
    expect_words("'\"'", (const char *[]){"\"", NULL});
    expect_words("a'b c'd", (const char *[]){"ab cd", NULL});
    expect_words("'' x", (const char *[]){"", "x", NULL});
    expect_words("'  '", (const char *[]){"  ", NULL});
}

static void test_double_quotes(void **state) {
    (void)state;
    expect_words("\"two words\"", (const char *[]){"two words", NULL});
    /* \" and \\ are escapes; \n and \x stay backslash + letter */
    expect_words("\"say \\\"hi\\\" \\\\ \\n\\x\"", (const char *[]){"say \"hi\" \\ \\n\\x", NULL});
    expect_words("\"'\"", (const char *[]){"'", NULL});
    expect_words("\"\"", (const char *[]){"", NULL});
    expect_words("x\"\"y \"\"", (const char *[]){"xy", "", NULL});
    expect_words("\"a\"'b'c", (const char *[]){"abc", NULL});
}

static void test_backslash_outside(void **state) {
    (void)state;
    expect_words("a\\ b c", (const char *[]){"a b", "c", NULL});
    expect_words("\\'x\\\"", (const char *[]){"'x\"", NULL});
    expect_words("\\\\", (const char *[]){"\\", NULL});
    expect_words("end\\", (const char *[]){"end\\", NULL});   /* trailing backslash kept */
    expect_words("a\\\tb", (const char *[]){"a\tb", NULL});
}

static void test_unclosed(void **state) {
    (void)state;
    expect_error("say \"hi", 7, 64, MAXW, "unclosed double quote");
    expect_error("it's", 4, 64, MAXW, "unclosed single quote");
    /* no escapes inside '...': 'it\'s' closes after the backslash, then s' opens again */
    expect_error("'it\\'s'", 7, 64, MAXW, "unclosed single quote");
    expect_error("\"a\\\"", 4, 64, MAXW, "unclosed double quote");
    expect_error("ok 'x\" y", 8, 64, MAXW, "unclosed single quote");
}

static void test_limits(void **state) {
    (void)state;
    char buf[64], *words[MAXW];
    lm_err err;
    assert_int_equal(lm_split_words("a b c", 5, buf, sizeof buf, words, 3, &err), 3);
    assert_string_equal(words[2], "c");
    expect_error("a b c d", 7, 64, 3, "too many words");
    expect_error("a", 1, 64, 0, "too many words");
    /* a NUL byte inside the length is refused */
    expect_error("ab\0cd", 5, 64, MAXW, "NUL byte");
    /* the buffer must hold the words and their NULs: "abc" needs 4 */
    expect_error("abc", 3, 3, MAXW, "buffer too small");
    assert_int_equal(lm_split_words("abc", 3, buf, 4, words, MAXW, &err), 1);
    expect_error("''", 2, 0, MAXW, "buffer too small");
    /* only len bytes are read */
    assert_int_equal(lm_split_words("ab cd", 2, buf, sizeof buf, words, MAXW, &err), 1);
    assert_string_equal(words[0], "ab");
}

static void test_empty(void **state) {
    (void)state;
    char buf[8], *words[MAXW];
    lm_err err;
    assert_int_equal(lm_split_words("", 0, buf, sizeof buf, words, MAXW, &err), 0);
    assert_int_equal(lm_split_words(NULL, 0, buf, sizeof buf, words, MAXW, &err), 0);
    assert_int_equal(lm_split_words(" \t\r\n ", 5, buf, sizeof buf, words, MAXW, &err), 0);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* Appends word w (any bytes but NUL) to out, quoted in one of three ways. */
static size_t quote_word(char *out, size_t o, const char *w, size_t n, int style) {
    if (style == 0) {            /* '...' with ' written as '\'' */
        out[o++] = '\'';
        for (size_t i = 0; i < n; i++) {
            if (w[i] == '\'') { memcpy(out + o, "'\\''", 4); o += 4; }
            else out[o++] = w[i];
        }
        out[o++] = '\'';
    } else if (style == 1) {     /* "..." with \" and \\ */
        out[o++] = '"';
        for (size_t i = 0; i < n; i++) {
            if (w[i] == '"' || w[i] == '\\') out[o++] = '\\';
            out[o++] = w[i];
        }
        out[o++] = '"';
    } else {                     /* every byte backslash-escaped; "" for an empty word */
        if (!n) { out[o++] = '"'; out[o++] = '"'; }
        for (size_t i = 0; i < n; i++) { out[o++] = '\\'; out[o++] = w[i]; }
    }
    return o;
}

static void test_random_round_trip(void **state) {
    (void)state;
    /* bytes the random words favour: quotes, backslashes and blanks */
    const char tricky[] = "'\"\\ \t\r\n#$ab";
    for (int iter = 0; iter < 3000; iter++) {
        char wbuf[MAXW][12];
        size_t wlen[MAXW];
        int nw = (int)rnd(MAXW + 1);
        char line[MAXW * 60 + 8];
        size_t o = 0;
        for (int k = 0; k < (int)rnd(3); k++) line[o++] = " \t\n"[rnd(3)];
        for (int k = 0; k < nw; k++) {
            wlen[k] = rnd(sizeof wbuf[k]);
            for (size_t i = 0; i < wlen[k]; i++)
                wbuf[k][i] = rnd(2) ? tricky[rnd(sizeof tricky - 1)] : (char)(1 + rnd(255));
            o = quote_word(line, o, wbuf[k], wlen[k], (int)rnd(3));
            int blanks = 1 + (int)rnd(3);
            for (int b = 0; b < blanks && (k + 1 < nw || rnd(2)); b++) line[o++] = " \t\r\n"[rnd(4)];
        }
        assert_true(o < sizeof line);
        char out[sizeof line + 1], *words[MAXW];
        lm_err err = {{0}};
        int n = lm_split_words(line, o, out, o + 1, words, MAXW, &err);
        if (n != nw) fprintf(stderr, "iter %d: %d words, want %d (%s)\n", iter, n, nw, err.msg);
        assert_int_equal(n, nw);
        for (int k = 0; k < nw; k++) {
            assert_int_equal(strlen(words[k]), wlen[k]);
            assert_memory_equal(words[k], wbuf[k], wlen[k]);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_single_quotes),
        cmocka_unit_test(test_double_quotes),
        cmocka_unit_test(test_backslash_outside),
        cmocka_unit_test(test_unclosed),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_random_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
