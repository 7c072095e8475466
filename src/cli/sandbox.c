/* sandbox.c - what a lesson's commands may read and write (see sandbox.h). */
#include "cli/sandbox.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/show.h"

#define MAX_ROOTS 8

struct cli_sandbox {
    cli_sandbox_opts o;
    char *scratch;                       /* realpath of the scratch folder */
    char *roots[MAX_ROOTS];              /* realpaths readable (scratch among them) */
    int n_roots;
    FILE *tty;                           /* where questions go (the lesson's first ctx->err) */
    char *running[CLI_LESSON_MAX_DEPTH]; /* realpaths of the lessons running, outermost first */
    int depth;
    char **held;                         /* paths handed out, freed when the lesson ends */
    size_t n_held, cap_held;
    char saved_model[sizeof ((cli_ctx *)0)->model_path];
};

/* keeps s (malloc'd) until the lesson ends; NULL (s freed) when out of memory */
static const char *hold(cli_sandbox *sb, char *s) {
    if (!s) return NULL;
    if (sb->n_held == sb->cap_held) {
        size_t cap = sb->cap_held ? sb->cap_held * 2 : 16;
        char **h = realloc(sb->held, cap * sizeof *h);
        if (!h) { free(s); return NULL; }
        sb->held = h;
        sb->cap_held = cap;
    }
    sb->held[sb->n_held++] = s;
    return s;
}

static char *join(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p) return NULL;
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

/* 1 when p is root or inside it (both resolved) */
static int under(const char *root, const char *p) {
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/') return 1;
    return strncmp(p, root, n) == 0 && (p[n] == '/' || p[n] == '\0');
}

static int has_dotdot(const char *p) {
    for (const char *s = p; (s = strstr(s, "..")) != NULL; s += 2)
        if ((s == p || s[-1] == '/') && (s[2] == '/' || s[2] == '\0')) return 1;
    return 0;
}

static void add_root(cli_sandbox *sb, const char *dir) {
    char *rp = realpath(dir, NULL);
    if (!rp) return;
    for (int i = 0; i < sb->n_roots; i++)
        if (strcmp(sb->roots[i], rp) == 0) { free(rp); return; }
    if (sb->n_roots < MAX_ROOTS) sb->roots[sb->n_roots++] = rp;
    else free(rp);
}

/* the lesson's folder, the scratch folder, data/ and models/ here and next to the binary */
static void add_roots(cli_sandbox *sb, const char *lesson_rp) {
    char *dir = strdup(lesson_rp);
    if (dir) {
        char *slash = strrchr(dir, '/');
        if (slash) slash[slash == dir ? 1 : 0] = '\0';
        add_root(sb, dir);
        free(dir);
    }
    add_root(sb, sb->scratch);
    add_root(sb, "data");
    add_root(sb, "models");
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 32);
    char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
    if (!slash) return;
    strcpy(slash, "/data");
    add_root(sb, exe);
    strcpy(slash, "/models");
    add_root(sb, exe);
}

/* a fresh scratch folder $TMPDIR/llmlab-lesson-NAME-XXXXXX; 0 ok */
static int make_scratch(cli_sandbox *sb, const char *lesson_rp, lm_err *err) {
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !tmp[0]) tmp = "/tmp";
    const char *base = strrchr(lesson_rp, '/');
    base = base ? base + 1 : lesson_rp;
    char name[48];
    size_t k = 0;
    for (; base[k] && base[k] != '.' && k < 40; k++) {
        char c = base[k];
        name[k] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ? c : '_';
    }
    name[k] = '\0';
    size_t cap = strlen(tmp) + k + 40;
    char *dir = malloc(cap);
    if (!dir) return lm_fail(err, "out of memory");
    snprintf(dir, cap, "%s/llmlab-lesson-%s-XXXXXX", tmp, name);
    if (!mkdtemp(dir)) {
        lm_fail(err, "cannot make a scratch folder in %.300s: %s", tmp, strerror(errno));
        free(dir);
        return -1;
    }
    sb->scratch = realpath(dir, NULL);
    free(dir);
    return sb->scratch ? 0 : lm_fail(err, "cannot resolve the scratch folder: %s", strerror(errno));
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f) {
    (void)st; (void)flag; (void)f;
    remove(p);
    return 0;
}

