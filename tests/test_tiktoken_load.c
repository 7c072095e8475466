/* test_tiktoken_load.c - .tiktoken files from outside: CRLF line endings,
 * devices and FIFOs refused, a big file refused after its first line (or by
 * its size) without reading it all, and messages naming the file once. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "tok/tokenizer.h"
#include "tmpdir_fixture.h"

static char dir[256];

static int setup(void **state) {
    (void)state;
    return tmpdir_make(dir, sizeof dir, "tiktoken_load");
}

static int teardown(void **state) {
    (void)state;
    return tmpdir_remove(dir);
}

static long peak_kb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* the 256 single bytes as a .tiktoken text, lines ending in eol */
static size_t bytes_file(char *out, const char *eol) {
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = 0;
    for (int i = 0; i < 256; i++)
        n += (size_t)sprintf(out + n, "%c%c== %d%s", b64[i >> 2], b64[(i & 3) << 4], i, eol);
    return n;
}

static void write_file(const char *path, const char *text, size_t n, off_t size) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    if (size > (off_t)n) assert_int_equal(ftruncate(fd, size), 0);
    close(fd);
}

static int count(const char *hay, const char *needle) {
    int c = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) c++;
    return c;
}

static void load_refused(const char *path, const char *substr) {
    lm_err e = {{0}};
    lm_tokenizer *t = lm_tok_tiktoken_load(path, NULL, &e);
    if (t) fail_msg("%s was accepted", path);
    if (!strstr(e.msg, substr)) fail_msg("message '%s' lacks '%s'", e.msg, substr);
    if (count(e.msg, path) != 1) fail_msg("message '%s' should name %s once", e.msg, path);
}

/* first, while the process is small */
static void test_big_files_not_read(void **state) {
    (void)state;
    char p[300];
    snprintf(p, sizeof p, "%s/big.tiktoken", dir);
    long before = peak_kb();
    write_file(p, "", 0, (off_t)100 << 20);   /* 100 MB of zeros: line 1 never ends */
    load_refused(p, "line 1 is longer than");
    write_file(p, "QQ== x\n", 7, (off_t)100 << 20);   /* a bad first line, then 100 MB */
    load_refused(p, "line 1: bad rank");
    write_file(p, "QQ== 0\n", 7, (off_t)1 << 30);     /* 1 GB: refused by its size */
    load_refused(p, "at most 256.0 MB");
    long grew = peak_kb() - before;
    if (grew > 32 * 1024) fail_msg("refusing big files raised the peak RSS by %ld KB", grew);
}

static void test_crlf_accepted(void **state) {
    (void)state;
    static char text[256 * 16];
    size_t n = bytes_file(text, "\r\n");
    lm_err e = {{0}};
    lm_tokenizer *t = lm_tok_tiktoken_parse((const uint8_t *)text, n, NULL, &e);
    if (!t) fail_msg("CRLF refused: %s", e.msg);
    assert_int_equal(lm_tok_vocab_size(t), 256);
    lm_tok_free(t);
    char p[300];
    snprintf(p, sizeof p, "%s/crlf.tiktoken", dir);
    write_file(p, text, n, 0);
    t = lm_tok_tiktoken_load(p, NULL, &e);
    if (!t) fail_msg("CRLF refused: %s", e.msg);
    lm_ids ids = {0};
    assert_int_equal(lm_tok_encode(t, (const uint8_t *)"hi", 2, 0, &ids, &e), 0);
    assert_int_equal(ids.n, 2);
    assert_int_equal(ids.ids[0], 'h');
    lm_ids_free(&ids);
    lm_tok_free(t);
    /* a bare carriage return elsewhere is still an error, said as such */
    memcpy(text + n - 2, "\r\r\n", 3);
    t = lm_tok_tiktoken_parse((const uint8_t *)text, n + 1, NULL, &e);
    assert_null(t);
    if (!strstr(e.msg, "line 256: a carriage return")) fail_msg("%s", e.msg);
}

static void test_devices_and_fifos_refused(void **state) {
    (void)state;
    load_refused("/dev/zero", "/dev/zero is a character device, not a regular file");
    char p[300];
    snprintf(p, sizeof p, "%s/fifo.tiktoken", dir);
    assert_int_equal(mkfifo(p, 0600), 0);
    alarm(10);   /* a blocked open ends the test (SIGALRM), it never hangs */
    load_refused(p, "is a FIFO, not a regular file");
    alarm(0);
}

static void test_messages_name_the_file_once(void **state) {
    (void)state;
    static char text[256 * 16 + 32];
    size_t n = bytes_file(text, "\n");
    n += (size_t)sprintf(text + n, "YWI= 300\n");
    char p[300];
    snprintf(p, sizeof p, "%s/gap.tiktoken", dir);
    write_file(p, text, n, 0);
    load_refused(p, ": line 257: rank 256 is missing (found 300)");
    load_refused("/nonexistent/x.tiktoken", "cannot open /nonexistent/x.tiktoken");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_big_files_not_read),
        cmocka_unit_test(test_crlf_accepted),
        cmocka_unit_test(test_devices_and_fifos_refused),
        cmocka_unit_test(test_messages_name_the_file_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
