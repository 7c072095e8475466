/* infile.c - opening a file from outside, safely (see infile.h). */
#include "base/infile.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *type_name(mode_t m) {
    if (S_ISDIR(m)) return "a folder";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISSOCK(m)) return "a socket";
    return "not a regular file";
}

static int not_regular(const char *path, mode_t m, lm_err *err) {
    return lm_fail(err, "%s is %s, not a regular file", path, type_name(m));
}

/* "12.3 MB"-style size for messages */
static void human(uint64_t b, char *out, size_t cap) {
    if (b >= (1u << 20)) snprintf(out, cap, "%.1f MB", (double)b / (1 << 20));
    else if (b >= 1024) snprintf(out, cap, "%.1f KB", (double)b / 1024);
    else snprintf(out, cap, "%llu bytes", (unsigned long long)b);
}

int lm_infile_open(lm_infile *f, const char *path, const char *what, uint64_t max_bytes, lm_err *err) {
    f->fd = -1;
    f->size = 0;
    f->path = path;
    if (!path || !*path) return lm_fail(err, "no file name given");
    struct stat st;
    if (stat(path, &st) != 0) {
        int e = errno;
        return lm_fail(err, "cannot open %s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) return not_regular(path, st.st_mode, err);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return lm_fail(err, "cannot open %s: %s", path, strerror(e));
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {   /* swapped after the stat */
        close(fd);
        return not_regular(path, st.st_mode, err);
    }
    if (max_bytes > 0 && (uint64_t)st.st_size > max_bytes) {
        char has[32], most[32];
        human((uint64_t)st.st_size, has, sizeof has);
        human(max_bytes, most, sizeof most);
        close(fd);
        return lm_fail(err, "%s is %s; a %s file is at most %s", path, has, what ? what : "", most);
    }
    f->fd = fd;
    f->size = (uint64_t)st.st_size;
    return 0;
}

int lm_infile_read(lm_infile *f, void *buf, size_t n, lm_err *err) {
    uint8_t *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(f->fd, p + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            return lm_fail(err, "cannot read %s: %s", f->path, strerror(e));
        }
        if (r == 0) return lm_fail(err, "%s ended early (did it change while being read?)", f->path);
        got += (size_t)r;
    }
    return 0;
}

void lm_infile_close(lm_infile *f) {
    if (f->fd >= 0) close(f->fd);
    f->fd = -1;
}

int lm_infile_read_all(const char *path, const char *what, uint64_t max_bytes, uint8_t **data,
                       size_t *len, lm_err *err) {
    *data = NULL;
    *len = 0;
    lm_infile f;
    if (lm_infile_open(&f, path, what, max_bytes, err)) return -1;
    if (f.size >= SIZE_MAX) {
        lm_infile_close(&f);
        return lm_fail(err, "%s is too large for this machine", path);
    }
    uint8_t *buf = malloc((size_t)f.size + 1);
    if (!buf) {
        lm_infile_close(&f);
        return lm_fail(err, "out of memory reading %s", path);
    }
    int rc = lm_infile_read(&f, buf, (size_t)f.size, err);
    lm_infile_close(&f);
    if (rc) {
        free(buf);
        return -1;
    }
    buf[f.size] = 0;
    *data = buf;
    *len = (size_t)f.size;
    return 0;
}
