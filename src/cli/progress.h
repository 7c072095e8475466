/* progress.h - a progress display for long commands (train, sft, bpe-train).
 *
 * On a terminal: one line redrawn in place (cut to the terminal width),
 *   step 120/2000 [#####-----] loss 3.210 grad_norm 0.812 lr 3.00e-04 tok/s 12345 val_loss 3.400 ETA 4:12
 * (the figures are whatever the caller passes: trainloop.c passes an
 * objective's named figures)
 * Otherwise (pipe, log file): a plain line every `every` updates and at the
 * end, so logs stay readable. Messages printed through cli_progress_note
 * never tear the bar.
 */
#ifndef LM_CLI_PROGRESS_H
#define LM_CLI_PROGRESS_H

#include <stdio.h>

typedef struct {
    FILE  *f;
    int    tty;
    char   label[16];     /* "step", "merge", ... */
    long   total, start;  /* start: where this run began (resume) */
    long   last_plain;    /* last update printed in plain mode */
    long   every;         /* plain mode: print every N updates */
    double t0, last_draw;
    int    drawn;         /* a bar is on screen (tty) */
} cli_progress;

/* every <= 0: about 20 lines per run. */
void cli_progress_init(cli_progress *p, FILE *f, const char *label, long start, long total,
                       long every);
/* done: updates finished so far (absolute); extra: text after the bar
 * ("loss 3.21 val 3.40 12.3k tok/s"), may be NULL. force: print even
 * between plain-mode lines. */
void cli_progress_update(cli_progress *p, long done, const char *extra, int force);
/* Prints a message line above the bar. */
void cli_progress_note(cli_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends the bar line (tty). */
void cli_progress_finish(cli_progress *p);
/* "4:12" or "1:02:03" */
void cli_format_duration(double seconds, char *out, size_t cap);

#endif
