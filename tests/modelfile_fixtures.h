/* modelfile_fixtures.h - what the model-file tests share: a temporary
 * directory, a small model and its file, byte helpers, and a check that a
 * damaged file is refused with the right message. Header-only (static
 * inline), included by tests/test_modelfile*.c. */
#ifndef TEST_MODELFILE_FIXTURES_H
#define TEST_MODELFILE_FIXTURES_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "io/modelfile.h"

static char dir[256];

static inline int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/llmlab_test_modelfile_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static inline int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static inline void path_of(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", dir, name); }

/* L=2, H=2, C=8, M=16, n_ctx=5, V=11, learned: 1344 parameters (see test_params.c) */
static inline void small_model(lm_model *m) {
    lm_config c = {.n_layer = 2, .n_head = 2, .d_model = 8, .d_mlp = 16, .n_ctx = 5,
                   .vocab_size = 11, .pos = LM_POS_LEARNED, .act = LM_ACT_RELU};
    assert_int_equal(lm_model_init(m, &c, 99, NULL), 0);
    static const uint8_t blob[5] = {'b', 0, 'p', 0xff, 'e'};
    m->tokenizer_blob = malloc(sizeof blob);
    memcpy(m->tokenizer_blob, blob, sizeof blob);
    m->tokenizer_len = sizeof blob;
    m->adam_t = 7;
}
static const char *META = "seed=99\nmade=test\n";   /* 18 bytes */
/* small_model's file, version 2: prefix 16, header 40 + 32 (gpt config),
 * tokenizer 5, metadata 18, parameters, crc */
#define FILE_LEN (16 + 72 + 5 + 18 + 4 * 1344 + 4)      /* 5491 */
/* where each field sits in it (modelfile.h) */
#define AT_KIND 16
#define AT_ADAM 32
#define AT_NPARAMS 36
#define AT_TOKLEN 44
#define AT_METALEN 52
#define AT_CONFIG 56
#define AT_TOK 88
#define AT_META 93
#define AT_PARAMS 111

static inline uint8_t *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static inline void spit(const char *path, const uint8_t *b, size_t len) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
}

static inline uint32_t rd32(const uint8_t *b) { return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24; }
static inline void wr32(uint8_t *b, uint32_t v) { for (int i = 0; i < 4; i++) b[i] = (uint8_t)(v >> 8 * i); }
static inline void fix_crc(uint8_t *b, size_t len) { wr32(b + len - 4, lm_crc32(0, b, len - 4)); }

/* a valid file in memory */
static inline uint8_t *valid_file(size_t *len) {
    lm_model m;
    small_model(&m);
    char p[300];
    path_of(p, sizeof p, "valid.llm");
    assert_int_equal(lm_save(&m, META, p, NULL), 0);
    lm_model_free(&m);
    return slurp(p, len);
}

static inline void expect_refused(const uint8_t *b, size_t len, const char *substr) {
    lm_model m;
    char *meta = (char *)1;
    lm_err err = {{0}};
    assert_int_equal(lm_load_mem(&m, &meta, b, len, &err), -1);
    if (!strstr(err.msg, substr)) fail_msg("message '%s' lacks '%s'", err.msg, substr);
    assert_null(meta);
    assert_null(m.params);
    lm_model_free(&m);
}

#endif
