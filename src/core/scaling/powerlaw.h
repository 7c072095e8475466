/* powerlaw.h - fitting a power law y = a * x^(-alpha) by least squares in
 * log space: the straight line a scaling-law plot draws on log-log axes.
 *
 * Contract
 * - lm_powerlaw_fit regresses log10 y on log10 x (ordinary least squares,
 *   every point weighted the same): log10 y = log10 a - alpha * log10 x.
 *   So alpha > 0 means y falls as x grows (loss against parameters or
 *   compute). r2 is the coefficient of determination of that regression in
 *   log space, 1 - SS_res / SS_tot (1 when every point is on the line; 1 as
 *   well when all y are equal and the line is flat through them).
 * - It needs n >= 2 points with x > 0 and y > 0, all finite, and at least
 *   two different x; otherwise it fails with a message saying which.
 * - Pure functions: no allocation, no state, nothing printed. Computed in
 *   double, centred on the means (no cancellation from large log10 x).
 */
#ifndef LM_SCALING_POWERLAW_H
#define LM_SCALING_POWERLAW_H

#include "base/err.h"

typedef struct {
    double a;       /* the prefactor: y at x = 1 */
    double alpha;   /* the exponent: y = a * x^(-alpha) */
    double r2;      /* R^2 of the fit in log space */
    int n;          /* points fitted */
} lm_powerlaw;

int    lm_powerlaw_fit(const double *x, const double *y, int n, lm_powerlaw *out, lm_err *err);
/* a * x^(-alpha) */
double lm_powerlaw_eval(const lm_powerlaw *p, double x);

/* With an offset: y = c + a * x^(-alpha), 0 <= c < min y. c is the loss no
 * amount of x removes (Chinchilla's irreducible term E). Least squares in
 * log space as above: c minimises sum (log10 y - log10(c + a x^-alpha))^2,
 * where for each c tried a and alpha are lm_powerlaw_fit's of y - c; c is
 * searched on a grid of LM_OFFSET_GRID values over [0, min y), then by golden
 * section between the best one's neighbours. r2 is in log space too, so it
 * compares with the plain law's (c = 0 is on the grid: never worse than
 * it). Needs n >= 3 points (three numbers are fitted). */
#define LM_OFFSET_GRID 256
typedef struct {
    double c, a, alpha;
    double r2;      /* 1 - sse / SS_tot of log10 y */
    double sse;     /* sum of squared errors of log10 y */
    int n;
} lm_powerlaw_offset;

int    lm_powerlaw_fit_offset(const double *x, const double *y, int n, lm_powerlaw_offset *out, lm_err *err);

#endif
