/* test_nlm_files.c - model files of kinds fflm and rnn from outside:
 * every damaged or hostile file is refused with a message that says what
 * is wrong (a config out of range, a cell that does not exist, a parameter
 * count that does not fit the config, another kind's config under this
 * kind's name, a non-finite weight, a bad checksum, a cut file), never a
 * crash; and a file that is fine loads with its weights, step and
 * tokeniser. Files are built with lm_save_parts and then changed byte by
 * byte (the CRC refreshed, so the check under test is the one that fires). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "io/crc32.h"
#include "models/fflm/fflm.h"
#include "models/lmodel.h"
#include "models/rnn/rnn.h"
#include "train/nlm_step.h"

typedef struct {
    uint8_t *b;
    size_t n;
} bytes;

/* the bytes lm_save_parts writes for a model m (adam_t 4, metadata "made=test\n") */
static bytes file_of(lm_nlm *m) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_nlm_files_%d.llm", (int)getpid());
    m->ps.adam_t = 4;
    lm_kind_ckpt k = lm_nlm_ckpt(m);
    lm_file_parts p = k.head;
    p.params = m->ps.params;
    p.n_params = m->ps.n;
    p.adam_t = m->ps.adam_t;
    p.metadata = "made=test\n";
    lm_err err = {{0}};
    if (lm_save_parts(&p, path, &err)) fail_msg("%s", err.msg);
    FILE *f = fopen(path, "rb");
    bytes out = {malloc(1 << 20), 0};
    out.n = fread(out.b, 1, 1 << 20, f);
    fclose(f);
    unlink(path);
    return out;
}

static lm_nlm *small_rnn(void) {
    lm_rnn_config c = {11, 3, 4, LM_RNN_GRU};
    lm_nlm *m = NULL;
    assert_int_equal(lm_rnn_new(&m, &c, 2, NULL), 0);
    return m;
}

static lm_nlm *small_fflm(void) {
    lm_fflm_config c = {11, 3, 2, 5, 1};
    lm_nlm *m = NULL;
    assert_int_equal(lm_fflm_new(&m, &c, 2, NULL), 0);
    return m;
}

static void put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void fix_crc(bytes *f) { put32(f->b + f->n - 4, lm_crc32(0, f->b, f->n - 4)); }

/* the i-th i32 of the config */
static uint8_t *cfg_field(const bytes *f, int i) {
    lm_file_header h;
    assert_int_equal(lm_file_header_read(&h, f->b, f->n, NULL), 0);
    return f->b + h.config_at + 4 * i;
}

/* f with config field i set to v (CRC refreshed) must be refused saying want */
static void refused(const bytes *good, int field, uint32_t v, const char *want) {
    bytes f = {malloc(good->n), good->n};
    memcpy(f.b, good->b, f.n);
    if (field >= 0) put32(cfg_field(&f, field), v);
    fix_crc(&f);
    lm_file_parts p;
    lm_err err = {{0}};
    if (lm_load_parts_mem(&p, f.b, f.n, &err) == 0) fail_msg("loaded a file with config field %d = %u", field, v);
    if (!strstr(err.msg, want)) fail_msg("message \"%s\" does not say \"%s\"", err.msg, want);
    free(f.b);
}

static void test_good_files_load(void **state) {
    (void)state;
    lm_nlm *ms[2] = {small_rnn(), small_fflm()};
    for (int i = 0; i < 2; i++) {
        bytes f = file_of(ms[i]);
        lm_file_parts p;
        lm_err err = {{0}};
        if (lm_load_parts_mem(&p, f.b, f.n, &err)) fail_msg("%s", err.msg);
        lm_nlm *m = NULL;
        if (lm_nlm_from_parts(&m, &p, &err)) fail_msg("%s", err.msg);
        assert_string_equal(m->kind, ms[i]->kind);
        assert_int_equal(m->ps.adam_t, 4);
        assert_int_equal(m->ps.n, ms[i]->ps.n);
        assert_memory_equal(m->ps.params, ms[i]->ps.params, m->ps.n * sizeof(float));
        assert_memory_equal(m->config, ms[i]->config, m->config_bytes);
        lm_nlm_free(m);
        lm_file_parts_free(&p);
        free(f.b);
    }
    lm_nlm_free(ms[0]);
    lm_nlm_free(ms[1]);
}

