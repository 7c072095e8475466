/* test_letters.c - counting a letter across token boundaries ("strawberry").
 * Expected spans and counts are worked out by hand from the token pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tok/letters.h"
#include "tok/tokenizer.h"

#define S(x) (const uint8_t *)(x), strlen(x)

/* A hand-made BPE: the 256 bytes, then extra pieces with rank == id. */
static lm_tokenizer *hand_bpe(const char *const *extra, int n_extra) {
    const uint8_t *pieces[300];
    size_t lens[300];
    static uint8_t bytes[256];
    for (int i = 0; i < 256; i++) { bytes[i] = (uint8_t)i; pieces[i] = &bytes[i]; lens[i] = 1; }
    for (int k = 0; k < n_extra; k++) {
        pieces[256 + k] = (const uint8_t *)extra[k];
        lens[256 + k] = strlen(extra[k]);
    }
    const char *const sp[] = {"<|user|>"};
    const int32_t sid[] = {256 + n_extra};
    lm_err err;
    lm_tokenizer *t = lm_tok_bpe_new("hand", pieces, lens, 256 + n_extra, NULL, sp, sid, 1, &err);
    if (!t) fprintf(stderr, "%s\n", err.msg);
    assert_non_null(t);
    return t;
}

static void test_strawberry_bytes(void **state) {
    (void)state;
    lm_tokenizer *t = lm_tok_byte_new();
    lm_letters l;
    lm_err err;
    assert_int_equal(lm_letters_of_text(t, S("strawberry"), S("r"), 0, &l, &err), 0);
    assert_int_equal(l.n_tokens, 10);
    assert_int_equal(l.text_len, 10);
    assert_memory_equal(l.text, "strawberry", 10);
    assert_int_equal(l.total, 3);
    assert_int_equal(l.n_tokens_with, 3);
    assert_int_equal(l.n_split, 0);
    assert_int_equal(l.letter, 'r');
    /* s t r a w b e r r y: r at 2, 7, 8 */
    for (size_t k = 0; k < 10; k++) {
        assert_int_equal(l.tokens[k].off, k);
        assert_int_equal(l.tokens[k].len, 1);
        assert_int_equal(l.tokens[k].id, "strawberry"[k]);
        assert_int_equal(l.tokens[k].count, k == 2 || k == 7 || k == 8);
    }
    assert_int_equal(l.matches[0].off, 2);
    assert_int_equal(l.matches[1].off, 7);
    assert_int_equal(l.matches[2].off, 8);
    assert_int_equal(l.matches[2].tok_first, 8);
    assert_int_equal(l.matches[2].tok_last, 8);
    lm_letters_free(&l);
    lm_tok_free(t);
}

/* tiktoken algorithm on "strawberry" with these ranks:
 *   s t r a w b e r r y -> st(256) r a w b e r r y -> st r aw(257) b e r r y
 *   -> str(258) aw b e r r y -> str aw be(259) r r y -> str aw be rr(260) y
 *   -> str aw be rry(261) -> str aw berry(262)                                */
static const char *const STRAW[] = {"st", "aw", "str", "be", "rr", "rry", "berry"};

