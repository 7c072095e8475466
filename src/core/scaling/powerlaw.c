/* powerlaw.c - least squares of a power law in log space (see powerlaw.h). */
#include "scaling/powerlaw.h"

#include <math.h>

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
