/* err.h - how the core reports failure.
 *
 * Contract: every core function that can fail on outside input returns 0 on
 * success and -1 on failure, and fills an lm_err with a one-line, human
 * message (no trailing newline). The core never prints and never exits; the
 * caller decides what to show and which exit status to use.
 * `err` may be NULL when the caller does not want the message.
 */
#ifndef LM_ERR_H
#define LM_ERR_H

typedef struct {
    char msg[512];
} lm_err;

/* Formats the message into err (if non-NULL) and returns -1, so that
 * `return lm_fail(err, "bad magic in %s", path);` reads naturally. */
int lm_fail(lm_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