static void test_rnn_configs_refused(void **state) {
    (void)state;
    lm_nlm *m = small_rnn();
    bytes f = file_of(m);
    refused(&f, 3, 7, "cell 7 is neither 0 (elman) nor 1 (gru)");
    refused(&f, 3, 0, "parameters but its rnn config needs");    /* elman: another count */
    refused(&f, 0, 0, "vocabulary 0 is outside");
    refused(&f, 0, 0x80000000u, "vocabulary -2147483648 is outside");
    refused(&f, 1, 0, "embedding width 0 is outside");
    refused(&f, 2, 1u << 30, "hidden width 1073741824 is outside");
    refused(&f, 2, 5, "parameters but its rnn config needs");
    lm_nlm_free(m);
    free(f.b);
}

static void test_fflm_configs_refused(void **state) {
    (void)state;
    lm_nlm *m = small_fflm();
    bytes f = file_of(m);
    refused(&f, 1, 1000, "context 1000 is outside 1..64");
    refused(&f, 1, 0, "context 0 is outside");
    refused(&f, 4, 2, "direct is 0 or 1, not 2");
    refused(&f, 4, 0, "parameters but its fflm config needs");   /* no D: fewer numbers */
    refused(&f, 3, 0xffffffffu, "hidden width -1 is outside");
    refused(&f, 2, 5000, "embedding width 5000 is outside");
    lm_nlm_free(m);
    free(f.b);
}

static void test_other_damage_refused(void **state) {
    (void)state;
    lm_nlm *m = small_fflm();
    bytes good = file_of(m);
    /* an fflm's 20-byte config under the name rnn */
    bytes f = {malloc(good.n), good.n};
    memcpy(f.b, good.b, f.n);
    memcpy(f.b + 16, "rnn\0", 4);
    fix_crc(&f);
    lm_file_parts p;
    lm_err err = {{0}};
    assert_int_not_equal(lm_load_parts_mem(&p, f.b, f.n, &err), 0);
    assert_non_null(strstr(err.msg, "a rnn config is 16 bytes, this header leaves 20"));
    /* a NaN weight */
    memcpy(f.b, good.b, f.n);
    float nan = NAN;
    memcpy(f.b + f.n - 8, &nan, 4);
    fix_crc(&f);
    assert_int_not_equal(lm_load_parts_mem(&p, f.b, f.n, &err), 0);
    assert_non_null(strstr(err.msg, "not finite"));
    /* a flipped bit, CRC not refreshed */
    memcpy(f.b, good.b, f.n);
    f.b[f.n - 20] ^= 1;
    assert_int_not_equal(lm_load_parts_mem(&p, f.b, f.n, &err), 0);
    assert_non_null(strstr(err.msg, "checksum"));
    /* cut short */
    assert_int_not_equal(lm_load_parts_mem(&p, good.b, good.n - 10, &err), 0);
    assert_non_null(strstr(err.msg, "truncated"));
    /* a save of a config the kind refuses writes nothing */
    lm_file_parts bad = {.kind = "rnn", .config = (uint8_t *)"0123456789ab", .config_bytes = 12,
                         .params = m->ps.params, .n_params = m->ps.n};
    assert_int_not_equal(lm_save_parts(&bad, "/tmp/never_written_nlm.llm", &err), 0);
    assert_non_null(strstr(err.msg, "16 bytes"));
    assert_int_not_equal(access("/tmp/never_written_nlm.llm", F_OK), 0);
    /* the language-model interface names the file */
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_nlm_files_bad_%d.llm", (int)getpid());
    FILE *out = fopen(path, "wb");
    fwrite(f.b, 1, f.n, out);
    fclose(out);
    assert_null(lm_lmodel_open(path, &err));
    assert_non_null(strstr(err.msg, path));
    unlink(path);
    free(f.b);
    free(good.b);
    lm_nlm_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_files_load),     cmocka_unit_test(test_rnn_configs_refused),
        cmocka_unit_test(test_fflm_configs_refused), cmocka_unit_test(test_other_damage_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
