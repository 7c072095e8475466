/* fuzz_lesson_run.c - libFuzzer target: fuzzed lessons RUN headless under the
 * lesson policy (src/cli/sandbox.h), and after each run nothing outside the
 * lesson's scratch folder was written.
 *
 * Setup (once): a folder WORLD holding a project (proj/data/small.txt,
 * proj/models/tiny.llm made by `init` outside any lesson, proj/lessons/) and
 * files a lesson must not touch (outside/victim.txt); the current folder is
 * WORLD/proj and TMPDIR is WORLD/tmp, so scratch folders are made there.
 * Each input is written to proj/lessons/fuzz.md and run with `lesson
 * --headless`. Only cheap commands run: an input with another command, a
 * number over 64 (bpe-train's --vocab up to 300) or a big tokeniser name is
 * skipped. After the run: every file under WORLD has the size and mtime it
 * had (fuzz.md aside), WORLD/tmp is empty again (the scratch folder was
 * removed), and every path a word of the lesson names (absolute, relative to
 * proj, or after -o / OPTION=) is as it was. Any difference aborts. */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/lesson.h"
#include "cli/words.h"

static cli_ctx ctx;
static char world[256];
static int home_fd;   /* the folder libFuzzer runs in; a lesson runs in WORLD/proj */

/* back to libFuzzer's folder (where it writes the crash input), then abort */
static void fail(void) {
    if (fchdir(home_fd)) {}
    abort();
}

/* ---- a snapshot of every file under WORLD: "path size mtime\n" lines ---- */
static FILE *snap_f;
static int snap_one(const char *p, const struct stat *st, int flag, struct FTW *f) {
    (void)f;
    if (strstr(p, "/proj/lessons/fuzz.md")) return 0;
    if (flag == FTW_D) fprintf(snap_f, "%s/\n", p);   /* a folder's mtime changes with the scratch folder in it */
    else fprintf(snap_f, "%s %d %lld %lld.%09ld\n", p, flag, (long long)st->st_size, (long long)st->st_mtim.tv_sec,
                 st->st_mtim.tv_nsec);
    return 0;
}
static char *snapshot(void) {
    char *buf = NULL;
    size_t len = 0;
    snap_f = open_memstream(&buf, &len);
    nftw(world, snap_one, 16, FTW_PHYS);
    fclose(snap_f);
    return buf;
}