static void sandbox_free(cli_sandbox *sb) {
    for (int i = 0; i < sb->n_roots; i++) free(sb->roots[i]);
    for (int i = 0; i < sb->depth; i++) free(sb->running[i]);
    for (size_t i = 0; i < sb->n_held; i++) free(sb->held[i]);
    free(sb->held);
    free(sb->scratch);
    free(sb);
}

static int enter_nested(cli_sandbox *sb, char *rp, const cli_sandbox_opts *o, lm_err *err) {
    int rc = 0;
    if (o->allow_read || o->allow_write || o->keep)
        rc = lm_fail(err, "a lesson cannot give consent (--allow-read, --allow-write, --keep) for a lesson it "
                          "runs: only the user can, on the outermost `llmlab lesson`");
    else if (sb->depth >= CLI_LESSON_MAX_DEPTH)
        rc = lm_fail(err, "lessons nested too deep: at most %d lessons run inside each other", CLI_LESSON_MAX_DEPTH);
    for (int i = 0; rc == 0 && i < sb->depth; i++)
        if (strcmp(sb->running[i], rp) == 0)
            rc = lm_fail(err, "%.300s is already running (a lesson that runs itself would never end)", rp);
    if (rc) free(rp);
    else sb->running[sb->depth++] = rp;
    return rc;
}

int cli_sandbox_enter(cli_ctx *ctx, const char *lesson, const cli_sandbox_opts *o, lm_err *err) {
    char *rp = realpath(lesson, NULL);
    if (!rp) return lm_fail(err, "cannot resolve %.300s: %s", lesson, strerror(errno));
    if (ctx->sandbox) return enter_nested(ctx->sandbox, rp, o, err);
    cli_sandbox *sb = calloc(1, sizeof *sb);
    if (!sb) { free(rp); return lm_fail(err, "out of memory"); }
    sb->o = *o;
    sb->tty = ctx->err;
    sb->running[sb->depth++] = rp;
    if (make_scratch(sb, rp, err)) {
        sandbox_free(sb);
        return -1;
    }
    add_roots(sb, rp);
    snprintf(sb->saved_model, sizeof sb->saved_model, "%s", ctx->model_path);
    ctx->sandbox = sb;
    return 0;
}

