/* fuzz_lesson.c - libFuzzer target: the lesson parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "cli/lesson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lm_lesson l;
    lm_err err;
    if (lm_lesson_parse((const char *)data, size, &l, &err) == 0) lm_lesson_free(&l);
    return 0;
}
