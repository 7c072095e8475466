/* scaling_show.h - how `llmlab scaling` prints runs and laws: one table
 * layout for the rows a sweep finishes (`scaling run`) and the rows of a
 * results file (`scaling plot`), and the plot command itself (the table, the
 * laws, the picture of ui/scaling_draw.h, the compute frontier's tokens per
 * parameter, and --svg).
 *
 * The columns: size, N (non-embedding parameters, Kaplan's count), params
 * (all of them), D (tokens trained), D/params (tokens per parameter,
 * Chinchilla's ratio, which counts all parameters), C = 6 N D, the train and
 * validation loss and the wall time. Counts are shown with 3 significant
 * digits (scaling_si); the TSV keeps them exact. */
#ifndef LM_CLI_SCALING_SHOW_H
#define LM_CLI_SCALING_SHOW_H

#include <stdio.h>

#include "cli/cli.h"
#include "scaling/sweep.h"

/* the table's header line; lead = text before it, as wide as each row's */
void cli_scaling_header(FILE *f, const char *lead);
/* one row (no newline); lead = e.g. "a" or "3/12"; returns buf */
char *cli_scaling_row_text(char *buf, size_t cap, const char *lead, const lm_scaling_row *r);
/* `llmlab scaling plot [RESULTS] [--svg FILE] [--width W]`: 0, 1 or 2 */
int  cli_scaling_plot(cli_ctx *ctx, int argc, char **argv, const char *usage);

#endif
