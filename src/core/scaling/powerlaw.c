/* powerlaw.c - least squares of a power law in log space (see powerlaw.h). */
#include "scaling/powerlaw.h"

#include <math.h>
#include <stdlib.h>

int lm_powerlaw_fit(const double *x, const double *y, int n, lm_powerlaw *out, lm_err *err) {
    if (n < 2) return lm_fail(err, "a power law needs at least 2 points, got %d", n);
    double mx = 0, my = 0;
    for (int i = 0; i < n; i++) {
        if (!(isfinite(x[i]) && isfinite(y[i]) && x[i] > 0 && y[i] > 0))
            return lm_fail(err, "point %d (%g, %g) is not positive and finite: no logarithm", i + 1, x[i], y[i]);
        mx += log10(x[i]);
        my += log10(y[i]);
    }
    mx /= n;
    my /= n;
    double sxx = 0, sxy = 0, syy = 0;   /* centred sums of squares and products */
    for (int i = 0; i < n; i++) {
        double dx = log10(x[i]) - mx, dy = log10(y[i]) - my;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if (!(sxx > 0)) return lm_fail(err, "all %d points have the same x (%g): no slope to fit", n, x[0]);
    double slope = sxy / sxx;   /* d log10 y / d log10 x = -alpha */
    double ss_res = 0;          /* residual sum of squares about the line */
    for (int i = 0; i < n; i++) {
        double r = log10(y[i]) - my - slope * (log10(x[i]) - mx);
        ss_res += r * r;
    }
    out->alpha = -slope;
    out->a = pow(10.0, my - slope * mx);
    out->r2 = syy > 0 ? 1.0 - ss_res / syy : 1.0;
    out->n = n;
    return 0;
}

double lm_powerlaw_eval(const lm_powerlaw *p, double x) { return p->a * pow(x, -p->alpha); }

/* the squared error of log10 y under c + (the log-space fit of y - c);
 * HUGE_VAL when y - c cannot be fitted */
static double offset_sse(const double *x, const double *y, int n, double c, double *ys, lm_powerlaw *p) {
    for (int i = 0; i < n; i++) ys[i] = y[i] - c;
    if (lm_powerlaw_fit(x, ys, n, p, NULL)) return HUGE_VAL;
    double sse = 0;
    for (int i = 0; i < n; i++) {
        double r = log10(y[i]) - log10(c + lm_powerlaw_eval(p, x[i]));
        sse += r * r;
    }
    return isfinite(sse) ? sse : HUGE_VAL;
}

int lm_powerlaw_fit_offset(const double *x, const double *y, int n, lm_powerlaw_offset *out, lm_err *err) {
    if (n < 3) return lm_fail(err, "a power law with an offset needs at least 3 points, got %d", n);
    lm_powerlaw p;
    if (lm_powerlaw_fit(x, y, n, &p, err)) return -1;   /* the same checks of the points */
    double ymin = y[0], mean = 0;   /* mean of log10 y */
    for (int i = 0; i < n; i++) {
        ymin = fmin(ymin, y[i]);
        mean += log10(y[i]) / n;
    }
    double *ys = malloc((size_t)n * sizeof *ys);
    if (!ys) return lm_fail(err, "out of memory");
    double step = ymin / LM_OFFSET_GRID, best_c = 0, best = HUGE_VAL;
    for (int k = 0; k < LM_OFFSET_GRID; k++) {
        double e = offset_sse(x, y, n, k * step, ys, &p);
        if (e < best) best = e, best_c = k * step;
    }
    /* golden section between the best grid point's neighbours (below min y) */
    double lo = fmax(0, best_c - step), hi = fmin(best_c + step, ymin * (1 - 1e-12));
    const double g = (sqrt(5.0) - 1) / 2;
    double c1 = hi - g * (hi - lo), c2 = lo + g * (hi - lo);
    double e1 = offset_sse(x, y, n, c1, ys, &p), e2 = offset_sse(x, y, n, c2, ys, &p);
    for (int it = 0; it < 100 && hi - lo > 1e-15 * ymin; it++) {
        if (e1 <= e2) { hi = c2; c2 = c1; e2 = e1; c1 = hi - g * (hi - lo); e1 = offset_sse(x, y, n, c1, ys, &p); }
        else { lo = c1; c1 = c2; e1 = e2; c2 = lo + g * (hi - lo); e2 = offset_sse(x, y, n, c2, ys, &p); }
    }
    double c = e1 <= e2 ? c1 : c2, e = fmin(e1, e2);
    if (!(e <= best)) c = best_c;   /* the grid point was better after all */
    out->sse = offset_sse(x, y, n, c, ys, &p);
    free(ys);
    if (!isfinite(out->sse)) return lm_fail(err, "no power law with an offset fits these points");
    double ss_tot = 0;
    for (int i = 0; i < n; i++) ss_tot += (log10(y[i]) - mean) * (log10(y[i]) - mean);
    out->c = c;
    out->a = p.a;
    out->alpha = p.alpha;
    out->r2 = ss_tot > 0 ? 1.0 - out->sse / ss_tot : 1.0;
    out->n = n;
    return 0;
}
