/* test_sandbox.c - the lesson policy (cli/sandbox.h) and the one escaping
 * function for the terminal (show_writer / show_text, cli/show.h).
 * Expected strings are written by hand from the rules in the headers; the
 * random test checks the property the escaping exists for: no byte that a
 * terminal reads as a control ever comes out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/rng.h"
#include "cli/sandbox.h"
#include "cli/show.h"

/* what a show_writer in the given mode makes of the pieces (NULL-terminated) */
static char *escape_pieces(int ascii, const char *const *pieces, const size_t *lens) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    show_writer w;
    show_writer_init(&w, f);
    w.ascii = ascii;
    for (int i = 0; pieces[i]; i++) show_writer_put(&w, pieces[i], lens ? lens[i] : strlen(pieces[i]));
    show_writer_end(&w);
    fclose(f);
    return buf;
}

static void expect_escape(int ascii, const char *in, const char *want) {
    const char *pieces[] = {in, NULL};
    char *got = escape_pieces(ascii, pieces, NULL);
    assert_string_equal(got, want);
    free(got);
}

static void test_controls(void **state) {
    (void)state;
    expect_escape(0, "a\x1b[2Jb", "a<0x1B>[2Jb");                                /* CSI: clear screen */
    expect_escape(0, "\x1b]0;title\x07", "<0x1B>]0;title<0x07>");                /* OSC: window title */
    expect_escape(0, "\x1b]52;c;aGk=\x1b\\", "<0x1B>]52;c;aGk=<0x1B>\\");        /* OSC 52: clipboard */
    expect_escape(0, "x\xc2\x9b" "31my", "x<0xC2><0x9B>31my");                   /* U+009B: C1 CSI */
    expect_escape(0, "\xc2\x80\xc2\x9f\xc2\xa0", "<0xC2><0x80><0xC2><0x9F>\xc2\xa0");   /* C1 range, NBSP kept */
    expect_escape(0, "line\n\tnext\r\x7f", "line\n\tnext<0x0D><0x7F>");
    expect_escape(0, "\x9b", "<0x9B>");                                          /* a lone C1 byte */
}

static void test_utf8(void **state) {
    (void)state;
    expect_escape(0, "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x99\x82", "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x99\x82");
    expect_escape(1, "caf\xc3\xa9", "caf<0xC3><0xA9>");                         /* no UTF-8 terminal */
    expect_escape(0, "\xc0\xaf", "<0xC0><0xAF>");                                /* overlong '/' */
    expect_escape(0, "\xed\xa0\x80", "<0xED><0xA0><0x80>");                      /* a surrogate */
    expect_escape(0, "\xe2\x82" "a", "<0xE2><0x82>a");                           /* cut short */
    expect_escape(0, "\xe2\x82", "<0xE2><0x82>");                                /* unfinished at the end */
    /* a character split across two tokens is still one character, a C1 control too */
    const char *e[] = {"caf\xc3", "\xa9!", NULL};
    char *got = escape_pieces(0, e, NULL);
    assert_string_equal(got, "caf\xc3\xa9!");
    free(got);
    const char *c1[] = {"a\xc2", "\x9b" "b", NULL};
    got = escape_pieces(0, c1, NULL);
    assert_string_equal(got, "a<0xC2><0x9B>b");
    free(got);
}

/* random bytes in random pieces: nothing a terminal reads as a control */
static void test_random_never_controls(void **state) {
    (void)state;
    lm_rng rng;
    lm_rng_seed(&rng, 10);
    for (int round = 0; round < 2000; round++) {
        char bytes[64];
        size_t n = 1 + lm_rng_u32(&rng) % sizeof bytes;
        for (size_t i = 0; i < n; i++) bytes[i] = (char)(lm_rng_u32(&rng) & 0xff);
        size_t cut = lm_rng_u32(&rng) % (n + 1);
        const char *pieces[] = {bytes, bytes + cut, NULL};
        size_t lens[] = {cut, n - cut};
        char *out = escape_pieces(round & 1, pieces, lens);
        for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
            assert_false((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f);
            assert_false(p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0);
            if (round & 1) assert_true(*p < 0x80);
        }
        free(out);
    }
}

/* ---- the policy ---- */
static char base[256], lessons[300], outside[300];

static void make_file(const char *path) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("x\n", f);
    fclose(f);
}

static void test_outside_a_lesson_nothing_changes(void **state) {
    (void)state;
    cli_ctx ctx;
    cli_ctx_init(&ctx, stdout, stderr);
    const char *p = "/etc/passwd";
    assert_ptr_equal(cli_sandbox_read(&ctx, p, NULL), p);
    assert_ptr_equal(cli_sandbox_write(&ctx, p, NULL), p);
    assert_int_equal(cli_sandbox_no_terminal(&ctx, "repl"), 0);
    cli_ctx_free(&ctx);
}

