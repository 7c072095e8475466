/* test_scaling.c - the scaling sweep's core (src/core/scaling/): the power-law fit
 * on exact synthetic points and its refusals, sizes and token budgets as
 * text, parameter counts against the hand formula, the results file (round
 * trip and every kind of bad row, with the line it names), the points of
 * each law (largest budget per size, the compute frontier) on a hand-made
 * table, and tiny runs through the pretraining objective (the same run gives
 * the same loss whatever ran before it). The fit against numpy on noisy
 * points is tests/scaling_fit_test.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scaling/laws.h"
#include "scaling/powerlaw.h"
#include "scaling/results.h"
#include "scaling/sweep.h"

/* ---- the fit ---- */

static void test_fit_exact(void **state) {
    (void)state;
    /* L = 5 * N^-0.076 exactly: the fit gives back a, alpha, and R^2 = 1 */
    double x[5] = {1e3, 4e3, 3e4, 2e5, 1e6}, y[5];
    for (int i = 0; i < 5; i++) y[i] = 5.0 * pow(x[i], -0.076);
    lm_powerlaw p;
    lm_err err = {{0}};
    assert_int_equal(lm_powerlaw_fit(x, y, 5, &p, &err), 0);
    assert_true(fabs(p.alpha - 0.076) < 1e-12);
    assert_true(fabs(p.a - 5.0) < 1e-10);
    assert_true(fabs(p.r2 - 1.0) < 1e-12);
    assert_int_equal(p.n, 5);
    assert_true(fabs(lm_powerlaw_eval(&p, 1e4) - 5.0 * pow(1e4, -0.076)) < 1e-12);
    /* rising points: a negative exponent */
    for (int i = 0; i < 5; i++) y[i] = 0.5 * pow(x[i], 0.5);
    assert_int_equal(lm_powerlaw_fit(x, y, 5, &p, &err), 0);
    assert_true(fabs(p.alpha + 0.5) < 1e-12);
}

static void test_fit_by_hand(void **state) {
    (void)state;
    /* log10 x = 0, 1, 2 and log10 y = 0, -1, -1: slope -1/2, intercept -1/6,
     * residuals 1/6, -1/3, 1/6, SS_res = 1/6, SS_tot = 2/3, R^2 = 3/4 */
    double x[3] = {1, 10, 100}, y[3] = {1, 0.1, 0.1};
    lm_powerlaw p;
    assert_int_equal(lm_powerlaw_fit(x, y, 3, &p, NULL), 0);
    assert_true(fabs(p.alpha - 0.5) < 1e-12);
    assert_true(fabs(p.a - pow(10, -1.0 / 6)) < 1e-12);
    assert_true(fabs(p.r2 - 0.75) < 1e-12);
}

static void test_fit_refuses(void **state) {
    (void)state;
    double x[3] = {10, 10, 10}, y[3] = {1, 2, 3}, neg[3] = {1, -2, 3};
    lm_powerlaw p;
    lm_err err = {{0}};
    assert_int_equal(lm_powerlaw_fit(x, y, 1, &p, &err), -1);
    assert_non_null(strstr(err.msg, "at least 2 points"));
    assert_int_equal(lm_powerlaw_fit(x, y, 3, &p, &err), -1);
    assert_non_null(strstr(err.msg, "same x"));
    double x2[3] = {1, 10, 100};
    assert_int_equal(lm_powerlaw_fit(x2, neg, 3, &p, &err), -1);
    assert_non_null(strstr(err.msg, "point 2"));
    double nanv[3] = {1, NAN, 3};
    assert_int_equal(lm_powerlaw_fit(x2, nanv, 3, &p, &err), -1);
}

static void test_fit_offset(void **state) {
    (void)state;
    /* L = 1.5 + 2 * N^-0.3 exactly: the offset fit finds c, a, alpha, with no error */
    double x[6] = {1e3, 4e3, 3e4, 2e5, 1e6, 3e6}, y[6];
    for (int i = 0; i < 6; i++) y[i] = 1.5 + 2.0 * pow(x[i], -0.3);
    lm_powerlaw_offset o;
    lm_err err = {{0}};
    assert_int_equal(lm_powerlaw_fit_offset(x, y, 6, &o, &err), 0);
    if (fabs(o.c - 1.5) > 1e-7 || fabs(o.alpha - 0.3) > 1e-6 || fabs(o.a - 2.0) > 1e-5)
        fail_msg("c %.12g a %.12g alpha %.12g", o.c, o.a, o.alpha);
    assert_true(o.r2 > 1 - 1e-9 && o.sse < 1e-12);
    /* a pure power law (c = 0) is found as one */
    for (int i = 0; i < 6; i++) y[i] = 3.0 * pow(x[i], -0.1);
    assert_int_equal(lm_powerlaw_fit_offset(x, y, 6, &o, &err), 0);
    assert_true(o.c < 1e-9 && fabs(o.alpha - 0.1) < 1e-6);
    /* three numbers need three points */
    assert_int_equal(lm_powerlaw_fit_offset(x, y, 2, &o, &err), -1);
    assert_non_null(strstr(err.msg, "at least 3 points"));
}