static void write_file(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    fwrite(data, 1, len, f);
    fclose(f);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f) {
    (void)st; (void)flag; (void)f;
    remove(p);
    return 0;
}
static long n_run, n_skipped;
static void remove_world(void) {
    nftw(world, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    fprintf(stderr, "fuzz_lesson_run: %ld lessons run, %ld inputs skipped (not a lesson, or not cheap)\n", n_run,
            n_skipped);
}

static void setup(void) {
    snprintf(world, sizeof world, "/tmp/llmlab-fuzz-XXXXXX");
    if (!mkdtemp(world)) abort();
    atexit(remove_world);
    char p[512];
    const char *dirs[] = {"proj", "proj/data", "proj/models", "proj/lessons", "tmp", "outside"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        snprintf(p, sizeof p, "%s/%s", world, dirs[i]);
        mkdir(p, 0700);
    }
    snprintf(p, sizeof p, "%s/outside/victim.txt", world);
    write_file(p, "precious\n", 9);
    char home[PATH_MAX];   /* libFuzzer's corpus and artifact paths are relative to it */
    if (!getcwd(home, sizeof home)) abort();
    snprintf(p, sizeof p, "%s/proj/build", world);
    snprintf(home + strlen(home), sizeof home - strlen(home), "/build");
    if (symlink(home, p)) abort();   /* a crash inside a run still finds build/fuzz/ */
    home_fd = open(".", O_RDONLY | O_DIRECTORY);
    snprintf(p, sizeof p, "%s/proj", world);
    if (home_fd < 0 || chdir(p)) abort();
    const char *text = "the cat sat on the mat. the dog sat on the log.\n<|endoftext|>\nhello world\n";
    write_file("data/small.txt", text, strlen(text));
    snprintf(p, sizeof p, "%s/tmp", world);
    setenv("TMPDIR", p, 1);
    FILE *null = fopen("/dev/null", "w");
    cli_ctx_init(&ctx, null, null);
    char *init[] = {"init", "--layers", "1", "--heads", "1", "--width", "8", "--ctx", "16", "-o", "models/tiny.llm", NULL};
    if (cli_run(&ctx, 11, init) != 0) abort();
    snprintf(ctx.model_path, sizeof ctx.model_path, "models/tiny.llm");
    if (fchdir(home_fd)) abort();
}

static const char *const cheap[] = {"tokenize", "info", "init", "bpe-train", "set", "show", "help", "load",
                                    "lesson", "next", "generate", "attention", "repl", "ui", NULL};

/* 1 when every step of l is a cheap command with small numbers */
static int is_cheap(const lm_lesson *l) {
    for (int s = 0; s < l->n_sections; s++)
        for (int k = 0; k < l->sections[s].n_steps; k++) {
            const char *line = l->sections[s].steps[k].command;
            size_t len = strlen(line);
            char buf[4200], *w[64];
            int n = lm_split_words(line, len, buf, sizeof buf, w, 64, NULL);
            if (n <= 0) continue;
            int known = 0;
            for (int c = 0; cheap[c]; c++) known |= strcmp(w[0], cheap[c]) == 0;
            if (!known) return 0;
            for (int i = 1; i < n; i++) {
                long cap = i > 1 && strcmp(w[i - 1], "--vocab") == 0 ? 300 : 64;
                if (strspn(w[i], "0123456789") == strlen(w[i]) && strlen(w[i]) && (strlen(w[i]) > 4 || atol(w[i]) > cap))
                    return 0;
                if (strstr(w[i], "base") || strstr(w[i], "gpt2") || strstr(w[i], "tiktoken")) return 0;
            }
        }
    return 1;
}

/* the paths the words of a lesson may name, with their state before the run */
typedef struct { char *path; int exists; long long size, mtime; } named;

static void note(named *v, int *n, int cap, const char *p) {
    if (*n >= cap || !p[0]) return;
    struct stat st;
    v[*n].path = strdup(p);
    v[*n].exists = lstat(p, &st) == 0;
    /* a folder (/tmp) changes with what other programs do in it: only files count */
    int file = v[*n].exists && !S_ISDIR(st.st_mode);
    v[*n].size = file ? (long long)st.st_size : 0;
    v[*n].mtime = file ? (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec : 0;
    (*n)++;
}

static int collect(const uint8_t *data, size_t size, named *v, int cap) {
    int n = 0;
    char *copy = strndup((const char *)data, size);
    if (!copy) return 0;
    for (char *save = NULL, *w = strtok_r(copy, " \t\n\"'", &save); w; w = strtok_r(NULL, " \t\n\"'", &save)) {
        note(v, &n, cap, w);
        if (w[0] == '-' && w[1] && w[1] != '-') note(v, &n, cap, w + 2);   /* -oPATH */
        const char *eq = strchr(w, '=');
        if (eq) note(v, &n, cap, eq + 1);                                 /* --output=PATH */
    }
    free(copy);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!world[0]) setup();
    lm_lesson l;
    lm_err err;
    if (size > 4096 || memchr(data, 0, size) || lm_lesson_parse((const char *)data, size, &l, &err) != 0) {
        n_skipped++;
        return 0;
    }
    int cheap_ok = is_cheap(&l) && l.n_sections <= 8;
    lm_lesson_free(&l);
    if (!cheap_ok) { n_skipped++; return 0; }
    n_run++;
    char proj[300];
    snprintf(proj, sizeof proj, "%s/proj", world);
    if (chdir(proj)) abort();
    write_file("lessons/fuzz.md", data, size);
    named v[256];
    int nv = collect(data, size, v, 256);
    char *before = snapshot();
    char *run[] = {"lesson", "--headless", "lessons/fuzz.md", NULL};
    cli_run(&ctx, 3, run);
    char *after = snapshot();
    if (strcmp(before, after) != 0) {
        fprintf(stderr, "a lesson changed files outside its scratch folder:\n--- before\n%s--- after\n%s", before, after);
        fail();
    }
    for (int i = 0; i < nv; i++) {
        struct stat st;
        int exists = lstat(v[i].path, &st) == 0, file = exists && !S_ISDIR(st.st_mode);
        long long mt = file ? (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec : 0;
        if (exists != v[i].exists || (file && (st.st_size != v[i].size || mt != v[i].mtime))) {
            fprintf(stderr, "a lesson changed %s\n", v[i].path);
            fail();
        }
        free(v[i].path);
    }
    free(before);
    free(after);
    if (fchdir(home_fd)) abort();
    return 0;
}
