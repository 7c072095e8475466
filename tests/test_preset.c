/* test_preset.c - the preset file (cli/preset.h) and the recording
 * (ui/record.h): what they read, what they refuse, and that writing then
 * reading gives back the same settings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli/preset.h"
#include "ui/record.h"

static int parse(const char *text, cli_preset *p, lm_err *err) { return cli_preset_parse(p, text, strlen(text), err); }

static void test_reads_every_setting(void **st) {
    (void)st;
    cli_preset p;
    lm_err err = {{0}};
    const char *t = "llmlab-preset 1\n# comment\n\nmodel /m/base.llm\ninstruct /m/i.llm\nview 3\n"
                    "prompt Q:\\tA\\nB \\\\ end\nchat 1\ngreedy 0\ntemperature 0.7\ntop_k 40\ntop_p 0.9\nseed 18446744073709551615\n"
                    "context slide\n";
    assert_int_equal(parse(t, &p, &err), 0);
    assert_int_equal(p.slide, 1);
    assert_true(p.has & PRESET_CONTEXT);
    assert_string_equal(p.model, "/m/base.llm");
    assert_string_equal(p.instruct, "/m/i.llm");
    assert_int_equal(p.view, 3);
    assert_string_equal(p.prompt, "Q:\tA\nB \\ end");
    assert_int_equal(p.chat, 1);
    assert_int_equal(p.top_k, 40);
    assert_true(p.temperature > 0.69f && p.temperature < 0.71f);
    assert_true(p.top_p > 0.89f && p.top_p < 0.91f);
    assert_true(p.seed == UINT64_MAX);
}

static void test_refuses(void **st) {
    (void)st;
    static const struct { const char *text, *msg; } bad[] = {
        {"llmlab-preset 2\n", "line 1"},
        {"model x\n", "line 1"},
        {"llmlab-preset 1\nsystem rm -rf /\n", "line 2: unknown setting 'system'"},
        {"llmlab-preset 1\nview 1\nview 2\n", "line 3: 'view' given twice"},
        {"llmlab-preset 1\nview 0\n", "line 2: bad value"},
        {"llmlab-preset 1\ntop_p 0\n", "line 2: bad value"},
        {"llmlab-preset 1\ntemperature nan\n", "line 2: bad value"},
        {"llmlab-preset 1\ntop_k 12abc\n", "line 2: bad value"},
        {"llmlab-preset 1\nseed -1\n", "line 2: bad value"},
        {"llmlab-preset 1\ncontext wrap\n", "line 2: bad value"},
        {"llmlab-preset 1\nprompt a\\qb\n", "line 2: prompt"},
        {"llmlab-preset 1\nprompt a\tb\n", "line 2: a control character"},
        {"llmlab-preset 1\nmodel\n", "line 2: expected"},
        {"", "empty"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cli_preset p;
        lm_err err = {{0}};
        assert_int_equal(parse(bad[i].text, &p, &err), -1);
        if (!strstr(err.msg, bad[i].msg)) fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].msg);
    }
    cli_preset p;
    lm_err err = {{0}};
    assert_int_equal(cli_preset_parse(&p, "llmlab-preset 1\n\0view 1\n", 24, &err), -1);   /* a NUL byte */
}

static void test_write_then_read(void **st) {
    (void)st;
    cli_preset a = {0}, b;
    a.has = PRESET_MODEL | PRESET_VIEW | PRESET_PROMPT | PRESET_TEMP | PRESET_TOPP | PRESET_SEED | PRESET_GREEDY |
            PRESET_CONTEXT;
    a.slide = 1;
    strcpy(a.model, "/x/y z.llm");
    a.view = 7;
    strcpy(a.prompt, "line one\nline\ttwo \\ three");
    a.temperature = 1.7f;
    a.top_p = 0.95f;
    a.seed = 123456789012345ull;
    a.greedy = 1;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fputs("llmlab-preset 1\n", f);
    cli_preset_write(f, &a);
    fclose(f);
    lm_err err = {{0}};
    assert_int_equal(cli_preset_parse(&b, buf, len, &err), 0);
    free(buf);
    assert_int_equal(b.has, a.has);
    assert_string_equal(b.model, a.model);
    assert_string_equal(b.prompt, a.prompt);
    assert_int_equal(b.view, 7);
    assert_true(b.temperature == a.temperature && b.top_p == a.top_p && b.seed == a.seed && b.greedy == 1);
    assert_int_equal(b.slide, 1);
}

static void test_preset_path(void **st) {
    (void)st;
    char out[LM_PATH_MAX];
    lm_err err = {{0}};
    setenv("XDG_CONFIG_HOME", "/cfg", 1);
    assert_int_equal(cli_preset_path("lesson-1", out, sizeof out, 0, &err), 0);
    assert_string_equal(out, "/cfg/llmlab/presets/lesson-1.preset");
    assert_int_equal(cli_preset_path("../etc/x.preset", out, sizeof out, 0, &err), 0);   /* a path is a path */
    assert_string_equal(out, "../etc/x.preset");
    assert_int_equal(cli_preset_path("a b", out, sizeof out, 0, &err), -1);
    assert_int_equal(cli_preset_path("..", out, sizeof out, 0, &err), -1);
}

static void test_recording(void **st) {
    (void)st;
    char path[] = "/tmp/llmlab-rec-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    cli_preset p = {0};
    p.has = PRESET_PROMPT | PRESET_VIEW;
    strcpy(p.prompt, "hi");
    p.view = 2;
    rec_write_start(f, 120, 40, &p);
    rec_write_key(f, 'x', 0);
    rec_write_key(f, 260, 1);
    fclose(f);
    rec_session r;
    lm_err err = {{0}};
    assert_int_equal(rec_load(path, &r, &err), 0);
    assert_int_equal(r.cols, 120);
    assert_int_equal(r.rows, 40);
    assert_string_equal(r.settings.prompt, "hi");
    assert_int_equal(r.n_keys, 2);
    assert_int_equal(r.keys[0].ch, 'x');
    assert_int_equal(r.keys[0].is_key, 0);
    assert_int_equal(r.keys[1].ch, 260);
    assert_int_equal(r.keys[1].is_key, 1);
    rec_free(&r);
    f = fopen(path, "w");
    fputs("llmlab-record 1\nkey c 97\nkey z 1\n", f);
    fclose(f);
    assert_int_equal(rec_load(path, &r, &err), -1);
    assert_non_null(strstr(err.msg, "line 3"));
    unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_every_setting), cmocka_unit_test(test_refuses),
        cmocka_unit_test(test_write_then_read),     cmocka_unit_test(test_preset_path),
        cmocka_unit_test(test_recording),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