/* ---- sizes, budgets, counts ---- */

static void test_sizes_and_budgets(void **state) {
    (void)state;
    lm_scaling_size s[4];
    lm_err err = {{0}};
    assert_int_equal(lm_scaling_sizes_parse("1x16,2x64,3x96x4,4X128", s, 4, &err), 4);
    assert_int_equal(s[0].n_layer, 1);
    assert_int_equal(s[0].d_model, 16);
    assert_int_equal(s[0].n_head, 1);    /* max(1, 16/32) */
    assert_int_equal(s[1].n_head, 2);    /* 64/32 */
    assert_int_equal(s[2].n_head, 4);
    assert_int_equal(s[3].n_head, 4);
    char buf[32];
    assert_string_equal(lm_scaling_size_format(&s[1], buf, sizeof buf), "2x64");
    assert_string_equal(lm_scaling_size_format(&s[2], buf, sizeof buf), "3x96x4");
    static const char *bad[] = {"", "2", "2x", "x64", "0x64", "2x0", "33x64", "2x64x", "2x64x0", "2x64y",
                                "-2x64", " 2x64", "2x4096", "2x48x5", "2x64,", ",2x64", "1x16,,2x64"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = 0;
        if (lm_scaling_sizes_parse(bad[i], s, 4, &err) != -1) fail_msg("size list '%s' was accepted", bad[i]);
        assert_true(err.msg[0] != 0);
    }
    assert_int_equal(lm_scaling_sizes_parse("1x8,1x8,1x8", s, 2, &err), -1);   /* more than max */
    assert_non_null(strstr(err.msg, "more than 2"));

    long long t[4];
    assert_int_equal(lm_scaling_tokens_list_parse("250000,250k,1.5M,2G", t, 4, &err), 4);
    assert_true(t[0] == 250000 && t[1] == 250000 && t[2] == 1500000 && t[3] == 2000000000LL);
    static const char *badt[] = {"", "0", "k", "1e5", "-5", "1.2345k", "1.5", "2T", "200G", "5 k", "0x10"};
    for (size_t i = 0; i < sizeof badt / sizeof badt[0]; i++)
        if (lm_scaling_tokens_parse(badt[i], t, &err) != -1) fail_msg("budget '%s' was accepted", badt[i]);
    /* the short form reads back exactly */
    long long vals[] = {1, 999, 1000, 4096, 250000, 251904, 1500000, 1048576, 4000000000LL};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        long long back = 0;
        lm_scaling_tokens_format(vals[i], buf, sizeof buf);
        if (lm_scaling_tokens_parse(buf, &back, &err) || back != vals[i])
            fail_msg("%lld -> '%s' -> %lld", vals[i], buf, back);
    }
    assert_string_equal(lm_scaling_tokens_format(250000, buf, sizeof buf), "250k");
    assert_string_equal(lm_scaling_tokens_format(1500000, buf, sizeof buf), "1.5M");
}

static void test_param_counts(void **state) {
    (void)state;
    /* per block: q,k,v 3C^2+3C, output C^2+C, MLP 4C^2+4C and 4C^2+C, two
     * LayerNorms 4C: 12C^2 + 13C; plus the final LayerNorm 2C. The
     * embeddings: V*C tokens + ctx*C positions. */
    int L[] = {1, 2, 3, 4}, C[] = {16, 64, 96, 128};
    lm_scaling_plan p = {.batch = 16, .seq = 64, .lr = 3e-3f, .seed = 1, .vocab_size = 256};
    for (int i = 0; i < 4; i++) {
        lm_scaling_size s = {L[i], C[i], lm_scaling_default_heads(C[i])};
        lm_config cfg;
        assert_int_equal(lm_scaling_config(&s, &p, &cfg, NULL), 0);
        long long c = C[i], want = 12 * L[i] * c * c + 13 * L[i] * c + 2 * c;
        assert_int_equal((long long)lm_param_count_nonembed(&cfg), want);
        assert_int_equal((long long)lm_param_count(&cfg), want + 256 * c + 64 * c);
        assert_int_equal(cfg.d_mlp, 4 * C[i]);
    }
    lm_config bad = {0};
    assert_int_equal(lm_param_count_nonembed(&bad), 0);
}

