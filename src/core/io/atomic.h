/* atomic.h - THE way llmlab writes a file: every save (model files,
 * optimizer state, tokeniser files) goes through lm_atomic_write.
 *
 * Contract
 * - Paths: a path of LM_PATH_MAX bytes or more (PATH_MAX, with its NUL) is
 *   refused with a message naming the limit; nothing here truncates a path.
 *   A path ending in '/' (no file name) is refused.
 * - lm_atomic_write(PATH) creates a temporary with a unique name in PATH's
 *   own folder, ".NAME.PID.XXXXXX.tmp" (NAME = PATH's file name, cut to its
 *   first LM_TMP_NAME_MAX bytes so the name stays under NAME_MAX; PID = the
 *   writing process; XXXXXX random, created with O_EXCL like mkstemp),
 *   lets the caller write it, flushes and fsyncs it, renames it over PATH
 *   and fsyncs the folder. Readers see the old PATH or the new one, never a
 *   part; two processes saving the same PATH at once both succeed (the last
 *   rename wins). On any failure the temporary is removed, PATH is left as
 *   it was, and err names PATH and the reason (strerror).
 * - A new file gets mode 0666 minus the umask; a file replaced keeps the
 *   mode of the file it replaces.
 * - Stale temporaries: before writing, lm_atomic_write removes temporaries
 *   of the SAME target (the ".NAME.PID.XXXXXX.tmp" pattern of PATH) that
 *   are regular files owned by this user, whose PID is not a running process
 *   on this machine (kill(PID, 0) fails with ESRCH) and that were not
 *   modified for LM_STALE_SECONDS (so a writer in another PID namespace
 *   sharing the folder, still writing, is not touched). Nothing else in the
 *   folder is ever removed.
 * - lm_atomic_probe(PATH) checks, before long work, that PATH can be saved:
 *   length, the folder exists, a temporary can be created and removed there,
 *   PATH is not a folder, and (need > 0) the file system has at least need
 *   bytes free for this user.
 * - Nothing prints. Thread-safe (no shared state but the test hook).
 */
#ifndef LM_IO_ATOMIC_H
#define LM_IO_ATOMIC_H

#include <stdint.h>
#include <stdio.h>

#include "base/err.h"

#define LM_PATH_MAX 4096        /* bytes with the NUL: a path must be shorter */
#define LM_TMP_NAME_MAX 200     /* bytes of NAME kept in a temporary's name */
#define LM_STALE_SECONDS 60     /* a dead writer's temporary older than this is removed */

/* Writes the file's content to f; 0 ok, -1 failed (errno says why, or err
 * holds a message). */
typedef int (*lm_write_fn)(FILE *f, void *user, lm_err *err);

/* 0 when path is non-empty, names a file and is shorter than LM_PATH_MAX. */
int lm_path_check(const char *path, lm_err *err);
int lm_atomic_write(const char *path, lm_write_fn fn, void *user, lm_err *err);
/* The same for bytes already in memory. */
int lm_atomic_write_bytes(const char *path, const void *data, size_t len, lm_err *err);
int lm_atomic_probe(const char *path, uint64_t need, lm_err *err);

/* A new, unique place to save a copy of `path` when saving it failed:
 * creates the folder DIR/llmlab-rescue-XXXXXX (mode 0700; DIR = dir, or
 * /tmp when dir is NULL or empty) and returns the malloc'd path of PATH's
 * file name inside it; NULL on failure (err says why). */
char *lm_rescue_path(const char *dir, const char *path, lm_err *err);

/* Test hook: when set, it is called with PATH after the content is written
 * and before the rename; a non-zero return is taken as that errno (e.g.
 * ENOSPC) and the save fails as a real one would. NULL in normal use. */
extern int (*lm_atomic_fail_hook)(const char *path);

#endif
