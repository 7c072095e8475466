/* scaling_draw.c - the two scaling-law plots of a results table (see
 * scaling_draw.h). */
#include "ui/scaling_draw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ui/loglog.h"

char *scaling_si(double v, char *buf, size_t cap) {
    static const char suffix[] = " kMGTP";
    int k = 0;
    while (fabs(v) >= 999.5 && k < 5) {
        v /= 1000;
        k++;
    }
    if (k == 0) snprintf(buf, cap, "%.0f", v);
    else snprintf(buf, cap, "%.*f%c", fabs(v) < 9.995 ? 2 : fabs(v) < 99.95 ? 1 : 0, v, suffix[k]);
    return buf;
}

char scaling_mark(int s, int upper) { return s < 0 || s >= 26 ? '*' : (char)((upper ? 'A' : 'a') + s); }

char *scaling_law_text(const lm_scaling_law *law, const char *xname, char *buf, size_t cap) {
    if (!law->fitted) snprintf(buf, cap, "%s", law->why);
    else
        snprintf(buf, cap, "L = %.3g * %s^%.3f   (alpha %.3f, R^2 %.3f, %d points)", law->fit.a, xname,
                 -law->fit.alpha + 0.0, law->fit.alpha, law->fit.r2, law->fit.n);   /* + 0.0: never "-0.000" */
    return buf;
}

char *scaling_offset_text(const lm_scaling_law *law, const char *xname, char *buf, size_t cap) {
    if (!law->off_fitted) snprintf(buf, cap, "%s", "");
    else
        snprintf(buf, cap, "with an offset: L = %.3f + %.3g * %s^%.3f   (R^2 %.3f)", law->off.c, law->off.a, xname,
                 -law->off.alpha + 0.0, law->off.r2);
    return buf;
}

/* title, law, law with an offset, plot, blank line; twice; then the legend */
int scaling_draw_rows(int plot_h) { return 2 * (plot_h + 4) + 1; }

/* one plot: every row a point (by_compute) or only the law's points */
static int one_plot(ui_canvas *cv, int y, int x, int ph, int w, const lm_scaling_table *t, const lm_scaling_laws *l,
                    int by_compute) {
    const lm_scaling_law *law = by_compute ? &l->by_compute : &l->by_params;
    char line[256];
    draw_text(cv, y, x, w, C_TITLE,
              by_compute ? "Loss against compute C = 6ND FLOPs, every run; CAPITALS: the fitted frontier"
                         : "Loss against parameters N (non-embedding), each size at its largest D");
    draw_text(cv, y + 1, x, w, law->fitted ? C_OK : C_ERR, scaling_law_text(law, by_compute ? "C" : "N", line, sizeof line));
    draw_text(cv, y + 2, x, w, C_DIM, scaling_offset_text(law, by_compute ? "C" : "N", line, sizeof line));
    int n = by_compute ? t->n : law->n;
    loglog_point *pts = calloc(n > 0 ? (size_t)n : 1, sizeof *pts);
    if (!pts) return ph + 4;
    for (int k = 0; k < n; k++) {
        int i = by_compute ? k : law->idx[k];
        const lm_scaling_row *r = &t->rows[i];
        int strong = !by_compute;
        for (int j = 0; by_compute && j < law->n; j++) strong |= law->idx[j] == i;
        pts[k] = (loglog_point){.x = by_compute ? lm_scaling_compute(r) : (double)r->params_nonembed,
                                .y = r->val_loss, .mark = scaling_mark(l->size_of[i], by_compute && strong),
                                .strong = strong};
    }
    loglog_plot p = {.pts = pts, .n = n, .fit = law->fitted ? &law->fit : NULL};
    draw_loglog(cv, y + 3, x, ph, w, &p);
    free(pts);
    return ph + 4;
}

void scaling_draw(ui_canvas *cv, int y, int x, int h, int w, const lm_scaling_table *t, const lm_scaling_laws *l) {
    int ph = (h - 1) / 2 - 4;
    if (ph < 6 || t->n < 1) {
        draw_text(cv, y, x, w, C_DIM, t->n < 1 ? "no runs to plot" : "too small to plot: make the window taller");
        return;
    }
    y += one_plot(cv, y, x, ph, w, t, l, 0);
    y += one_plot(cv, y, x, ph, w, t, l, 1);
    /* the legend: "sizes: a 1x16  b 1x32 ..." (their N are on the x axis and in the table) */
    int cx = x + draw_text(cv, y, x, w, C_DIM, "sizes:");
    for (int s = 0; s < l->n_sizes; s++) {
        const lm_scaling_row *r = &t->rows[l->size_row[s]];
        char item[48], size[32];
        int len = snprintf(item, sizeof item, "  %c %s", scaling_mark(s, 0), lm_scaling_size_format(&r->size, size, sizeof size));
        if (cx + len > x + w) break;   /* one line: the table lists them all */
        draw_text(cv, y, cx, w - (cx - x), C_NORMAL, item);
        cx += len;
    }
}
