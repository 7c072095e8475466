/* test_save.c - saves never lose work (issue 10): two processes saving the
 * same path both succeed; a killed save leaves the target whole and its
 * temporary is cleaned by a later save; a dead process's stale temporary is
 * removed (and nothing else is); paths of 1,095..1,105 bytes keep the model
 * and its .opt apart; a path over PATH_MAX is refused; a failed save leaves
 * the target as it was and the CLI writes a rescue copy to $TMPDIR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cli/cli.h"
#include "io/atomic.h"
#include "io/modelfile.h"
#include "io/optstate.h"
#include "train/checkpoint.h"
#include "train/train.h"
#include "ui/worker.h"

static lm_model make_model(int width, uint64_t seed) {
    lm_config c = {.n_layer = 1, .n_head = 1, .d_model = width, .d_mlp = 2 * width, .n_ctx = 16,
                   .vocab_size = 256, .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    lm_model m;
    lm_err err = {{0}};
    assert_int_equal(lm_model_init(&m, &c, seed, &err), 0);
    return m;
}

static void make_dir(char *dir, size_t cap) {
    snprintf(dir, cap, "/tmp/test_save_XXXXXX");
    assert_non_null(mkdtemp(dir));
}

/* number of entries in dir other than . and .. */
static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void remove_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[LM_PATH_MAX];
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* the model at path has exactly m's parameters */
static void assert_holds(const char *path, const lm_model *m) {
    lm_model got;
    lm_err err = {{0}};
    assert_int_equal(lm_load(&got, NULL, path, &err), 0);
    assert_int_equal(got.n_params, m->n_params);
    assert_memory_equal(got.params, m->params, m->n_params * sizeof(float));
    lm_model_free(&got);
}

/* two processes save the same path 40 times each, started together: every
 * save succeeds (a fixed PATH.tmp made them remove each other's file) */
static void test_concurrent_saves(void **state) {
    (void)state;
    char dir[64], path[128];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/same.llm", dir);
    lm_model m = make_model(64, 1);
    int go[2];
    assert_int_equal(pipe(go), 0);
    pid_t kid[2];
    for (int k = 0; k < 2; k++) {
        kid[k] = fork();
        assert_true(kid[k] >= 0);
        if (kid[k] == 0) {
            char c;
            close(go[1]);
            if (read(go[0], &c, 1) != 0) _exit(3);   /* starts when the parent closes the pipe */
            lm_err err = {{0}};
            for (int i = 0; i < 40; i++)
                if (lm_save(&m, "who=kid\n", path, &err)) {
                    fprintf(stderr, "save %d: %s\n", i, err.msg);
                    _exit(1);
                }
            _exit(0);
        }
    }
    close(go[0]);
    close(go[1]);
    for (int k = 0; k < 2; k++) {
        int st;
        assert_int_equal(waitpid(kid[k], &st, 0), kid[k]);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
    }
    assert_holds(path, &m);
    assert_int_equal(count_entries(dir), 1);   /* no temporary left */
    lm_model_free(&m);
    remove_dir(dir);
}

/* a temporary of the target in dir, or 0 */
static int find_temp(const char *dir, const char *name, char *out, size_t cap) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d)) != NULL)
        if (strstr(e->d_name, name) && strstr(e->d_name, ".tmp")) {
            snprintf(out, cap, "%s/%s", dir, e->d_name);
            found = 1;
        }
    closedir(d);
    return found;
}

