/* test_modelfile_kind.c - the model kind in a model file: a version-1 file
 * (written before kinds, built here byte by byte from the format notes in
 * modelfile.h) loads as kind gpt; a new file carries its kind through a save
 * and a load; unknown, garbled or misfitting kinds are refused with a
 * message; `llmlab info` shows the kind and format version. */
#include "cli/cli.h"
#include "modelfile_fixtures.h"
#include "cli_capture.h"

/* ---- a version-1 file, byte by byte (not with lm_save) ---- */

typedef struct { uint8_t *p; size_t n; } bytes;

static void put(bytes *b, const void *src, size_t n) {
    memcpy(b->p + b->n, src, n);
    b->n += n;
}
static void put32(bytes *b, uint32_t v) {
    uint8_t x[4];
    wr32(x, v);
    put(b, x, 4);
}
static void put64(bytes *b, uint64_t v) {
    put32(b, (uint32_t)v);
    put32(b, (uint32_t)(v >> 32));
}

/* Version 1: magic, u32 1, u32 56; 8 x i32 config (n_layer n_head d_model
 * d_mlp n_ctx vocab_size pos act), i32 adam_t, u64 n_params, u64
 * tokenizer_len, u32 metadata_len; tokenizer, metadata, f32 params; crc. */
static uint8_t *v1_file(const lm_model *m, const char *meta, size_t *len) {
    size_t meta_len = strlen(meta);
    bytes b = {malloc(16 + 56 + m->tokenizer_len + meta_len + 4 * m->n_params + 4), 0};
    put(&b, "LLMLAB\0\1", 8);
    put32(&b, 1);
    put32(&b, 56);
    const lm_config *c = &m->cfg;
    int32_t cfg[8] = {c->n_layer, c->n_head, c->d_model, c->d_mlp, c->n_ctx, c->vocab_size,
                      (int32_t)c->pos, (int32_t)c->act};
    for (int i = 0; i < 8; i++) put32(&b, (uint32_t)cfg[i]);
    put32(&b, (uint32_t)m->adam_t);
    put64(&b, m->n_params);
    put64(&b, m->tokenizer_len);
    put32(&b, (uint32_t)meta_len);
    put(&b, m->tokenizer_blob, m->tokenizer_len);
    put(&b, meta, meta_len);
    for (size_t i = 0; i < m->n_params; i++) {
        uint32_t bits;
        memcpy(&bits, &m->params[i], 4);
        put32(&b, bits);
    }
    put32(&b, lm_crc32(0, b.p, b.n));
    *len = b.n;
    return b.p;
}

static void test_version1_loads_as_gpt(void **state) {
    (void)state;
    lm_model m, l;
    small_model(&m);
    m.cfg.pos = LM_POS_LEARNED;
    size_t len;
    uint8_t *b = v1_file(&m, META, &len);
    assert_int_equal(len, 16 + 56 + 5 + 18 + 4 * 1344 + 4);
    lm_file_header h;
    lm_err err = {{0}};
    assert_int_equal(lm_file_header_read(&h, b, len, &err), 0);
    assert_int_equal(h.version, 1);
    assert_string_equal(h.kind, "gpt");
    char *meta = NULL;
    if (lm_load_mem(&l, &meta, b, len, &err) != 0) fail_msg("%s", err.msg);
    assert_memory_equal(&l.cfg, &m.cfg, sizeof m.cfg);
    assert_memory_equal(l.params, m.params, m.n_params * sizeof(float));
    assert_memory_equal(l.tokenizer_blob, m.tokenizer_blob, 5);
    assert_int_equal(l.adam_t, 7);
    assert_string_equal(meta, META);
    free(meta);

    /* saved again it becomes a version-2 file of kind gpt with the same weights */
    char p[300];
    path_of(p, sizeof p, "from_v1.llm");
    assert_int_equal(lm_save(&l, META, p, &err), 0);
    assert_int_equal(lm_file_peek(&h, p, &err), 0);
    assert_int_equal(h.version, 2);
    assert_string_equal(h.kind, "gpt");
    lm_model_free(&l);
    assert_int_equal(lm_load(&l, NULL, p, &err), 0);
    assert_memory_equal(l.params, m.params, m.n_params * sizeof(float));
    lm_model_free(&l);

    /* version 1 has exactly 56 header bytes */
    uint8_t *c = malloc(len);
    memcpy(c, b, len); wr32(c + 12, 60); fix_crc(c, len);
    expect_refused(c, len, "header length 60, format version 1 has 56");
    memcpy(c, b, len); wr32(c + 16 + 24, 9); fix_crc(c, len);   /* pos 9 */
    expect_refused(c, len, "positional");
    expect_refused(b, len - 1, "truncated");
    free(c);
    free(b);
    lm_model_free(&m);
}

static void test_new_file_round_trips_its_kind(void **state) {
    (void)state;
    lm_model m;
    small_model(&m);
    char p[300];
    path_of(p, sizeof p, "kind.llm");
    lm_err err = {{0}};
    assert_int_equal(lm_save(&m, META, p, &err), 0);
    lm_file_header h;
    assert_int_equal(lm_file_peek(&h, p, &err), 0);
    assert_int_equal(h.version, LM_FILE_VERSION);
    assert_string_equal(h.kind, LM_KIND_GPT);
    assert_int_equal(h.adam_t, 7);
    assert_int_equal(h.n_params, 1344);
    assert_int_equal(h.tokenizer_len, 5);
    assert_int_equal(h.metadata_len, 18);
    assert_int_equal(h.config_bytes, 32);
    lm_model l;
    assert_int_equal(lm_load(&l, NULL, p, &err), 0);
    assert_memory_equal(l.params, m.params, m.n_params * sizeof(float));
    lm_model_free(&l);
    lm_model_free(&m);
    /* peeking at what is not a model file */
    path_of(p, sizeof p, "none.llm");
    assert_int_equal(lm_file_peek(&h, p, &err), -1);
    assert_non_null(strstr(err.msg, "none.llm"));
}