static void test_strawberry_hand_bpe(void **state) {
    (void)state;
    lm_tokenizer *t = hand_bpe(STRAW, 7);
    lm_letters l;
    lm_err err;
    assert_int_equal(lm_letters_of_text(t, S("strawberry"), S("r"), 0, &l, &err), 0);
    assert_int_equal(l.n_tokens, 3);
    assert_int_equal(l.tokens[0].id, 258);
    assert_int_equal(l.tokens[1].id, 257);
    assert_int_equal(l.tokens[2].id, 262);
    assert_int_equal(l.tokens[0].off, 0); assert_int_equal(l.tokens[0].len, 3);
    assert_int_equal(l.tokens[1].off, 3); assert_int_equal(l.tokens[1].len, 2);
    assert_int_equal(l.tokens[2].off, 5); assert_int_equal(l.tokens[2].len, 5);
    assert_int_equal(l.tokens[0].count, 1);
    assert_int_equal(l.tokens[1].count, 0);
    assert_int_equal(l.tokens[2].count, 2);
    assert_int_equal(l.total, 3);
    assert_int_equal(l.n_tokens_with, 2);
    assert_int_equal(l.matches[1].tok_first, 2);
    /* the characters of each token */
    assert_int_equal(l.n_chars, 10);
    assert_int_equal(l.tokens[0].first_char, 0); assert_int_equal(l.tokens[0].n_chars, 3);
    assert_int_equal(l.tokens[1].first_char, 3); assert_int_equal(l.tokens[1].n_chars, 2);
    assert_int_equal(l.tokens[2].first_char, 5); assert_int_equal(l.tokens[2].n_chars, 5);
    for (size_t c = 0; c < 10; c++) {
        assert_int_equal(l.chars[c].off, c);
        assert_int_equal(l.chars[c].len, 1);
        assert_int_equal(l.chars[c].match, c == 2 || c == 7 || c == 8);
        assert_int_equal(l.chars[c].tok, c < 3 ? 0 : c < 5 ? 1 : 2);
    }
    lm_letters_free(&l);

    /* the same ids given directly; a letter that is absent */
    const int32_t ids[] = {258, 257, 262};
    lm_letters_free(&l);
    assert_int_equal(lm_letters_count(t, ids, 3, S("z"), 0, &l, &err), 0);
    assert_int_equal(l.total, 0);
    assert_int_equal(l.n_tokens_with, 0);
    assert_memory_equal(l.text, "strawberry", 10);
    lm_letters_free(&l);

    /* spans only */
    lm_letters_free(&l);
    assert_int_equal(lm_letters_count(t, ids, 3, NULL, 0, 0, &l, &err), 0);
    assert_int_equal(l.n_tokens, 3);
    assert_int_equal(l.total, 0);
    lm_letters_free(&l);

    /* a special marker is a span but its letters are not counted */
    const int32_t ids2[] = {263, 258};   /* "<|user|>" "str" */
    lm_letters_free(&l);
    assert_int_equal(lm_letters_count(t, ids2, 2, S("r"), 0, &l, &err), 0);
    assert_int_equal(l.total, 1);
    assert_true(l.tokens[0].special);
    assert_int_equal(l.tokens[0].len, 8);
    assert_int_equal(l.tokens[1].count, 1);
    lm_letters_free(&l);
    assert_int_equal(lm_letters_count(t, ids2, 2, S("u"), 0, &l, &err), 0);
    assert_int_equal(l.total, 0);
    lm_letters_free(&l);
    lm_tok_free(t);
}

static void test_case_insensitive(void **state) {
    (void)state;
    lm_tokenizer *t = lm_tok_byte_new();
    lm_letters l;
    lm_err err;
    assert_int_equal(lm_letters_of_text(t, S("StRawbeRry"), S("r"), 0, &l, &err), 0);
    assert_int_equal(l.total, 1);   /* only the lower-case one */
    assert_int_equal(l.matches[0].off, 8);
    lm_letters_free(&l);
    assert_int_equal(lm_letters_of_text(t, S("StRawbeRry"), S("R"), LM_LETTERS_ICASE, &l, &err), 0);
    assert_int_equal(l.total, 3);
    assert_int_equal(l.letter, 'r');
    lm_letters_free(&l);
    assert_int_equal(lm_letters_of_text(t, S("StRawbeRry"), S("s"), LM_LETTERS_ICASE, &l, &err), 0);
    assert_int_equal(l.total, 1);
    lm_letters_free(&l);
    lm_tok_free(t);
}