static void backdate(const char *path, int seconds) {
    struct timespec ts[2];
    clock_gettime(CLOCK_REALTIME, &ts[0]);
    ts[0].tv_sec -= seconds;
    ts[1] = ts[0];
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* SIGKILL in the middle of a save: the target is the old, whole file; the
 * temporary left behind is removed by the next save once it is stale */
static void test_killed_save(void **state) {
    (void)state;
    char dir[64], path[128], tmp[LM_PATH_MAX];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/big.llm", dir);
    lm_model old = make_model(32, 2), big = make_model(512, 3);   /* big: ~5 MB to write */
    lm_err err = {{0}};
    int caught = 0;
    for (int attempt = 0; attempt < 20 && !caught; attempt++) {
        assert_int_equal(lm_save(&old, NULL, path, &err), 0);
        pid_t kid = fork();
        assert_true(kid >= 0);
        if (kid == 0) {
            for (;;) lm_save(&big, NULL, path, &err);
        }
        time_t t0 = time(NULL);
        while (!find_temp(dir, "big.llm", tmp, sizeof tmp) && time(NULL) - t0 < 20) {
        }
        kill(kid, SIGKILL);
        waitpid(kid, NULL, 0);
        caught = find_temp(dir, "big.llm", tmp, sizeof tmp);
    }
    assert_true(caught);
    lm_model got;
    assert_int_equal(lm_load(&got, NULL, path, &err), 0);   /* whole: the old model or a complete new one */
    assert_true(got.n_params == old.n_params || got.n_params == big.n_params);
    lm_model_free(&got);
    backdate(tmp, 2 * LM_STALE_SECONDS);
    assert_int_equal(lm_save(&old, NULL, path, &err), 0);
    assert_int_equal(count_entries(dir), 1);
    assert_holds(path, &old);
    lm_model_free(&old);
    lm_model_free(&big);
    remove_dir(dir);
}

/* the rule of io/atomic.h: only the target's own temporaries, of a dead
 * process, older than LM_STALE_SECONDS */
static void test_stale_temporaries(void **state) {
    (void)state;
    char dir[64], path[128], p[6][256];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/m.llm", dir);
    pid_t dead = fork();
    assert_true(dead >= 0);
    if (dead == 0) _exit(0);
    waitpid(dead, NULL, 0);   /* a pid that no longer runs */
    snprintf(p[0], sizeof p[0], "%s/.m.llm.%d.aB3xYz.tmp", dir, (int)dead);      /* stale: removed */
    snprintf(p[1], sizeof p[1], "%s/.m.llm.%d.qQ1234.tmp", dir, (int)dead);      /* recent: kept */
    snprintf(p[2], sizeof p[2], "%s/.m.llm.1.aB3xYz.tmp", dir);                  /* pid 1 runs: kept */
    snprintf(p[3], sizeof p[3], "%s/.other.llm.%d.aB3xYz.tmp", dir, (int)dead);  /* another target: kept */
    snprintf(p[4], sizeof p[4], "%s/m.llm.tmp", dir);                            /* not ours: kept */
    snprintf(p[5], sizeof p[5], "%s/.m.llm.%d.aB3xYz.tmp.keep", dir, (int)dead); /* not the pattern: kept */
    for (int i = 0; i < 6; i++) {
        FILE *f = fopen(p[i], "w");
        assert_non_null(f);
        fputs("partial", f);
        fclose(f);
        if (i != 1) backdate(p[i], 2 * LM_STALE_SECONDS);
    }
    lm_model m = make_model(16, 4);
    lm_err err = {{0}};
    assert_int_equal(lm_save(&m, NULL, path, &err), 0);
    assert_int_equal(access(p[0], F_OK), -1);
    for (int i = 1; i < 6; i++) assert_int_equal(access(p[i], F_OK), 0);
    assert_holds(path, &m);
    lm_model_free(&m);
    remove_dir(dir);
}

/* a path of exactly `len` bytes under base: folders of 100 bytes, then a
 * file name; the folders are made */
static void long_path(const char *base, size_t len, char *out) {
    size_t n = (size_t)snprintf(out, LM_PATH_MAX, "%s", base);
    while (n + 1 + 100 + 1 + 50 <= len) {
        out[n++] = '/';
        memset(out + n, 'd', 100);
        n += 100;
        out[n] = 0;
        mkdir(out, 0755);
    }
    out[n++] = '/';
    memset(out + n, 'm', len - n);
    out[len] = 0;
}

/* checkpoints at 1,095..1,105 bytes: the model and PATH.opt are two files
 * (a 1,100-byte buffer made PATH.opt of a 1,099-byte path the path itself) */
static void test_long_checkpoint_paths(void **state) {
    (void)state;
    char dir[64];
    make_dir(dir, sizeof dir);
    lm_model m = make_model(16, 5);
    lm_batch b;
    lm_err err = {{0}};
    assert_int_equal(lm_batch_alloc(&b, 1, 8, 0, &err), 0);
    for (int i = 0; i < 8; i++) { b.tokens[i] = 'a' + i; b.targets[i] = 'b' + i; }
    lm_train_opts o = lm_train_opts_default(10);
    lm_step_record r;
    assert_int_equal(lm_train_step(&m, &b, &o, &r, &err), 0);   /* moments exist */
    char path[LM_PATH_MAX], opt[LM_PATH_MAX + 8];
    for (size_t len = 1095; len <= 1105; len++) {
        long_path(dir, len, path);
        assert_int_equal(strlen(path), len);
        assert_int_equal(lm_checkpoint_save(&m, "k=v\n", path, &err), 0);
        assert_holds(path, &m);
        snprintf(opt, sizeof opt, "%s.opt", path);
        lm_model back;
        assert_int_equal(lm_checkpoint_load(&back, NULL, path, &err), 0);   /* 0: the moments loaded too */
        lm_model_free(&back);
        unlink(path);
        unlink(opt);
    }
    /* over PATH_MAX: refused, naming the limit; with ".opt" over it: refused too */
    char *huge = malloc(5001);
    memset(huge, 'x', 5000);
    huge[0] = '/';
    huge[5000] = 0;
    assert_int_equal(lm_save(&m, NULL, huge, &err), -1);
    assert_non_null(strstr(err.msg, "4095"));
    huge[4093] = 0;
    assert_int_equal(lm_checkpoint_save(&m, NULL, huge, &err), -1);
    assert_non_null(strstr(err.msg, ".opt"));
    free(huge);
    lm_batch_free(&b);
    lm_model_free(&m);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static int fail_target(const char *path) { return strstr(path, "llmlab-rescue-") ? 0 : ENOSPC; }

/* a failed save (the disk full) leaves the target as it was, and no
 * temporary; the probe names a missing folder and a folder given as a file */
static void test_failed_save(void **state) {
    (void)state;
    char dir[64], path[128];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/keep.llm", dir);
    lm_model a = make_model(16, 6), b = make_model(16, 7);
    lm_err err = {{0}};
    assert_int_equal(lm_save(&a, NULL, path, &err), 0);
    lm_atomic_fail_hook = fail_target;
    assert_int_equal(lm_save(&b, NULL, path, &err), -1);
    lm_atomic_fail_hook = NULL;
    assert_non_null(strstr(err.msg, strerror(ENOSPC)));
    assert_holds(path, &a);
    assert_int_equal(count_entries(dir), 1);
    char *to = lm_checkpoint_rescue(&b, NULL, path, dir, &err);
    assert_non_null(to);
    assert_non_null(strstr(to, "/llmlab-rescue-"));
    assert_holds(to, &b);
    unlink(to);
    *strrchr(to, '/') = 0;
    assert_int_equal(rmdir(to), 0);
    free(to);
    snprintf(path, sizeof path, "%s/no/such/m.llm", dir);
    assert_int_equal(lm_atomic_probe(path, 0, &err), -1);
    assert_non_null(strstr(err.msg, "does not exist"));
    assert_int_equal(lm_atomic_probe(dir, 0, &err), -1);
    assert_non_null(strstr(err.msg, "is a folder"));
    assert_int_equal(lm_atomic_probe(dir, UINT64_MAX / 2, &err), -1);   /* no disk is that big */
    assert_int_equal(lm_atomic_probe(dir, UINT64_MAX / 2, &err), -1);
    lm_model_free(&a);
    lm_model_free(&b);
    remove_dir(dir);
}

/* `train` whose final save fails: status 1, the target untouched, and the
 * weights written to a rescue folder in $TMPDIR, named on stderr */
static void test_train_rescue(void **state) {
    (void)state;
    char dir[64], data[128], out[128], cmd[512];
    make_dir(dir, sizeof dir);
    snprintf(data, sizeof data, "%s/d.txt", dir);
    FILE *f = fopen(data, "w");
    assert_non_null(f);
    for (int i = 0; i < 300; i++) fputs("the cat sat on the mat. ", f);
    fclose(f);
    snprintf(out, sizeof out, "%s/out.llm", dir);
    snprintf(cmd, sizeof cmd, "train --tokenizer char --layers 1 --heads 1 --width 16 --ctx 16 --data %s "
                              "--steps 2 --batch 2 --seq 8 -o %s", data, out);
    setenv("TMPDIR", dir, 1);
    char *ot = NULL, *et = NULL;
    size_t on = 0, en = 0;
    FILE *fo = open_memstream(&ot, &on), *fe = open_memstream(&et, &en);
    cli_ctx ctx;
    cli_ctx_init(&ctx, fo, fe);
    lm_atomic_fail_hook = fail_target;
    int rc = cli_run_line(&ctx, cmd);
    lm_atomic_fail_hook = NULL;
    cli_ctx_free(&ctx);
    fclose(fo);
    fclose(fe);
    unsetenv("TMPDIR");
    assert_int_equal(rc, 1);
    assert_int_equal(access(out, F_OK), -1);
    const char *at = strstr(et, "saved instead to ");
    assert_non_null(at);
    char saved[256];
    assert_int_equal(sscanf(at + strlen("saved instead to "), "%255s", saved), 1);
    assert_int_equal(strncmp(saved, dir, strlen(dir)), 0);
    lm_model m;
    lm_err err = {{0}};
    assert_int_equal(lm_checkpoint_load(&m, NULL, saved, &err), 0);
    assert_int_equal(m.adam_t, 2);
    lm_model_free(&m);
    free(ot);
    free(et);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static int save_failed(const uw_info *in, int queued, void *user) {
    (void)queued;
    return in->save_fails >= *(unsigned *)user && in->idle;
}
static int saved(const uw_info *in, int queued, void *user) {
    (void)queued;
    (void)user;
    return strncmp(in->message, "saved ", 6) == 0 && in->idle;
}

/* the TUI's worker: a save that writes nothing (missing folder, a path over
 * PATH_MAX, a 1,100-byte path no longer cut to 1,023) counts in save_fails,
 * which makes the train panel ask for another path; the weights stay, and a
 * save to a good path then works */
static void test_ui_worker_failed_save(void **state) {
    (void)state;
    char dir[64], path[LM_PATH_MAX];
    make_dir(dir, sizeof dir);
    lm_model m = make_model(16, 8);
    lm_err err = {{0}};
    uw_opts o = {.objective = "pretrain", .B = 1, .T = 8, .max_lr = 1e-3f, .total_steps = 10};
    ui_worker *w = uw_start(&m, &o, &err);
    assert_non_null(w);
    snprintf(path, sizeof path, "%s/nowhere/m.llm", dir);
    uw_save(w, path);
    unsigned want = 1;
    assert_true(uw_wait(w, save_failed, &want, 60));
    char *huge = malloc(5001);
    memset(huge, 'x', 5000);
    huge[0] = '/';
    huge[5000] = 0;
    uw_save(w, huge);
    want = 2;
    assert_true(uw_wait(w, save_failed, &want, 60));
    free(huge);
    long_path(dir, 1100, path);
    uw_save(w, path);
    assert_true(uw_wait(w, saved, NULL, 60));
    assert_holds(path, &m);
    uw_free(w);
    lm_model_free(&m);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_saves),
        cmocka_unit_test(test_killed_save),
        cmocka_unit_test(test_stale_temporaries),
        cmocka_unit_test(test_long_checkpoint_paths),
        cmocka_unit_test(test_failed_save),
        cmocka_unit_test(test_train_rescue),
        cmocka_unit_test(test_ui_worker_failed_save),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
