/* laws.h - the scaling laws of a results table: which runs each law is
 * fitted to, and the fits (powerlaw.h), so that the CLI, the TUI and the
 * tests all draw and print the same lines.
 *
 * Contract
 * - Loss against parameters, L(N) = a N^-alpha: Kaplan et al.'s L(N) is the
 *   loss of a model trained close to convergence, so each size contributes
 *   one point, its run with the most tokens (ties: the first such row).
 *   A size is (layers, width, heads, context, vocabulary). N is the
 *   non-embedding parameter count.
 * - Loss against compute, L(C) = a C^-alpha with C = 6 N D: the line is fitted
 *   to the compute frontier, the runs that no run of less or equal compute
 *   beats: rows in order of compute (ties: lower loss first) kept when their
 *   loss is below every one kept before. (Kaplan's L(C_min) is this lower
 *   envelope.) Every run is still a point on the plot.
 * - Sizes are numbered in order of N (then layers, width, heads): the plots
 *   mark a size's runs with the same letter.
 * - A law needs two points with different x; with fewer, fitted = 0 and why
 *   says so (the table is still drawn). The law with an offset, L = c +
 *   a x^-alpha, is fitted too when there are 4 points or more (three
 *   numbers pass through any 3 points: a 4th is the first test).
 * - Nothing prints; no allocation beyond the caller's lm_scaling_laws.
 */
#ifndef LM_SCALING_LAWS_H
#define LM_SCALING_LAWS_H

#include "scaling/powerlaw.h"
#include "scaling/results.h"

typedef struct {
    int *idx;             /* rows the law is fitted to, in order of x */
    int n;
    lm_powerlaw fit;
    int fitted;           /* 0: too few points (why says so) */
    char why[160];
    lm_powerlaw_offset off;   /* the same points with an offset c (powerlaw.h) */
    int off_fitted;           /* 0: fewer than 4 points */
} lm_scaling_law;

typedef struct {
    int *size_of;         /* [rows] the size number of each row, 0.. in order of N */
    int n_sizes;
    int *size_row;        /* [n_sizes] a row of each size (its first) */
    lm_scaling_law by_params;    /* L(N): each size at its largest budget */
    lm_scaling_law by_compute;   /* L(C): the compute frontier */
    int *buf;             /* storage of the arrays above */
} lm_scaling_laws;

/* Numbers the sizes, picks the points and fits both laws. 0, or -1 only for
 * an empty table or out of memory. */
int  lm_scaling_laws_fit(const lm_scaling_table *t, lm_scaling_laws *out, lm_err *err);
void lm_scaling_laws_free(lm_scaling_laws *l);

#endif
