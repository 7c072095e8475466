/* test_modelfile.c - model files: bit-exact round trip, the byte layout checked
 * by hand, and every kind of damaged file refused with the right message. */
#include <math.h>
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

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/llmlab_test_modelfile_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_of(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", dir, name); }

/* L=2, H=2, C=8, M=16, n_ctx=5, V=11, learned: 1344 parameters (see test_params.c) */
static void small_model(lm_model *m) {
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
#define FILE_LEN (16 + 56 + 5 + 18 + 4 * 1344 + 4)      /* 5475 */

static uint8_t *slurp(const char *path, size_t *len) {
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

static void spit(const char *path, const uint8_t *b, size_t len) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
}

static uint32_t rd32(const uint8_t *b) { return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24; }
static void wr32(uint8_t *b, uint32_t v) { for (int i = 0; i < 4; i++) b[i] = (uint8_t)(v >> 8 * i); }
static void fix_crc(uint8_t *b, size_t len) { wr32(b + len - 4, lm_crc32(0, b, len - 4)); }

/* a valid file in memory */
static uint8_t *valid_file(size_t *len) {
    lm_model m;
    small_model(&m);
    char p[300];
    path_of(p, sizeof p, "valid.llm");
    assert_int_equal(lm_save(&m, META, p, NULL), 0);
    lm_model_free(&m);
    return slurp(p, len);
}

static void expect_refused(const uint8_t *b, size_t len, const char *substr) {
    lm_model m;
    char *meta = (char *)1;
    lm_err err = {{0}};
    assert_int_equal(lm_load_mem(&m, &meta, b, len, &err), -1);
    if (!strstr(err.msg, substr)) fail_msg("message '%s' lacks '%s'", err.msg, substr);
    assert_null(meta);
    assert_null(m.params);
    lm_model_free(&m);
}

static void test_crc32_known_values(void **state) {
    (void)state;
    assert_int_equal(lm_crc32(0, "123456789", 9), 0xCBF43926u);   /* the standard check value */
    assert_int_equal(lm_crc32(0, "", 0), 0);
    assert_int_equal(lm_crc32(0, "The quick brown fox jumps over the lazy dog", 43), 0x414FA339u);
    assert_int_equal(lm_crc32(lm_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
}

static void test_round_trip_bit_exact(void **state) {
    (void)state;
    lm_model m, l;
    small_model(&m);
    m.params[3] = -0.0f;
    m.params[4] = 1e-40f;   /* a denormal survives */
    char p[300], tmp[310];
    path_of(p, sizeof p, "rt.llm");
    lm_err err = {{0}};
    assert_int_equal(lm_save(&m, META, p, &err), 0);
    snprintf(tmp, sizeof tmp, "%s.tmp", p);
    assert_int_equal(access(tmp, F_OK), -1);   /* no .tmp left behind */
    char *meta = NULL;
    if (lm_load(&l, &meta, p, &err) != 0) fail_msg("%s", err.msg);
    assert_memory_equal(&l.cfg, &m.cfg, sizeof m.cfg);
    assert_int_equal(l.n_params, 1344);
    assert_memory_equal(l.params, m.params, m.n_params * sizeof(float));
    assert_int_equal(l.tokenizer_len, 5);
    assert_memory_equal(l.tokenizer_blob, m.tokenizer_blob, 5);
    assert_int_equal(l.adam_t, 7);
    assert_string_equal(meta, META);
    assert_int_equal(l.n_views, m.n_views);
    assert_non_null(lm_find_tensor(&l, "h.1.mlp.w_proj"));
    assert_null(l.grads);
    free(meta);

    /* saving the loaded model again gives the same bytes */
    char p2[300];
    path_of(p2, sizeof p2, "rt2.llm");
    assert_int_equal(lm_save(&l, META, p2, &err), 0);
    size_t n1, n2;
    uint8_t *b1 = slurp(p, &n1), *b2 = slurp(p2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    free(b1);
    free(b2);
    lm_model_free(&l);

    /* no metadata, no tokenizer, rotary; overwriting an existing file */
    free(m.tokenizer_blob);
    m.tokenizer_blob = NULL;
    m.tokenizer_len = 0;
    assert_int_equal(lm_save(&m, NULL, p, &err), 0);
    assert_int_equal(lm_load(&l, &meta, p, &err), 0);
    assert_string_equal(meta, "");
    assert_null(l.tokenizer_blob);
    assert_int_equal(l.tokenizer_len, 0);
    free(meta);
    lm_model_free(&l);
    assert_int_equal(lm_load(&l, NULL, p, &err), 0);   /* metadata not wanted */
    lm_model_free(&l);
    assert_int_equal(access(tmp, F_OK), -1);
    lm_model_free(&m);
}

static void test_byte_layout_by_hand(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = valid_file(&len);
    assert_int_equal(len, FILE_LEN);
    static const uint8_t magic[8] = {'L', 'L', 'M', 'L', 'A', 'B', 0, 1};
    assert_memory_equal(b, magic, 8);
    assert_int_equal(rd32(b + 8), 1);     /* version */
    assert_int_equal(rd32(b + 12), 56);   /* header bytes */
    int32_t want_cfg[9] = {2, 2, 8, 16, 5, 11, 0 /* learned */, 1 /* relu */, 7 /* adam_t */};
    for (int i = 0; i < 9; i++) assert_int_equal(rd32(b + 16 + 4 * i), (uint32_t)want_cfg[i]);
    assert_int_equal(rd32(b + 52), 1344);   /* n_params, low half */
    assert_int_equal(rd32(b + 56), 0);      /* n_params, high half */
    assert_int_equal(rd32(b + 60), 5);      /* tokenizer_len */
    assert_int_equal(rd32(b + 64), 0);
    assert_int_equal(rd32(b + 68), 18);     /* metadata_len */
    assert_memory_equal(b + 72, "b\0p\xff" "e", 5);
    assert_memory_equal(b + 77, META, 18);
    /* the first parameter (wte[0]) as little-endian f32 */
    lm_model m;
    small_model(&m);
    uint32_t bits;
    memcpy(&bits, &m.params[0], 4);
    assert_int_equal(rd32(b + 95), bits);
    memcpy(&bits, &m.params[1343], 4);
    assert_int_equal(rd32(b + 95 + 4 * 1343), bits);
    lm_model_free(&m);
    free(b);
}

static void test_truncated_everywhere(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = valid_file(&len);
    expect_refused(b, 0, "empty");
    size_t cuts[] = {1, 4, 8, 12, 16, 40, 71};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) expect_refused(b, cuts[i], "truncated");
    size_t cuts2[] = {72, 76, 95, 100, 2000, len - 5, len - 4, len - 1};
    char want[64];
    for (size_t i = 0; i < sizeof cuts2 / sizeof cuts2[0]; i++) {
        snprintf(want, sizeof want, "truncated: expected %d bytes, file has %zu", FILE_LEN, cuts2[i]);
        expect_refused(b, cuts2[i], want);
    }
    /* on disk, the message names the file */
    char p[300];
    path_of(p, sizeof p, "cut.llm");
    spit(p, b, 1000);
    lm_model m;
    lm_err err = {{0}};
    assert_int_equal(lm_load(&m, NULL, p, &err), -1);
    assert_non_null(strstr(err.msg, "cut.llm"));
    assert_non_null(strstr(err.msg, "truncated"));
    spit(p, b, 0);
    assert_int_equal(lm_load(&m, NULL, p, &err), -1);
    assert_non_null(strstr(err.msg, "empty"));
    free(b);
}

static void test_corruption_and_bad_headers(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = valid_file(&len);
    uint8_t *c = malloc(len + 8);

    /* one flipped bit anywhere after the header: parameters, metadata, tokenizer, crc */
    size_t flips[] = {2000, 80, 73, len - 2};
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
        memcpy(c, b, len);
        c[flips[i]] ^= 0x10;
        expect_refused(c, len, "checksum mismatch: file is corrupted");
    }
    memcpy(c, b, len); c[0] = 'X';
    expect_refused(c, len, "not an llmlab model file");
    expect_refused((const uint8_t *)"GIF89a", 6, "not an llmlab model file");

    memcpy(c, b, len); wr32(c + 8, 2); fix_crc(c, len);
    expect_refused(c, len, "written by a newer llmlab: format version 2, this build reads up to 1");
    memcpy(c, b, len); wr32(c + 8, 0); fix_crc(c, len);
    expect_refused(c, len, "version 0");
    memcpy(c, b, len); wr32(c + 12, 60); fix_crc(c, len);
    expect_refused(c, len, "header length 60");

    memcpy(c, b, len); wr32(c + 16 + 4, 3); fix_crc(c, len);   /* n_head 3: 8 % 3 != 0 */
    expect_refused(c, len, "divisible");
    memcpy(c, b, len); wr32(c + 16, 0); fix_crc(c, len);       /* n_layer 0 */
    expect_refused(c, len, "n_layer");
    memcpy(c, b, len); wr32(c + 16 + 24, 9); fix_crc(c, len);  /* pos 9 */
    expect_refused(c, len, "positional");
    memcpy(c, b, len); wr32(c + 16 + 32, 0xffffffffu); fix_crc(c, len);   /* adam_t -1 */
    expect_refused(c, len, "adam_t");
    memcpy(c, b, len); wr32(c + 52, 1345); fix_crc(c, len);
    expect_refused(c, len, "1345 parameters but its config needs 1344");
    memcpy(c, b, len); wr32(c + 56, 1); fix_crc(c, len);   /* n_params 2^32 + 1344 */
    expect_refused(c, len, "parameters");
    memcpy(c, b, len); wr32(c + 60, 0xffffffffu); wr32(c + 64, 0xffffffffu); fix_crc(c, len);
    expect_refused(c, len, "tokenizer length");
    memcpy(c, b, len); wr32(c + 64, 0x10); fix_crc(c, len);   /* huge but not overflowing */
    expect_refused(c, len, "truncated");
    memcpy(c, b, len); wr32(c + 68, 0xffffffffu); fix_crc(c, len);
    expect_refused(c, len, "truncated");

    /* trailing garbage */
    memcpy(c, b, len); c[len] = 0;
    expect_refused(c, len + 1, "trailing garbage");

    /* a NaN parameter with a valid checksum */
    memcpy(c, b, len); wr32(c + 95 + 4 * 100, 0x7fc00000u); fix_crc(c, len);
    expect_refused(c, len, "not finite");
    memcpy(c, b, len); wr32(c + 95, 0x7f800000u); fix_crc(c, len);
    expect_refused(c, len, "wte[0]");
    /* a NUL inside the metadata */
    memcpy(c, b, len); c[80] = 0; fix_crc(c, len);
    expect_refused(c, len, "NUL");

    /* the untouched file still loads */
    lm_model m;
    assert_int_equal(lm_load_mem(&m, NULL, b, len, NULL), 0);
    lm_model_free(&m);
    free(c);
    free(b);
}

static void test_paths_and_refusals(void **state) {
    (void)state;
    lm_model m;
    lm_err err = {{0}};
    char p[300];
    path_of(p, sizeof p, "does-not-exist.llm");
    assert_int_equal(lm_load(&m, NULL, p, &err), -1);
    assert_non_null(strstr(err.msg, "does-not-exist.llm"));
    assert_non_null(strstr(err.msg, "No such file"));
    assert_null(m.params);

    small_model(&m);
    path_of(p, sizeof p, "no-such-dir/x.llm");
    assert_int_equal(lm_save(&m, NULL, p, &err), -1);
    assert_non_null(strstr(err.msg, "x.llm.tmp"));
    /* a NaN is refused at save time, and nothing is written */
    m.params[10] = NAN;
    path_of(p, sizeof p, "nan.llm");
    assert_int_equal(lm_save(&m, NULL, p, &err), -1);
    assert_non_null(strstr(err.msg, "non-finite"));
    assert_int_equal(access(p, F_OK), -1);
    /* a failed save leaves the previous file intact */
    m.params[10] = 0.5f;
    assert_int_equal(lm_save(&m, "v=1\n", p, &err), 0);
    m.params[10] = INFINITY;
    assert_int_equal(lm_save(&m, "v=2\n", p, &err), -1);
    assert_non_null(strstr(err.msg, "wte[10]"));   /* names the tensor and index */
    lm_model l;
    char *meta = NULL;
    assert_int_equal(lm_load(&l, &meta, p, &err), 0);
    assert_string_equal(meta, "v=1\n");
    assert_true(l.params[10] == 0.5f);
    free(meta);
    lm_model_free(&l);
    lm_model_free(&m);
    /* a directory is not a model */
    assert_int_equal(lm_load(&m, NULL, dir, &err), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32_known_values),
        cmocka_unit_test(test_round_trip_bit_exact),
        cmocka_unit_test(test_byte_layout_by_hand),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_corruption_and_bad_headers),
        cmocka_unit_test(test_paths_and_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
