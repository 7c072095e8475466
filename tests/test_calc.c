/* test_calc.c - the calculator of tool use (decode/calc.h): precedence,
 * integer division, unary minus, parentheses, 64-bit overflow at every step,
 * the length and depth bounds, and hostile strings, each with its exact
 * VALUE text. Expected values are worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode/calc.h"

/* evaluates the NUL-terminated s and checks the VALUE text */
static void check(const char *s, const char *want) {
    lm_calc_result r;
    int rc = lm_calc_eval(s, strlen(s), &r);
    if (strcmp(r.text, want) != 0) fail_msg("\"%s\": got \"%s\", want \"%s\"", s, r.text, want);
    int want_ok = strncmp(want, "error: ", 7) != 0;
    assert_int_equal(rc, want_ok ? 0 : -1);
    assert_int_equal(r.ok, want_ok);
}

static void test_arithmetic(void **state) {
    (void)state;
    check("347 * 29 + 112", "10175");
    check("1+2*3", "7");
    check("(1+2)*3", "9");
    check("10-4-3", "3");          /* left-associative */
    check("100/10/5", "2");
    check("7/2", "3");
    check("-7/2", "-3");           /* truncated toward zero */
    check("7/-2", "-3");
    check("-7/-2", "3");
    check("--5", "5");
    check("-(2+3)*4", "-20");
    check("2*-3", "-6");
    check("0", "0");
    check("007", "7");
    check(" \t(\n1 +\r2 )\v*\f3 ", "9");
    check("((((((((((42))))))))))", "42");
    check("9223372036854775807", "9223372036854775807");
    check("-9223372036854775807-1", "-9223372036854775808");
    lm_calc_result r;
    assert_int_equal(lm_calc_eval("6*7", 3, &r), 0);
    assert_true(r.value == 42);
    /* only len bytes count */
    assert_int_equal(lm_calc_eval("12+x", 2, &r), 0);
    assert_true(r.value == 12);
}

static void test_errors(void **state) {
    (void)state;
    check("1/0", "error: division by zero");
    check("5/(3-3)", "error: division by zero");
    check("9223372036854775808", "error: overflow");
    check("9223372036854775807+1", "error: overflow");
    check("-9223372036854775807-2", "error: overflow");
    check("4611686018427387904*2", "error: overflow");
    check("3037000500*3037000500", "error: overflow");
    check("(-9223372036854775807-1)/-1", "error: overflow");
    check("-(-9223372036854775807-1)", "error: overflow");
    check("", "error: empty expression");
    check("  \n ", "error: empty expression");
    check("x", "error: unexpected 'x'");
    check("2x3", "error: unexpected 'x'");
    check("3 % 2", "error: unexpected '%'");
    check("1 2", "error: unexpected '2'");
    check("2**3", "error: unexpected '*'");
    check("+1", "error: unexpected '+'");
    check("1+", "error: unexpected end");
    check("(1+2", "error: missing ')'");
    check("(1+2(", "error: unexpected '('");
    check("1+2)", "error: unexpected ')'");
    check("()", "error: unexpected ')'");
    check("1.5", "error: unexpected '.'");
    check("'", "error: unexpected \"'\"");
    check("3\xc3\x97" "4", "error: unexpected byte 0xc3");   /* 3×4 */
    check("\x1b[31m", "error: unexpected byte 0x1b");
    lm_calc_result r;
    assert_int_equal(lm_calc_eval("1\0+2", 4, &r), -1);   /* a NUL is a byte like any other */
    assert_string_equal(r.text, "error: unexpected byte 0x00");
}

static void test_bounds(void **state) {
    (void)state;
    char buf[LM_CALC_MAX_LEN + 64];
    /* 64 nested parentheses are fine, 65 are not */
    int k = 0;
    for (int i = 0; i < 64; i++) buf[k++] = '(';
    buf[k++] = '1';
    for (int i = 0; i < 64; i++) buf[k++] = ')';
    buf[k] = 0;
    check(buf, "1");
    k = 0;
    for (int i = 0; i < 65; i++) buf[k++] = '(';
    buf[k++] = '1';
    for (int i = 0; i < 65; i++) buf[k++] = ')';
    buf[k] = 0;
    check(buf, "error: nested deeper than 64");
    /* unary minuses count too: 64 of them give 1, 65 are too deep */
    memset(buf, '-', 64);
    strcpy(buf + 64, "1");
    check(buf, "1");
    memset(buf, '-', 65);
    strcpy(buf + 65, "1");
    check(buf, "error: nested deeper than 64");
    /* 256 bytes are read, 257 refused before any parsing */
    memset(buf, ' ', LM_CALC_MAX_LEN);
    buf[LM_CALC_MAX_LEN - 1] = '5';
    buf[LM_CALC_MAX_LEN] = 0;
    check(buf, "5");
    memset(buf, ' ', LM_CALC_MAX_LEN + 1);
    buf[LM_CALC_MAX_LEN] = '5';
    buf[LM_CALC_MAX_LEN + 1] = 0;
    check(buf, "error: expression longer than 256 bytes");
    /* a deep hostile string longer than the limit never recurses */
    char *big = malloc(1 << 20);
    assert_non_null(big);
    memset(big, '(', 1 << 20);
    lm_calc_result r;
    assert_int_equal(lm_calc_eval(big, 1 << 20, &r), -1);
    assert_string_equal(r.text, "error: expression longer than 256 bytes");
    free(big);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
