/* test_modelfile.c - model files: bit-exact round trip, the byte layout checked
 * by hand, and every kind of damaged file refused with the right message. */
#include <math.h>

#include "modelfile_fixtures.h"

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
    assert_int_equal(rd32(b + 8), 2);     /* version */
    assert_int_equal(rd32(b + 12), 72);   /* header bytes: 40 + the 32-byte gpt config */
    static const uint8_t kind[16] = {'g', 'p', 't'};
    assert_memory_equal(b + AT_KIND, kind, 16);
    assert_int_equal(rd32(b + AT_ADAM), 7);
    assert_int_equal(rd32(b + AT_NPARAMS), 1344);   /* low half */
    assert_int_equal(rd32(b + AT_NPARAMS + 4), 0);  /* high half */
    assert_int_equal(rd32(b + AT_TOKLEN), 5);
    assert_int_equal(rd32(b + AT_TOKLEN + 4), 0);
    assert_int_equal(rd32(b + AT_METALEN), 18);
    int32_t want_cfg[8] = {2, 2, 8, 16, 5, 11, 0 /* learned */, 1 /* relu */};
    for (int i = 0; i < 8; i++) assert_int_equal(rd32(b + AT_CONFIG + 4 * i), (uint32_t)want_cfg[i]);
    assert_memory_equal(b + AT_TOK, "b\0p\xff" "e", 5);
    assert_memory_equal(b + AT_META, META, 18);
    /* the first parameter (wte[0]) and the last as little-endian f32 */
    lm_model m;
    small_model(&m);
    uint32_t bits;
    memcpy(&bits, &m.params[0], 4);
    assert_int_equal(rd32(b + AT_PARAMS), bits);
    memcpy(&bits, &m.params[1343], 4);
    assert_int_equal(rd32(b + AT_PARAMS + 4 * 1343), bits);
    assert_int_equal(rd32(b + len - 4), lm_crc32(0, b, len - 4));
    lm_model_free(&m);
    free(b);
}

static void test_truncated_everywhere(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = valid_file(&len);
    expect_refused(b, 0, "empty");
    size_t cuts[] = {1, 4, 8, 12, 16, 20, 40, 71, 87};   /* inside the prefix or header */
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) expect_refused(b, cuts[i], "truncated");
    size_t cuts2[] = {88, 92, AT_PARAMS, 200, 2000, len - 5, len - 4, len - 1};
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

/* b[len] with the u32 at `at` set to v and the checksum made right again */
static void refused_with(const uint8_t *b, size_t len, size_t at, uint32_t v, const char *substr) {
    uint8_t *c = malloc(len);
    memcpy(c, b, len);
    wr32(c + at, v);
    fix_crc(c, len);
    expect_refused(c, len, substr);
    free(c);
}

static void test_corruption_and_bad_headers(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = valid_file(&len);
    uint8_t *c = malloc(len + 8);

    /* one flipped bit anywhere after the header: parameters, metadata, tokenizer, crc
     * (the header's fields are checked one by one first, below) */
    size_t flips[] = {2000, AT_META + 3, AT_TOK + 1, len - 2};
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
        memcpy(c, b, len);
        c[flips[i]] ^= 0x10;
        expect_refused(c, len, "checksum mismatch: file is corrupted");
    }
    memcpy(c, b, len); c[0] = 'X';
    expect_refused(c, len, "not an llmlab model file");
    expect_refused((const uint8_t *)"GIF89a", 6, "not an llmlab model file");

    refused_with(b, len, 8, 3, "written by a newer llmlab: format version 3, this build reads up to 2");
    refused_with(b, len, 8, 0, "version 0");
    refused_with(b, len, 12, 39, "header length 39, format version 2 needs at least 40");
    refused_with(b, len, AT_CONFIG + 4, 3, "divisible");         /* n_head 3: 8 % 3 != 0 */
    refused_with(b, len, AT_CONFIG, 0, "n_layer");
    refused_with(b, len, AT_CONFIG + 24, 9, "positional");      /* pos 9 */
    refused_with(b, len, AT_CONFIG + 28, 2, "activation");
    refused_with(b, len, AT_ADAM, 0xffffffffu, "adam_t");        /* -1 */
    refused_with(b, len, AT_NPARAMS, 1345, "1345 parameters but its config needs 1344");
    refused_with(b, len, AT_NPARAMS + 4, 1, "parameters");       /* 2^32 + 1344 */
    memcpy(c, b, len); wr32(c + AT_TOKLEN, 0xffffffffu); wr32(c + AT_TOKLEN + 4, 0xffffffffu); fix_crc(c, len);
    expect_refused(c, len, "tokenizer length");
    refused_with(b, len, AT_TOKLEN + 4, 0x10, "truncated");      /* huge but not overflowing */
    refused_with(b, len, AT_METALEN, 0xffffffffu, "truncated");

    /* trailing garbage */
    memcpy(c, b, len); c[len] = 0;
    expect_refused(c, len + 1, "trailing garbage");

    /* a NaN parameter with a valid checksum */
    refused_with(b, len, AT_PARAMS + 4 * 100, 0x7fc00000u, "not finite");
    refused_with(b, len, AT_PARAMS, 0x7f800000u, "wte[0]");
    /* a NUL inside the metadata */
    memcpy(c, b, len); c[AT_META + 2] = 0; fix_crc(c, len);
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
    assert_non_null(strstr(err.msg, "no-such-dir does not exist"));   /* names the folder missing */
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