static void test_multibyte_letters(void **state) {
    (void)state;
    lm_tokenizer *t = lm_tok_byte_new();
    lm_letters l;
    lm_err err;
    /* c a f C3 A9 ' ' C3 89 : "é" is cut into two byte tokens (3, 4) */
    const char *cafe = "caf\xc3\xa9 \xc3\x89";
    assert_int_equal(lm_letters_of_text(t, S(cafe), S("\xc3\xa9"), 0, &l, &err), 0);
    assert_int_equal(l.n_tokens, 8);
    assert_int_equal(l.total, 1);
    assert_int_equal(l.letter, 0xE9);
    assert_int_equal(l.n_split, 1);
    assert_int_equal(l.matches[0].off, 3);
    assert_int_equal(l.matches[0].len, 2);
    assert_int_equal(l.matches[0].tok_first, 3);
    assert_int_equal(l.matches[0].tok_last, 4);
    assert_int_equal(l.tokens[3].count, 1);
    assert_int_equal(l.tokens[4].count, 0);
    assert_true(l.tokens[3].cut_end);
    assert_false(l.tokens[3].cut_start);
    assert_true(l.tokens[4].cut_start);
    assert_false(l.tokens[4].cut_end);
    /* "É" is also cut, though it is not the letter asked for */
    assert_true(l.tokens[6].cut_end);
    assert_true(l.tokens[7].cut_start);
    assert_false(l.tokens[5].cut_start || l.tokens[5].cut_end);
    /* characters: c a f é ' ' É -- é starts in token 3, token 4 starts none */
    assert_int_equal(l.n_chars, 6);
    assert_int_equal(l.chars[3].off, 3);
    assert_int_equal(l.chars[3].len, 2);
    assert_int_equal(l.chars[3].tok, 3);
    assert_true(l.chars[3].split);
    assert_true(l.chars[3].match);
    assert_false(l.chars[5].match);
    assert_true(l.chars[5].split);
    assert_int_equal(l.tokens[3].n_chars, 1);
    assert_int_equal(l.tokens[4].n_chars, 0);
    assert_int_equal(l.tokens[4].first_char, 4);
    assert_int_equal(l.tokens[5].first_char, 4);
    assert_int_equal(l.tokens[7].n_chars, 0);
    /* case-insensitive: é and É */
    lm_letters_free(&l);
    assert_int_equal(lm_letters_of_text(t, S(cafe), S("\xc3\x89"), LM_LETTERS_ICASE, &l, &err), 0);
    assert_int_equal(l.total, 2);
    assert_int_equal(l.n_split, 2);
    assert_int_equal(l.n_tokens_with, 2);
    lm_letters_free(&l);

    /* ß in "Straße" (C3 9F); capital sharp s U+1E9E = E1 BA 9E */
    lm_letters_free(&l);
    assert_int_equal(lm_letters_of_text(t, S("Stra\xc3\x9f" "e STRA\xe1\xba\x9e" "E"), S("\xc3\x9f"), 0, &l, &err), 0);
    assert_int_equal(l.total, 1);
    lm_letters_free(&l);
    assert_int_equal(lm_letters_of_text(t, S("Stra\xc3\x9f" "e STRA\xe1\xba\x9e" "E"), S("\xc3\x9f"),
                                        LM_LETTERS_ICASE, &l, &err), 0);
    assert_int_equal(l.total, 2);
    assert_int_equal(l.matches[1].off, 12);
    assert_int_equal(l.matches[1].len, 3);
    assert_int_equal(l.matches[1].tok_last - l.matches[1].tok_first, 2);   /* three byte tokens */
    lm_letters_free(&l);
    lm_tok_free(t);

    /* with "é" as one BPE token nothing is cut */
    const char *const extra[] = {"\xc3\xa9", "caf", "ca"};
    t = hand_bpe(extra, 3);
    lm_letters_free(&l);
    assert_int_equal(lm_letters_of_text(t, S("caf\xc3\xa9"), S("\xc3\xa9"), 0, &l, &err), 0);
    assert_int_equal(l.total, 1);
    assert_int_equal(l.n_split, 0);
    assert_int_equal(l.matches[0].tok_first, l.matches[0].tok_last);
    for (size_t k = 0; k < l.n_tokens; k++) assert_false(l.tokens[k].cut_start || l.tokens[k].cut_end);
    lm_letters_free(&l);
    lm_tok_free(t);
}