static void test_row_plan(void **state) {
    (void)state;
    lm_scaling_plan p = {.batch = 16, .seq = 64, .lr = 3e-3f, .seed = 7, .vocab_size = 256};
    lm_scaling_size s = {2, 64, 2};
    lm_scaling_row r;
    assert_int_equal(lm_scaling_row_plan(&r, &s, 250000, &p, NULL), 0);
    assert_int_equal(r.steps, 245);   /* ceil(250000 / 1024) */
    assert_int_equal(r.tokens, 245 * 1024);
    assert_int_equal(r.params_nonembed, 12 * 2 * 64 * 64 + 13 * 2 * 64 + 2 * 64);
    assert_true(lm_scaling_compute(&r) == 6.0 * (double)r.params_nonembed * (double)r.tokens);
    assert_true(fabs(lm_scaling_tokens_per_param(&r) - (double)r.tokens / (double)r.params) < 1e-12);
    lm_scaling_row r2;
    assert_int_equal(lm_scaling_row_plan(&r2, &s, 250880, &p, NULL), 0);   /* the same whole steps */
    assert_true(lm_scaling_same_run(&r, &r2));
    p.seed = 8;
    assert_int_equal(lm_scaling_row_plan(&r2, &s, 250000, &p, NULL), 0);
    assert_false(lm_scaling_same_run(&r, &r2));
    lm_err err = {{0}};
    lm_scaling_size wide = {1, 30, 4};   /* 30 is not divisible by 4 */
    assert_int_equal(lm_scaling_row_plan(&r2, &wide, 1000, &p, &err), -1);
}

/* ---- the results file ---- */

static lm_scaling_row row_of(int L, int C, long long tokens, double val) {
    lm_scaling_plan p = {.batch = 8, .seq = 32, .lr = 3e-3f, .seed = 1234, .vocab_size = 256};
    lm_scaling_size s = {L, C, lm_scaling_default_heads(C)};
    lm_scaling_row r;
    if (lm_scaling_row_plan(&r, &s, tokens, &p, NULL)) fail_msg("plan %dx%d", L, C);
    r.train_loss = val + 0.01;
    r.val_loss = val;
    r.seconds = 1.5;
    return r;
}

static void test_tsv_round_trip(void **state) {
    (void)state;
    lm_scaling_table t = {0}, back = {0};
    lm_err err = {{0}};
    snprintf(t.source, sizeof t.source, "tokenizer=char data=x.txt");
    lm_scaling_row a = row_of(1, 16, 4096, 3.25), b = row_of(2, 64, 1000000, 2.125);
    b.lr = 0.001f;
    b.seed = 18446744073709551615ULL;
    assert_int_equal(lm_scaling_table_add(&t, &a, &err), 0);
    assert_int_equal(lm_scaling_table_add(&t, &b, &err), 0);
    size_t len;
    char *text = lm_scaling_tsv_format(&t, &len, &err);
    assert_non_null(text);
    assert_int_equal(lm_scaling_tsv_parse(&back, text, len, "t.tsv", &err), 0);
    assert_int_equal(back.n, 2);
    assert_string_equal(back.source, t.source);
    for (int i = 0; i < 2; i++) {
        assert_true(lm_scaling_same_run(&back.rows[i], &t.rows[i]));
        assert_true(back.rows[i].params == t.rows[i].params);
        assert_true(back.rows[i].val_loss == t.rows[i].val_loss);
        assert_true(back.rows[i].seed == t.rows[i].seed);
    }
    assert_int_equal(lm_scaling_table_find(&back, &b), 1);
    lm_scaling_row c = row_of(1, 32, 4096, 3.0);
    assert_int_equal(lm_scaling_table_find(&back, &c), -1);
    free(text);
    lm_scaling_table_free(&t);
    lm_scaling_table_free(&back);
}