/* valid file bytes with the 16 kind bytes replaced and the crc made right */
static uint8_t *with_kind(const uint8_t kind[16], size_t *len) {
    uint8_t *b = valid_file(len);
    memcpy(b + AT_KIND, kind, 16);
    fix_crc(b, *len);
    return b;
}

static void test_unknown_kind_refused(void **state) {
    (void)state;
    static const uint8_t hop[16] = {'h', 'o', 'p', 'f', 'i', 'e', 'l', 'd'};   /* ("encoder" is known now) */
    size_t len;
    uint8_t *b = with_kind(hop, &len);
    expect_refused(b, len, "unknown model kind \"hopfield\"");
    /* the header itself reads: another build may know the kind */
    lm_file_header h;
    assert_int_equal(lm_file_header_read(&h, b, len, NULL), 0);
    assert_string_equal(h.kind, "hopfield");
    free(b);
    /* a 15-byte name is the longest */
    static const uint8_t longest[16] = "abcdefghijklmno";
    b = with_kind(longest, &len);
    expect_refused(b, len, "unknown model kind \"abcdefghijklmno\"");
    free(b);
}

static void test_garbled_kind_refused(void **state) {
    (void)state;
    static const struct { uint8_t kind[16]; const char *why; } cases[] = {
        {{0}, "the model kind is empty"},
        {{'g', 'p', 't', 't', 't', 't', 't', 't', 't', 't', 't', 't', 't', 't', 't', 't'}, "not NUL-terminated"},
        {{'G', 'P', 'T'}, "byte 0x47"},
        {{'g', 'p', 0xff}, "byte 0xff"},
        {{'g', 'p', 't', ' '}, "byte 0x20"},
        {{'g', 'p', 't', 0, 'x'}, "not zero"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        uint8_t *b = with_kind(cases[i].kind, &len);
        expect_refused(b, len, cases[i].why);
        lm_file_header h;
        assert_int_equal(lm_file_header_read(&h, b, len, NULL), -1);
        free(b);
    }
}

/* the header's length must leave exactly a gpt config (32 bytes) after the
 * common fields */
static void test_kind_config_misfit_refused(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = valid_file(&len);
    /* four more header bytes: the body moves back by 4 */
    uint8_t *c = malloc(len + 4);
    memcpy(c, b, AT_TOK);
    memset(c + AT_TOK, 0, 4);
    memcpy(c + AT_TOK + 4, b + AT_TOK, len - AT_TOK);
    wr32(c + 12, 76);
    fix_crc(c, len + 4);
    expect_refused(c, len + 4, "a gpt config is 32 bytes, this header leaves 36");
    /* four fewer: the config's last field becomes the tokenizer's first bytes */
    memcpy(c, b, len);
    wr32(c + 12, 68);
    fix_crc(c, len);
    expect_refused(c, len, "a gpt config is 32 bytes, this header leaves 28");
    /* a header longer than any this build reads (nor the file holds) */
    memcpy(c, b, len);
    wr32(c + 12, 0xfffffff0u);
    expect_refused(c, len, "header length 4294967280, this build reads at most 4080");
    free(c);
    free(b);
}

/* `llmlab info PATH`: rc, and stdout + stderr (malloc'd) */
static int run_info(const char *path, char **out) {
    char *argv[] = {"info", (char *)path, NULL};
    return cli_capture(2, argv, out);
}

static void test_info_shows_kind(void **state) {
    (void)state;
    lm_model m;
    small_model(&m);
    size_t len;
    uint8_t *b = v1_file(&m, META, &len);
    char v1[300], v2[300], enc[300], *out;
    path_of(v1, sizeof v1, "info_v1.llm");
    spit(v1, b, len);
    free(b);
    path_of(v2, sizeof v2, "info_v2.llm");
    assert_int_equal(lm_save(&m, META, v2, NULL), 0);
    lm_model_free(&m);
    assert_int_equal(run_info(v1, &out), 0);
    if (!strstr(out, "kind         gpt (file format 1)\n")) fail_msg("%s", out);
    free(out);
    assert_int_equal(run_info(v2, &out), 0);
    if (!strstr(out, "kind         gpt (file format 2)\n")) fail_msg("%s", out);
    free(out);
    static const uint8_t kind[16] = "nosuchkind";   /* a kind no build knows ("rnn" is known now) */
    b = with_kind(kind, &len);
    path_of(enc, sizeof enc, "info_unknown.llm");
    spit(enc, b, len);
    free(b);
    assert_int_equal(run_info(enc, &out), 1);
    if (!strstr(out, "unknown model kind \"nosuchkind\"")) fail_msg("%s", out);
    free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version1_loads_as_gpt),
        cmocka_unit_test(test_new_file_round_trips_its_kind),
        cmocka_unit_test(test_unknown_kind_refused),
        cmocka_unit_test(test_garbled_kind_refused),
        cmocka_unit_test(test_kind_config_misfit_refused),
        cmocka_unit_test(test_info_shows_kind),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
