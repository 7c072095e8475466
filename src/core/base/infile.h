/* infile.h - opening a file that came from outside (a downloaded model, a
 * tokeniser, training or evaluation data), safely. Every core reader of a
 * named file goes through here.
 *
 * Contract
 * - lm_infile_open stats the path first and refuses anything that is not a
 *   regular file (a directory, FIFO, character or block device such as
 *   /dev/zero, a socket) with "PATH is a FIFO, not a regular file", before
 *   opening it. It opens with O_NONBLOCK (so a FIFO swapped in after the
 *   stat can never block), checks the opened descriptor again with fstat, and
 *   refuses a file larger than max_bytes (0 = no limit) with a message that
 *   names both sizes and `what` ("a tokeniser file is at most 256 MB").
 * - f->size is the file's size at open; readers check the sizes a header
 *   claims against it before allocating anything for the body.
 * - lm_infile_read reads exactly n bytes; a short read (the file shrank) or
 *   an I/O error fails with the path named.
 * - lm_infile_read_all = open + read the whole file into a malloc'd buffer
 *   with one NUL byte after the end (not counted in *len).
 * - Every message names the path once; callers add context, not the path.
 * - Nothing prints; failures return -1 with lm_err (the descriptor closed).
 */
#ifndef LM_INFILE_H
#define LM_INFILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct {
    int fd;
    uint64_t size;
    const char *path;   /* not owned: the caller's string */
} lm_infile;

int  lm_infile_open(lm_infile *f, const char *path, const char *what, uint64_t max_bytes, lm_err *err);
int  lm_infile_read(lm_infile *f, void *buf, size_t n, lm_err *err);
void lm_infile_close(lm_infile *f);
int  lm_infile_read_all(const char *path, const char *what, uint64_t max_bytes, uint8_t **data,
                        size_t *len, lm_err *err);

#endif