static void test_policy(void **state) {
    (void)state;
    FILE *sink = fopen("/dev/null", "w");
    cli_ctx ctx;
    cli_ctx_init(&ctx, sink, sink);
    char path[512];
    snprintf(path, sizeof path, "%s/a.md", lessons);
    lm_err err = {{0}};
    cli_sandbox_opts o = {0};
    assert_int_equal(cli_sandbox_enter(&ctx, path, &o, &err), 0);
    /* writes: relative names land in a fresh scratch folder under TMPDIR */
    const char *w = cli_sandbox_write(&ctx, "sub/m.llm", &err);
    assert_non_null(w);
    assert_int_equal(strncmp(w, base, strlen(base)), 0);
    assert_non_null(strstr(w, "/tmp/llmlab-lesson-a-"));
    char scratch[512];
    snprintf(scratch, sizeof scratch, "%.*s", (int)(strstr(w, "/sub/m.llm") - w), w);
    make_file(w);
    assert_non_null(cli_sandbox_write(&ctx, w, &err));   /* its own file, by its full name */
    assert_string_equal(cli_sandbox_read(&ctx, "sub/m.llm", &err), w);
    assert_null(cli_sandbox_write(&ctx, "../x", &err));
    assert_non_null(strstr(err.msg, ".."));
    snprintf(path, sizeof path, "%s/new.llm", outside);
    assert_null(cli_sandbox_write(&ctx, path, &err));
    assert_non_null(strstr(err.msg, "--allow-write"));
    assert_non_null(strstr(err.msg, path));
    /* reads: the lesson's folder yes; elsewhere, .. or stdin no */
    snprintf(path, sizeof path, "%s/a.md", lessons);
    assert_non_null(cli_sandbox_read(&ctx, path, &err));
    snprintf(path, sizeof path, "%s/secret", outside);
    assert_null(cli_sandbox_read(&ctx, path, &err));
    assert_non_null(strstr(err.msg, "--allow-read"));
    snprintf(path, sizeof path, "%s/../outside/secret", lessons);
    assert_null(cli_sandbox_read(&ctx, path, &err));
    assert_null(cli_sandbox_read(&ctx, "-", &err));
    assert_int_equal(cli_sandbox_no_terminal(&ctx, "repl"), 1);
    /* nesting: no cycles, no self-consent, at most 4 deep */
    snprintf(path, sizeof path, "%s/a.md", lessons);
    assert_int_equal(cli_sandbox_enter(&ctx, path, &o, &err), -1);
    assert_non_null(strstr(err.msg, "already running"));
    cli_sandbox_opts consent = {.allow_write = 1};
    snprintf(path, sizeof path, "%s/b.md", lessons);
    assert_int_equal(cli_sandbox_enter(&ctx, path, &consent, &err), -1);
    const char *names[] = {"b.md", "c.md", "d.md", "e.md"};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", lessons, names[i]);
        assert_int_equal(cli_sandbox_enter(&ctx, path, &o, &err), i < 3 ? 0 : -1);
    }
    assert_non_null(strstr(err.msg, "too deep"));
    for (int i = 0; i < 3; i++) cli_sandbox_leave(&ctx);
    assert_non_null(ctx.sandbox);
    cli_sandbox_leave(&ctx);   /* the outermost: the scratch folder goes */
    assert_null(ctx.sandbox);
    struct stat st;
    assert_int_not_equal(stat(scratch, &st), 0);
    cli_ctx_free(&ctx);
    fclose(sink);
}

static int setup(void **state) {
    (void)state;
    snprintf(base, sizeof base, "/tmp/test_sandbox-XXXXXX");
    if (!mkdtemp(base)) return -1;
    char p[400];
    snprintf(lessons, sizeof lessons, "%s/lessons", base);
    snprintf(outside, sizeof outside, "%s/outside", base);
    snprintf(p, sizeof p, "%s/tmp", base);
    mkdir(lessons, 0700);
    mkdir(outside, 0700);
    mkdir(p, 0700);
    setenv("TMPDIR", p, 1);
    const char *files[] = {"lessons/a.md", "lessons/b.md", "lessons/c.md", "lessons/d.md", "lessons/e.md", "outside/secret"};
    for (int i = 0; i < 6; i++) {
        snprintf(p, sizeof p, "%s/%s", base, files[i]);
        make_file(p);
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controls),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_random_never_controls),
        cmocka_unit_test(test_outside_a_lesson_nothing_changes),
        cmocka_unit_test(test_policy),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