/* a file of the header and one row whose field `col` (0-based) is `value` */
static int parse_with_field(int col, const char *value, lm_err *err) {
    lm_scaling_row r = row_of(2, 64, 4096, 2.5);
    lm_scaling_table t = {0};
    lm_scaling_table_add(&t, &r, err);
    size_t len;
    char *text = lm_scaling_tsv_format(&t, &len, err);
    lm_scaling_table_free(&t);
    /* the row is the last line; replace its field col */
    char *row = text + len - 1;
    while (row > text && row[-1] != '\n') row--;
    char fields[16][64];
    int n = 0;
    for (char *p = row; n < 16; n++) {
        size_t k = strcspn(p, "\t\n");
        snprintf(fields[n], sizeof fields[n], "%.*s", (int)k, p);
        p += k + 1;
    }
    snprintf(fields[col], sizeof fields[col], "%s", value);
    char out[2048];
    int o = snprintf(out, sizeof out, "%.*s", (int)(row - text), text);
    for (int i = 0; i < 16; i++) o += snprintf(out + o, sizeof out - o, "%s%s", i ? "\t" : "", fields[i]);
    snprintf(out + o, sizeof out - o, "\n");
    free(text);
    lm_scaling_table back = {0};
    int rc = lm_scaling_tsv_parse(&back, out, strlen(out), "r.tsv", err);
    if (rc) assert_int_equal(back.n, 0);   /* nothing half-read */
    lm_scaling_table_free(&back);
    return rc;
}

static void expect_bad_field(int col, const char *value, const char *msg) {
    lm_err err = {{0}};
    if (parse_with_field(col, value, &err) != -1) fail_msg("column %d = '%s' was accepted", col, value);
    if (!strstr(err.msg, msg) || !strstr(err.msg, "r.tsv:4:"))
        fail_msg("column %d = '%s': message '%s' lacks '%s' or the line", col, value, err.msg, msg);
}

static void test_tsv_bad_fields(void **state) {
    (void)state;
    lm_err err = {{0}};
    assert_int_equal(parse_with_field(0, "2", &err), 0);   /* the fixture itself is fine */
    expect_bad_field(0, "two", "layers 'two' is not a whole number");
    expect_bad_field(0, "0", "layers '0'");
    expect_bad_field(0, "-2", "layers '-2'");
    expect_bad_field(1, "99999999999999999999999", "width");
    expect_bad_field(2, "3", "not a model");                 /* 64 not divisible by 3 */
    expect_bad_field(5, "12345", "are not the counts of 2 layers x width 64");
    expect_bad_field(6, "0", "are not the counts");
    expect_bad_field(7, "4097", "tokens 4097 is not steps x batch x seq");
    expect_bad_field(10, "64", "seq 64 is longer than the context 32");
    expect_bad_field(11, "0", "lr '0' is not a learning rate");
    expect_bad_field(11, "nan", "lr 'nan'");
    expect_bad_field(12, "-1", "seed '-1'");
    expect_bad_field(13, "inf", "train_loss 'inf' is not a loss");
    expect_bad_field(14, "nan", "val_loss 'nan' is not a loss");
    expect_bad_field(14, "-2.5", "val_loss '-2.5'");
    expect_bad_field(14, "0.0000001", "val_loss '0.0000001'");   /* would be written back as 0 */
    expect_bad_field(11, "1e-50", "lr '1e-50'");                 /* 0 as a float */
    expect_bad_field(14, "2.5x", "val_loss '2.5x'");
    expect_bad_field(14, "", "val_loss ''");
    expect_bad_field(15, "-1", "seconds '-1'");
    expect_bad_field(14, "\033[2Jboom", "val_loss '?[2Jboom'");   /* no raw escape in a message */
}

static void expect_bad_file(const char *text, const char *msg) {
    lm_scaling_table t = {0};
    lm_err err = {{0}};
    if (lm_scaling_tsv_parse(&t, text, strlen(text), "f.tsv", &err) != -1) fail_msg("'%s' was accepted", text);
    if (!strstr(err.msg, msg)) fail_msg("message '%s' lacks '%s'", err.msg, msg);
    assert_int_equal(t.n, 0);
}

