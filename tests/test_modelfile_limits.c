/* test_modelfile_limits.c - model and optimizer-state files from outside:
 * devices, FIFOs and huge files are refused before their body is read, and a
 * header's sizes are checked against the file's size first. */
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "io/optstate.h"
#include "modelfile_fixtures.h"

/* the peak resident size of this process, in KB */
static long peak_kb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* a sparse file of size bytes that starts with head[0..n) */
static void sparse_file(const char *path, const uint8_t *head, size_t n, off_t size) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    if (n) assert_int_equal(write(fd, head, n), (ssize_t)n);
    assert_int_equal(ftruncate(fd, size), 0);
    close(fd);
}

static void load_refused(const char *path, const char *substr) {
    lm_model m;
    lm_err err = {{0}};
    assert_int_equal(lm_load(&m, NULL, path, &err), -1);
    if (!strstr(err.msg, substr)) fail_msg("message '%s' lacks '%s'", err.msg, substr);
    assert_null(m.params);
}

/* First, while the process is small: 1 GB files cost no memory. A non-model
 * file ends at the magic; a model header followed by 1 GB at the size check. */
static void test_big_files_read_only_the_head(void **state) {
    (void)state;
    char p[300];
    path_of(p, sizeof p, "big.bin");
    long before = peak_kb();
    sparse_file(p, (const uint8_t *)"hello", 5, (off_t)1 << 30);
    load_refused(p, "bad magic");
    size_t len;
    uint8_t *b = valid_file(&len);
    sparse_file(p, b, len, (off_t)1 << 30);
    load_refused(p, "trailing garbage");
    free(b);
    long grew = peak_kb() - before;
    if (grew > 64 * 1024) fail_msg("loading a 1 GB file raised the peak RSS by %ld KB", grew);
    unlink(p);
}

static void test_devices_refused(void **state) {
    (void)state;
    load_refused("/dev/zero", "/dev/zero is a character device, not a regular file");
    load_refused("/dev/urandom", "not a regular file");
    load_refused("/tmp", "/tmp is a folder");
    lm_file_header h;
    lm_err err = {{0}};
    assert_int_equal(lm_file_peek(&h, "/dev/zero", &err), -1);
    assert_non_null(strstr(err.msg, "not a regular file"));
    lm_model m;
    small_model(&m);
    assert_int_equal(lm_optstate_load(&m, "/dev/zero", &err), -1);
    assert_non_null(strstr(err.msg, "not a regular file"));
    lm_model_free(&m);
}

static void on_alarm(int sig) {
    (void)sig;
    static const char msg[] = "a FIFO blocked the loader\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(1);
}

/* Nobody writes to the FIFO: opening it for reading would block forever. */
static void test_fifo_refused_without_blocking(void **state) {
    (void)state;
    char p[300];
    path_of(p, sizeof p, "fifo");
    assert_int_equal(mkfifo(p, 0600), 0);
    signal(SIGALRM, on_alarm);
    alarm(10);
    load_refused(p, "is a FIFO, not a regular file");
    lm_file_header h;
    lm_err err = {{0}};
    assert_int_equal(lm_file_peek(&h, p, &err), -1);
    lm_model m;
    small_model(&m);
    assert_int_equal(lm_optstate_load(&m, p, &err), -1);
    assert_non_null(strstr(err.msg, "FIFO"));
    lm_model_free(&m);
    alarm(0);
    unlink(p);
}

/* A header that claims huge sizes is refused by the sizes, from a file */
static void test_header_huge_sizes(void **state) {
    (void)state;
    size_t len;
    uint8_t *b = valid_file(&len);
    char p[300];
    path_of(p, sizeof p, "huge.llm");
    uint8_t *c = malloc(len);
    static const struct { size_t at; uint32_t lo, hi; const char *msg; } cases[] = {
        {12, 0xfffffff0u, 0, "header length"},                       /* header bytes */
        {AT_TOKLEN, 0xffffffffu, 0xffffffffu, "impossible"},         /* tokenizer_len 2^64-1 */
        {AT_TOKLEN, 0, 0x40u, "truncated: expected"},                /* 2^38 */
        {AT_METALEN, 0xfffffff0u, 0, "truncated: expected"},
        {AT_NPARAMS, 0xffffffffu, 0x7ffu, "parameters but its config needs"},
        {AT_ADAM, 0x7fffffffu, 0, "adam_t"},                         /* 2^31-1: not a step count */
        {AT_ADAM, 100000001u, 0, "adam_t"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(c, b, len);
        wr32(c + cases[i].at, cases[i].lo);
        if (cases[i].at == AT_TOKLEN || cases[i].at == AT_NPARAMS) wr32(c + cases[i].at + 4, cases[i].hi);
        fix_crc(c, len);
        spit(p, c, len);
        load_refused(p, cases[i].msg);
    }
    memcpy(c, b, len);   /* the largest step --steps allows still loads */
    wr32(c + AT_ADAM, 100000000u);
    fix_crc(c, len);
    spit(p, c, len);
    lm_model m;
    lm_err err = {{0}};
    if (lm_load(&m, NULL, p, &err)) fail_msg("%s", err.msg);
    assert_int_equal(m.adam_t, 100000000);
    lm_model_free(&m);
    free(c);
    free(b);
}

/* An optimizer-state file that matches the model but is 1 GB long is refused
 * by its size, before the moments are allocated or read. */
static void test_optstate_size_checked_first(void **state) {
    (void)state;
    lm_model m;
    small_model(&m);
    uint8_t head[24];
    memcpy(head, "LLMOPT\0\1", 8);   /* version 1: no parameter CRC */
    uint64_t n = m.n_params;
    int32_t t = m.adam_t;
    memcpy(head + 8, &n, 8);
    memcpy(head + 16, &t, 4);
    char p[300];
    path_of(p, sizeof p, "big.opt");
    sparse_file(p, head, 20, (off_t)1 << 30);
    lm_err err = {{0}};
    assert_int_equal(lm_optstate_load(&m, p, &err), -1);
    if (!strstr(err.msg, "too long")) fail_msg("%s", err.msg);
    assert_null(m.adam_m);
    sparse_file(p, head, 20, 100);
    assert_int_equal(lm_optstate_load(&m, p, &err), -1);
    if (!strstr(err.msg, "truncated")) fail_msg("%s", err.msg);
    lm_model_free(&m);
    unlink(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_big_files_read_only_the_head),
        cmocka_unit_test(test_devices_refused),
        cmocka_unit_test(test_fifo_refused_without_blocking),
        cmocka_unit_test(test_header_huge_sizes),
        cmocka_unit_test(test_optstate_size_checked_first),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