static void test_invalid_input(void **state) {
    (void)state;
    lm_tokenizer *t = lm_tok_byte_new();
    lm_letters l;
    lm_err err;
    err.msg[0] = 0;
    assert_int_equal(lm_letters_of_text(t, S("abc"), S("ab"), 0, &l, &err), -1);
    assert_non_null(strstr(err.msg, "one UTF-8 character"));
    lm_letters_free(&l);
    assert_int_equal(lm_letters_of_text(t, S("abc"), S("\xff"), 0, &l, &err), -1);
    lm_letters_free(&l);
    assert_int_equal(lm_letters_of_text(t, S("abc"), S("\xc3"), 0, &l, &err), -1);
    const int32_t bad[] = {97, 9999};
    lm_letters_free(&l);
    assert_int_equal(lm_letters_count(t, bad, 2, S("a"), 0, &l, &err), -1);
    assert_non_null(strstr(err.msg, "9999"));
    lm_letters_free(&l);
    /* invalid UTF-8 in the text never matches, NULs are fine */
    lm_letters_free(&l);
    assert_int_equal(lm_letters_of_text(t, (const uint8_t *)"r\xffr\0r\xc3", 6, S("r"), 0, &l, &err), 0);
    assert_int_equal(l.total, 3);
    assert_int_equal(l.n_chars, 6);   /* each invalid byte is a character of its own */
    assert_int_equal(l.chars[5].len, 1);
    assert_false(l.chars[1].match);
    lm_letters_free(&l);
    /* the CLI's entry point: NULL letter = spans and characters only */
    const int32_t ids[] = {'r', 'R'};
    assert_int_equal(lm_letters_analyze(t, ids, 2, NULL, 0, &l, &err), 0);
    assert_int_equal(l.n_chars, 2);
    assert_int_equal(l.total, 0);
    lm_letters_free(&l);
    assert_int_equal(lm_letters_analyze(t, ids, 2, "r", 1, &l, &err), 0);
    assert_int_equal(l.total, 2);
    lm_letters_free(&l);
    assert_int_equal(lm_letters_of_text(t, (const uint8_t *)"", 0, S("r"), 0, &l, &err), 0);
    assert_int_equal(l.n_tokens, 0);
    assert_int_equal(l.total, 0);
    lm_letters_free(&l);
    lm_tok_free(t);
}

/* The lecture's case on the real encodings: o200k_base cuts "strawberry" as
 * st + raw + berry (ids 302 1618 19772), cl100k_base as str + aw + berry
 * (496 675 15717): 3 r's either way, spread differently. */
static void check_real(const char *enc, const int32_t want_ids[3], const size_t want_len[3],
                       const int want_count[3]) {
    char path[128];
    snprintf(path, sizeof path, "data/tiktoken/%s.tiktoken", enc);
    if (access(path, R_OK) != 0) { skip(); }
    lm_err err;
    lm_tokenizer *t = lm_tok_tiktoken_load(path, enc, &err);
    assert_non_null(t);
    lm_letters l;
    assert_int_equal(lm_letters_of_text(t, S("strawberry"), S("r"), 0, &l, &err), 0);
    assert_int_equal(l.n_tokens, 3);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(l.tokens[k].id, want_ids[k]);
        assert_int_equal(l.tokens[k].len, want_len[k]);
        assert_int_equal(l.tokens[k].count, want_count[k]);
    }
    assert_int_equal(l.total, 3);
    lm_letters_free(&l);
    lm_tok_free(t);
}

static void test_strawberry_o200k(void **state) {
    (void)state;
    const int32_t ids[3] = {302, 1618, 19772};
    const size_t len[3] = {2, 3, 5};
    const int count[3] = {0, 1, 2};
    check_real("o200k_base", ids, len, count);
}

static void test_strawberry_cl100k(void **state) {
    (void)state;
    const int32_t ids[3] = {496, 675, 15717};
    const size_t len[3] = {3, 2, 5};
    const int count[3] = {1, 0, 2};
    check_real("cl100k_base", ids, len, count);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strawberry_bytes),
        cmocka_unit_test(test_strawberry_hand_bpe),
        cmocka_unit_test(test_case_insensitive),
        cmocka_unit_test(test_multibyte_letters),
        cmocka_unit_test(test_invalid_input),
        cmocka_unit_test(test_strawberry_o200k),
        cmocka_unit_test(test_strawberry_cl100k),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