static void test_tsv_bad_files(void **state) {
    (void)state;
    expect_bad_file("", "no header line");
    expect_bad_file("# just a comment\n\n", "no header line");
    expect_bad_file("layers\twidth\n", "f.tsv:1: the header ends after column 2");
    expect_bad_file("size\tlayers\n", "f.tsv:1: the header's column 1 is 'size', expected 'layers'");
    expect_bad_file("# c\nlayers,width,heads\n", "f.tsv:2: the header's column 1 is 'layers,width,heads'");
    expect_bad_file(LM_SCALING_COLUMNS "\textra\n", "more than the 16 columns");
    expect_bad_file(LM_SCALING_COLUMNS "\n1\t16\t1\n", "f.tsv:2: 3 fields, the header has 16");
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    expect_bad_file(big, "f.tsv:1: a line longer than 1024 bytes");
    /* a NUL byte, on line 2 */
    lm_scaling_table t = {0};
    lm_err err = {{0}};
    const char nul[] = "# a\n# b\0c\n";
    assert_int_equal(lm_scaling_tsv_parse(&t, nul, sizeof nul - 1, "f.tsv", &err), -1);
    assert_non_null(strstr(err.msg, "f.tsv:2: a NUL byte"));
    /* Windows line ends, blank lines and comments are fine; an empty table is a table */
    const char ok[] = "# c\r\n\r\n# source: tokenizer=char\r\n" LM_SCALING_COLUMNS "\r\n\r\n";
    assert_int_equal(lm_scaling_tsv_parse(&t, ok, sizeof ok - 1, "f.tsv", &err), 0);
    assert_int_equal(t.n, 0);
    assert_string_equal(t.source, "tokenizer=char");
    lm_scaling_table_free(&t);
    /* a missing file and a folder */
    assert_int_equal(lm_scaling_tsv_load(&t, "/nonexistent/x.tsv", &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent/x.tsv"));
    assert_int_equal(lm_scaling_tsv_load(&t, "/", &err), -1);
}

/* ---- the laws' points ---- */

static void test_laws_points(void **state) {
    (void)state;
    lm_scaling_table t = {0};
    lm_err err = {{0}};
    /* sizes 1x16 (N 3312), 1x32 (N 12768), 2x64 (N 100096); budgets in steps of 256 tokens */
    struct { int L, C; long long D; double val; } rows[] = {
        {2, 64, 2560, 4.0},    /* C = 6*100096*2560  = 1.54e9 */
        {1, 16, 2560, 4.5},    /* C = 5.09e7: the cheapest, on the frontier */
        {1, 16, 25600, 3.9},   /* 5.09e8: frontier */
        {1, 32, 2560, 4.2},    /* 1.96e8: frontier (4.2 < 4.5) */
        {1, 32, 25600, 3.5},   /* 1.96e9: frontier */
        {2, 64, 25600, 3.0},   /* 1.54e10: frontier */
        {1, 16, 256000, 3.6},  /* 5.09e9: beaten by 1x32 at 1.96e9 (3.5): not on it */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        lm_scaling_row r = row_of(rows[i].L, rows[i].C, rows[i].D, rows[i].val);
        assert_int_equal(lm_scaling_table_add(&t, &r, &err), 0);
    }
    lm_scaling_laws l;
    assert_int_equal(lm_scaling_laws_fit(&t, &l, &err), 0);
    assert_int_equal(l.n_sizes, 3);
    int want_size[] = {2, 0, 0, 1, 1, 2, 0};
    for (int i = 0; i < 7; i++) assert_int_equal(l.size_of[i], want_size[i]);
    /* L(N): each size's largest budget, in order of N: rows 6, 4, 5 */
    assert_int_equal(l.by_params.n, 3);
    assert_int_equal(l.by_params.idx[0], 6);
    assert_int_equal(l.by_params.idx[1], 4);
    assert_int_equal(l.by_params.idx[2], 5);
    assert_true(l.by_params.fitted);
    double x[3], y[3] = {3.6, 3.5, 3.0};   /* N = 12LC^2 + 13LC + 2C of 1x16, 1x32, 2x64 */
    int LC[3][2] = {{1, 16}, {1, 32}, {2, 64}};
    for (int k = 0; k < 3; k++) x[k] = 12.0 * LC[k][0] * LC[k][1] * LC[k][1] + 13.0 * LC[k][0] * LC[k][1] + 2.0 * LC[k][1];
    lm_powerlaw p;
    assert_int_equal(lm_powerlaw_fit(x, y, 3, &p, NULL), 0);
    assert_true(p.alpha == l.by_params.fit.alpha);
    /* L(C): the frontier in order of compute: rows 1, 3, 2, 4, 5 */
    int want_front[] = {1, 3, 2, 4, 5};
    assert_int_equal(l.by_compute.n, 5);
    for (int k = 0; k < 5; k++) assert_int_equal(l.by_compute.idx[k], want_front[k]);
    lm_scaling_laws_free(&l);

    /* one size: no L(N) (a single point), the reason said */
    lm_scaling_table one = {0};
    lm_scaling_row r = row_of(1, 16, 2560, 4.5);
    lm_scaling_table_add(&one, &r, &err);
    assert_int_equal(lm_scaling_laws_fit(&one, &l, &err), 0);
    assert_false(l.by_params.fitted);
    assert_non_null(strstr(l.by_params.why, "at least 2 points"));
    lm_scaling_laws_free(&l);
    lm_scaling_table_free(&one);
    lm_scaling_table empty = {0};
    assert_int_equal(lm_scaling_laws_fit(&empty, &l, &err), -1);
    lm_scaling_table_free(&t);
}

/* ---- runs ---- */

static lm_objective *tiny_objective(int B, int T) {
    lm_err err = {{0}};
    lm_objective *o = lm_obj_pretrain_new(&err);
    assert_non_null(o);
    lm_tokenizer *tok = lm_tok_byte_new();
    /* the built-in text; the last 5% held out */
    lm_data_opts d = {.B = B, .T = T, .val_batches = 2, .seed = 5};
    if (o->ops->prepare(o, tok, &d, &err)) fail_msg("prepare: %s", err.msg);
    lm_tok_free(tok);
    assert_true(o->n_val > 0);
    return o;
}

static double run_once(lm_objective *o, const lm_scaling_row *plan, int *steps) {
    lm_scaling_run run;
    lm_err err = {{0}};
    if (lm_scaling_run_begin(&run, o, plan, &err)) fail_msg("begin: %s", err.msg);
    int n = 0;
    while (!lm_scaling_run_done(&run)) {
        lm_figures f;
        if (lm_scaling_run_step(&run, &f, &err)) fail_msg("step: %s", err.msg);
        assert_true(isfinite(lm_figures_get(&f, "loss")));
        n++;
    }
    lm_figures f;
    assert_int_equal(lm_scaling_run_step(&run, &f, &err), -1);   /* no step past the plan */
    if (lm_scaling_run_finish(&run, &err)) fail_msg("finish: %s", err.msg);
    double v = run.row.val_loss;
    assert_true(isfinite(v) && v > 0 && isfinite(run.row.train_loss));
    lm_scaling_run_free(&run);
    *steps = n;
    return v;
}

static void test_runs(void **state) {
    (void)state;
    lm_set_threads(1);
    lm_objective *o = tiny_objective(4, 16);
    lm_scaling_plan p = {.batch = 4, .seq = 16, .lr = 1e-2f, .seed = 3, .vocab_size = 256};
    lm_scaling_size small = {1, 8, 1}, big = {1, 16, 1};
    lm_scaling_row a, b;
    assert_int_equal(lm_scaling_row_plan(&a, &small, 640, &p, NULL), 0);   /* 10 steps of 64 */
    assert_int_equal(lm_scaling_row_plan(&b, &big, 640, &p, NULL), 0);
    int steps;
    double va = run_once(o, &a, &steps);
    assert_int_equal(steps, 10);
    double vb = run_once(o, &b, &steps);
    /* the same run again, after another one: the same batches, the same loss */
    double va2 = run_once(o, &a, &steps);
    assert_true(va == va2);
    assert_true(vb != va);
    /* 10 steps of training lower the loss below a uniform guess, ln 256 */
    assert_true(va < log(256.0));
    /* an objective prepared for other batches is refused */
    lm_scaling_plan q = p;
    q.batch = 8;
    lm_scaling_row c;
    assert_int_equal(lm_scaling_row_plan(&c, &small, 640, &q, NULL), 0);
    lm_scaling_run run;
    lm_err err = {{0}};
    assert_int_equal(lm_scaling_run_begin(&run, o, &c, &err), -1);
    assert_non_null(strstr(err.msg, "prepared for batches of 4 x 16"));
    lm_scaling_run_free(&run);
    lm_objective_free(o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_exact),      cmocka_unit_test(test_fit_by_hand),
        cmocka_unit_test(test_fit_refuses),    cmocka_unit_test(test_fit_offset),
        cmocka_unit_test(test_sizes_and_budgets),
        cmocka_unit_test(test_param_counts),   cmocka_unit_test(test_row_plan),
        cmocka_unit_test(test_tsv_round_trip), cmocka_unit_test(test_tsv_bad_fields),
        cmocka_unit_test(test_tsv_bad_files),  cmocka_unit_test(test_laws_points),
        cmocka_unit_test(test_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
