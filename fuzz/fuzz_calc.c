/* fuzz_calc.c - libFuzzer target: the calculator of tool use
 * (decode/calc.h) on arbitrary bytes, which is what a model may write
 * between <|tool|> and <|result|>. Checks the contract on every input: the
 * VALUE text is NUL-terminated printable ASCII; the return value, r.ok and
 * an "error: " text agree; a result reads back as its own decimal text and
 * evaluates to itself; and a result in parentheses keeps its value, unless
 * the parentheses cross the length or depth bound. (An error in
 * parentheses may become a value: "1)*(2" is not an expression, "(1)*(2)"
 * is.) */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/calc.h"

static void check_text(const lm_calc_result *r, int rc) {
    const char *nul = memchr(r->text, 0, sizeof r->text);
    if (!nul) abort();
    for (const char *c = r->text; c < nul; c++)
        if (*c < 0x20 || *c > 0x7e) abort();
    int is_err = strncmp(r->text, "error: ", 7) == 0;
    if ((rc == 0) != (r->ok == 1) || r->ok == is_err || nul == r->text) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lm_calc_result r, again;
    int rc = lm_calc_eval((const char *)data, size, &r);
    check_text(&r, rc);
    if (r.ok) {
        char want[32];
        snprintf(want, sizeof want, "%" PRId64, r.value);
        if (strcmp(want, r.text) != 0) abort();
        /* the value as an expression: INT64_MIN has no literal (its digits overflow) */
        int rc2 = lm_calc_eval(r.text, strlen(r.text), &again);
        check_text(&again, rc2);
        if (r.value != INT64_MIN && (!again.ok || again.value != r.value)) abort();
    }
    if (size + 2 <= LM_CALC_MAX_LEN) {
        char *wrapped = malloc(size + 2);
        if (!wrapped) return 0;
        wrapped[0] = '(';
        memcpy(wrapped + 1, data, size);
        wrapped[size + 1] = ')';
        int rc3 = lm_calc_eval(wrapped, size + 2, &again);
        check_text(&again, rc3);
        int depth_error = strstr(again.text, "nested deeper") != NULL;
        if (r.ok && !depth_error && (!again.ok || again.value != r.value)) abort();
        free(wrapped);
    }
    return 0;
}