void cli_sandbox_leave(cli_ctx *ctx) {
    cli_sandbox *sb = ctx->sandbox;
    if (!sb || sb->depth == 0) return;
    free(sb->running[--sb->depth]);
    if (sb->depth > 0) return;
    if (sb->o.keep) {
        fputs("the lesson's files are kept in its scratch folder ", ctx->out);
        show_str(ctx->out, sb->scratch);
        fputc('\n', ctx->out);
    } else {
        nftw(sb->scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        if (under(sb->scratch, ctx->model_path)) (void)cli_set_model_path(ctx, sb->saved_model);   /* a path that was set once fits */
    }
    ctx->sandbox = NULL;
    sandbox_free(sb);
}

/* asks the user on the terminal (interactive runs only); 1 = yes */
static int ask(cli_sandbox *sb, const char *what, const char *path) {
    if (!sb->o.ask) return 0;
    fprintf(sb->tty, "\nThe lesson wants to %s ", what);
    show_str(sb->tty, path);
    fputs(" - allow it? [y/N] ", sb->tty);
    fflush(sb->tty);
    int c = getchar(), yes = c == 'y' || c == 'Y';
    while (c != '\n' && c != EOF) c = getchar();
    return yes;
}

const char *cli_sandbox_read(cli_ctx *ctx, const char *path, lm_err *err) {
    cli_sandbox *sb = ctx->sandbox;
    if (!sb) return path;
    if (strcmp(path, "-") == 0) {
        lm_fail(err, "a lesson may not read stdin (-): the lesson's input is not for its commands");
        return NULL;
    }
    char *in_scratch = NULL;   /* a relative name of a file the lesson wrote */
    if (path[0] != '/' && path[0] && !has_dotdot(path)) {
        in_scratch = join(sb->scratch, path);
        if (in_scratch && access(in_scratch, F_OK) != 0) { free(in_scratch); in_scratch = NULL; }
    }
    char *rp = realpath(in_scratch ? in_scratch : path, NULL);
    free(in_scratch);
    if (!rp && (errno == ENOENT || errno == ENOTDIR)) return path;   /* the command says it is missing */
    if (!rp) {
        lm_fail(err, "cannot resolve %.300s: %s", path, strerror(errno));
        return NULL;
    }
    int ok = sb->o.allow_read;
    for (int i = 0; i < sb->n_roots && !ok; i++) ok = under(sb->roots[i], rp);
    if (ok || ask(sb, "read", rp)) return hold(sb, rp);
    lm_fail(err, "needs `llmlab lesson --allow-read`: a lesson reads only its own folder, data/, models/ and its "
                 "scratch folder, and this one wants to read %.300s%s%.200s",
            path, strcmp(path, rp) ? " = " : "", strcmp(path, rp) ? rp : "");
    free(rp);
    return NULL;
}

/* makes the folders of p below the scratch folder; 0 ok */
static int make_parents(const char *scratch, char *p) {
    for (char *s = p + strlen(scratch) + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        int rc = mkdir(p, 0700) != 0 && errno != EEXIST;
        *s = '/';
        if (rc) return -1;
    }
    return 0;
}

/* 1 when the folder that would hold p is inside the scratch folder */
static int parent_in_scratch(const cli_sandbox *sb, const char *p) {
    char *dir = strdup(p);
    if (!dir) return 0;
    char *slash = strrchr(dir, '/');
    if (slash) slash[slash == dir ? 1 : 0] = '\0';
    char *rp = realpath(dir, NULL);
    int in = rp && under(sb->scratch, rp);
    free(rp);
    free(dir);
    return in;
}

const char *cli_sandbox_write(cli_ctx *ctx, const char *path, lm_err *err) {
    cli_sandbox *sb = ctx->sandbox;
    if (!sb || !path[0]) return path;
    if (path[0] != '/') {
        if (has_dotdot(path)) {
            lm_fail(err, "a lesson names the files it writes inside its scratch folder, without '..': %.300s", path);
            return NULL;
        }
        char *p = join(sb->scratch, path);
        if (!p || make_parents(sb->scratch, p) || !parent_in_scratch(sb, p)) {
            lm_fail(err, "cannot make the folders of %.300s in the scratch folder %.150s", path, sb->scratch);
            free(p);
            return NULL;
        }
        return hold(sb, p);
    }
    if (parent_in_scratch(sb, path)) return path;
    struct stat st;
    int exists = lstat(path, &st) == 0;
    if (sb->o.allow_write || ask(sb, exists ? "overwrite" : "write", path)) return path;
    lm_fail(err, "needs `llmlab lesson --allow-write`: a lesson writes only new files in its scratch folder "
                 "%.150s, and this one wants to %s %.300s",
            sb->scratch, exists ? "overwrite" : "write", path);
    return NULL;
}

static const char *say(cli_ctx *ctx, const char *cmd, const char *p, const lm_err *err) {
    if (!p) fprintf(ctx->err, "llmlab %s: %s\n", cmd, err->msg);
    return p;
}

const char *cli_path_for_read(cli_ctx *ctx, const char *cmd, const char *path) {
    lm_err err = {{0}};
    return say(ctx, cmd, cli_sandbox_read(ctx, path, &err), &err);
}

const char *cli_path_for_write(cli_ctx *ctx, const char *cmd, const char *path) {
    lm_err err = {{0}};
    return say(ctx, cmd, cli_sandbox_write(ctx, path, &err), &err);
}

int cli_sandbox_no_terminal(cli_ctx *ctx, const char *cmd) {
    if (!ctx->sandbox) return 0;
    fprintf(ctx->err, "llmlab %s: not inside a lesson: it reads the terminal itself and would take the "
                      "lesson's input (run it after the lesson)\n", cmd);
    return 1;
}
