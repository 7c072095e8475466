/* atomic.c - unique temporary, fsync, rename, fsync the folder (see
 * atomic.h). Everything is done relative to the folder's descriptor
 * (openat, renameat, unlinkat), so only PATH itself must fit LM_PATH_MAX. */
#include "io/atomic.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

int (*lm_atomic_fail_hook)(const char *path) = NULL;

/* a path in a message: its last 200 bytes, so the reason after it fits */
#define SHOWN_FMT "%s%s"
#define SHOWN(p) (strlen(p) > 200 ? "..." : ""), (strlen(p) > 200 ? (p) + strlen(p) - 200 : (p))

/* PATH split into its folder (malloc'd) and its file name (inside path). */
typedef struct {
    char *dir;
    const char *name;
    size_t name_cut;      /* bytes of name used in temporaries' names */
} target;

int lm_path_check(const char *path, lm_err *err) {
    if (!path || !*path) return lm_fail(err, "no file name given");
    size_t n = strnlen(path, LM_PATH_MAX);
    if (n >= LM_PATH_MAX)
        return lm_fail(err, "path of %zu bytes is too long: the limit is %d bytes (PATH_MAX); nothing was written",
                       strlen(path), LM_PATH_MAX - 1);
    if (path[n - 1] == '/') return lm_fail(err, SHOWN_FMT " names a folder, not a file", SHOWN(path));
    return 0;
}

static int split(const char *path, target *t, lm_err *err) {
    if (lm_path_check(path, err)) return -1;
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) : 0;
    t->dir = malloc(dl + 2);
    if (!t->dir) return lm_fail(err, "out of memory");
    if (!slash) strcpy(t->dir, ".");
    else if (dl == 0) strcpy(t->dir, "/");
    else { memcpy(t->dir, path, dl); t->dir[dl] = 0; }
    t->name = slash ? slash + 1 : path;
    size_t nl = strlen(t->name);
    t->name_cut = nl < LM_TMP_NAME_MAX ? nl : LM_TMP_NAME_MAX;
    return 0;
}

static int open_dir(const target *t, lm_err *err) {
    int dfd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        int e = errno;
        if (e == ENOENT) return lm_fail(err, "the folder " SHOWN_FMT " does not exist", SHOWN(t->dir));
        return lm_fail(err, "cannot open the folder " SHOWN_FMT ": %s", SHOWN(t->dir), strerror(e));
    }
    return dfd;
}

/* Is `s` ".NAME.PID.XXXXXX.tmp" for t? Sets *pid. */
static int is_our_temp(const target *t, const char *s, long *pid) {
    if (s[0] != '.' || strncmp(s + 1, t->name, t->name_cut) != 0 || s[1 + t->name_cut] != '.') return 0;
    const char *p = s + 2 + t->name_cut;
    char *end;
    errno = 0;
    long v = strtol(p, &end, 10);
    if (end == p || *p < '0' || *p > '9' || errno || v <= 0 || *end != '.') return 0;
    for (int i = 1; i <= 6; i++)
        if (!end[i] || end[i] == '/') return 0;
    if (strcmp(end + 7, ".tmp") != 0) return 0;
    *pid = v;
    return 1;
}

/* the stale-temporary rule of atomic.h */
static void clean_stale(int dfd, const target *t) {
    int fd2 = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd2 >= 0 ? fdopendir(fd2) : NULL;
    if (!d) {
        if (fd2 >= 0) close(fd2);
        return;
    }
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long pid;
        struct stat st;
        if (!is_our_temp(t, e->d_name, &pid) || pid == (long)getpid()) continue;
        if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
        if (st.st_uid != geteuid() || now - st.st_mtime < LM_STALE_SECONDS) continue;
        if (pid > (long)INT32_MAX || (kill((pid_t)pid, 0) != 0 && errno == ESRCH))
            unlinkat(dfd, e->d_name, 0);
    }
    closedir(d);
}

/* Creates a fresh temporary for t (O_EXCL); its name goes to name[cap]. */
static int make_temp(int dfd, const target *t, char *name, size_t cap) {
    static const char abc[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned char r[6];
        if (getentropy(r, sizeof r) != 0) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            unsigned long long x = (unsigned long long)ts.tv_nsec * 2654435761ULL + (unsigned)attempt * 40503u;
            for (int i = 0; i < 6; i++) r[i] = (unsigned char)(x >> (8 * i));
        }
        char rnd[7];
        for (int i = 0; i < 6; i++) rnd[i] = abc[r[i] % (sizeof abc - 1)];
        rnd[6] = 0;
        snprintf(name, cap, ".%.*s.%ld.%s.tmp", (int)t->name_cut, t->name, (long)getpid(), rnd);
        int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    errno = EEXIST;
    return -1;
}

/* fsync the folder so the rename itself survives a crash (best effort:
 * some file systems refuse fsync on a folder) */
static void sync_dir(int dfd) { (void)fsync(dfd); }

/* the temporary written, flushed, synced and closed; 0 or an errno */
static int fill_temp(int fd, const char *path, lm_write_fn fn, void *user, lm_err *err, int *have_msg) {
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        int e = errno;
        close(fd);
        return e;
    }
    errno = 0;
    int e = 0;
    if (fn(f, user, err) != 0) {
        e = errno ? errno : EIO;
        *have_msg = errno == 0 && err && err->msg[0];
    }
    if (!e && fflush(f) != 0) e = errno;
    if (!e && fsync(fileno(f)) != 0) e = errno;
    if (fclose(f) != 0 && !e) e = errno;
    if (!e && lm_atomic_fail_hook) e = lm_atomic_fail_hook(path);
    return e;
}

int lm_atomic_write(const char *path, lm_write_fn fn, void *user, lm_err *err) {
    target t;
    if (split(path, &t, err)) return -1;
    int dfd = open_dir(&t, err);
    if (dfd < 0) { free(t.dir); return -1; }
    clean_stale(dfd, &t);
    char tmp[LM_TMP_NAME_MAX + 64];
    int fd = make_temp(dfd, &t, tmp, sizeof tmp);
    if (fd < 0) {
        int e = errno;
        lm_fail(err, "cannot create a file in the folder " SHOWN_FMT ": %s", SHOWN(t.dir), strerror(e));
        close(dfd);
        free(t.dir);
        return -1;
    }
    struct stat old;
    if (fstatat(dfd, t.name, &old, 0) == 0 && S_ISREG(old.st_mode)) (void)fchmod(fd, old.st_mode & 07777);
    if (err) err->msg[0] = 0;
    int have_msg = 0;
    int e = fill_temp(fd, path, fn, user, err, &have_msg);
    if (!e && renameat(dfd, tmp, dfd, t.name) != 0) e = errno;
    if (e) {
        unlinkat(dfd, tmp, 0);
        if (!have_msg) lm_fail(err, "cannot save " SHOWN_FMT ": %s", SHOWN(path), strerror(e));
    } else {
        sync_dir(dfd);
    }
    close(dfd);
    free(t.dir);
    return e ? -1 : 0;
}

typedef struct { const void *p; size_t n; } bytes;
static int write_bytes(FILE *f, void *user, lm_err *err) {
    (void)err;
    const bytes *b = user;
    return b->n == 0 || fwrite(b->p, 1, b->n, f) == b->n ? 0 : -1;
}

int lm_atomic_write_bytes(const char *path, const void *data, size_t len, lm_err *err) {
    bytes b = {data, len};
    return lm_atomic_write(path, write_bytes, &b, err);
}

/* the free space check of lm_atomic_probe */
static int check_space(int dfd, const target *t, uint64_t need, lm_err *err) {
    struct statvfs vs;
    if (need == 0 || fstatvfs(dfd, &vs) != 0 || vs.f_blocks == 0) return 0;
    uint64_t avail = (uint64_t)vs.f_bavail * (uint64_t)vs.f_frsize;
    if (avail >= need) return 0;
    return lm_fail(err, "not enough space in " SHOWN_FMT ": %llu kB free, the save needs about %llu kB", SHOWN(t->dir),
                   (unsigned long long)(avail / 1024), (unsigned long long)((need + 1023) / 1024));
}

int lm_atomic_probe(const char *path, uint64_t need, lm_err *err) {
    target t;
    if (split(path, &t, err)) return -1;
    int dfd = open_dir(&t, err);
    if (dfd < 0) { free(t.dir); return -1; }
    int rc = 0;
    struct stat st;
    char tmp[LM_TMP_NAME_MAX + 64];
    if (fstatat(dfd, t.name, &st, 0) == 0 && S_ISDIR(st.st_mode)) {
        rc = lm_fail(err, SHOWN_FMT " is a folder, not a file", SHOWN(path));
    } else {
        int fd = make_temp(dfd, &t, tmp, sizeof tmp);
        if (fd < 0) {
            int e = errno;
            rc = lm_fail(err, "cannot write in the folder " SHOWN_FMT ": %s", SHOWN(t.dir), strerror(e));
        } else {
            close(fd);
            unlinkat(dfd, tmp, 0);
            rc = check_space(dfd, &t, need, err);
        }
    }
    close(dfd);
    free(t.dir);
    return rc;
}

char *lm_rescue_path(const char *dir, const char *path, lm_err *err) {
    if (!dir || !*dir) dir = "/tmp";
    const char *slash = path ? strrchr(path, '/') : NULL;
    const char *name = slash ? slash + 1 : path;
    if (!name || !*name) name = "rescued.llm";
    size_t nl = strnlen(name, LM_TMP_NAME_MAX);
    size_t cap = strlen(dir) + nl + 32;
    char *out = malloc(cap);
    if (!out) { lm_fail(err, "out of memory"); return NULL; }
    snprintf(out, cap, "%s/llmlab-rescue-XXXXXX", dir);
    if (cap > LM_PATH_MAX || !mkdtemp(out)) {
        int e = cap > LM_PATH_MAX ? ENAMETOOLONG : errno;
        lm_fail(err, "cannot make a rescue folder in " SHOWN_FMT ": %s", SHOWN(dir), strerror(e));
        free(out);
        return NULL;
    }
    size_t n = strlen(out);
    snprintf(out + n, cap - n, "/%.*s", (int)nl, name);
    return out;
}
