/* loglog.c - a log-log scatter plot with a fitted line (see loglog.h). */
#include "ui/loglog.h"

#include <math.h>
#include <stdio.h>

#define LABEL_W 7   /* y labels "  2.50 " and the axis '|' */
#define RIGHT_W 3   /* room for the last x label to stick out on the right */

typedef struct {
    int y, x, ph, pw;           /* the plotting area (inside the axes) */
    double lx0, lx1, ly0, ly1;  /* its ranges in log10 */
} frame;

static int col_of(const frame *f, double lx) {
    return (int)floor((lx - f->lx0) / (f->lx1 - f->lx0) * (f->pw - 1) + 0.5);
}
static int row_of(const frame *f, double ly) {
    return (int)floor((f->ly1 - ly) / (f->ly1 - f->ly0) * (f->ph - 1) + 0.5);
}

static int usable(const loglog_point *p) { return isfinite(p->x) && isfinite(p->y) && p->x > 0 && p->y > 0; }

/* the data's ranges; 0 when no point is usable */
static int ranges(const loglog_plot *p, frame *f) {
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (int i = 0; i < p->n; i++) {
        if (!usable(&p->pts[i])) continue;
        xmin = fmin(xmin, p->pts[i].x);
        xmax = fmax(xmax, p->pts[i].x);
        ymin = fmin(ymin, p->pts[i].y);
        ymax = fmax(ymax, p->pts[i].y);
    }
    if (!(xmin <= xmax)) return 0;
    f->lx0 = floor(log10(xmin));
    f->lx1 = ceil(log10(xmax));
    if (f->lx1 <= f->lx0) f->lx1 = f->lx0 + 1;
    double ly0 = log10(ymin), ly1 = log10(ymax), pad = (ly1 - ly0) * 0.08;
    if (pad < 0.01) pad = 0.01;
    f->ly0 = ly0 - pad;
    f->ly1 = ly1 + pad;
    return 1;
}

/* the y ticks: the finest round step (1, 2, 2.5 or 5 times a power of 10)
 * that gives at most max_ticks values inside the range */
static double tick_step(double v0, double v1, int max_ticks, int *decimals) {
    static const double mant[4] = {1, 2, 2.5, 5};
    for (int e = -4; e <= 6; e++)
        for (int k = 0; k < 4; k++) {
            double step = mant[k] * pow(10, e);
            double n = floor(v1 / step) - ceil(v0 / step) + 1;
            if (n <= max_ticks) {
                int d = e < 0 ? -e : 0;
                if (k == 2 && d < 4) d++;   /* 2.5, 0.25: one more decimal */
                *decimals = d > 4 ? 4 : d;
                return step;
            }
        }
    *decimals = 0;
    return pow(10, 7);
}

static void draw_axes(ui_canvas *cv, const frame *f) {
    /* y: the axis and round ticks */
    for (int r = 0; r < f->ph; r++) draw_text(cv, f->y + r, f->x - 1, 1, C_DIM, "|");
    int max_ticks = f->ph / 2 > 2 ? f->ph / 2 : 2, dec;
    double v0 = pow(10, f->ly0), v1 = pow(10, f->ly1), step = tick_step(v0, v1, max_ticks, &dec);
    for (double k = ceil(v0 / step); k * step <= v1; k++) {
        double v = k * step;
        int r = row_of(f, log10(v));
        if (r < 0 || r >= f->ph) continue;
        draw_textf(cv, f->y + r, f->x - LABEL_W, LABEL_W - 1, C_NORMAL, "%6.*f", dec, v);
        draw_text(cv, f->y + r, f->x - 1, 1, C_DIM, "+");
    }
    /* x: the axis, a tick and a label at every decade */
    int ay = f->y + f->ph;
    draw_text(cv, ay, f->x - 1, 1, C_DIM, "+");
    for (int c = 0; c < f->pw; c++) draw_text(cv, ay, f->x + c, 1, C_DIM, "-");
    int free_from = f->x - LABEL_W;   /* first column a label may use */
    for (int k = (int)f->lx0; k <= (int)f->lx1; k++) {
        int c = f->x + col_of(f, k);
        draw_text(cv, ay, c, 1, C_DIM, "+");
        char lab[16];
        int len = snprintf(lab, sizeof lab, "10^%d", k);
        int at = c - len / 2;
        if (at < free_from) continue;
        draw_text(cv, ay + 1, at, len, C_NORMAL, lab);
        free_from = at + len + 1;
    }
}

static void draw_fit(ui_canvas *cv, const frame *f, const lm_powerlaw *fit) {
    int prev = -1;
    for (int c = 0; c < f->pw; c++) {
        double lx = f->lx0 + (f->lx1 - f->lx0) * c / (f->pw - 1);
        double y = lm_powerlaw_eval(fit, pow(10, lx));
        if (!(y > 0) || !isfinite(y)) { prev = -1; continue; }
        int r = row_of(f, log10(y));
        /* a steep line: fill the rows between this column and the last */
        int from = prev < 0 ? r : (prev < r ? prev + 1 : r), to = prev < 0 ? r : (prev > r ? prev - 1 : r);
        if (from > to) { int t = from; from = to; to = t; }
        for (int k = from; k <= to; k++)
            if (k >= 0 && k < f->ph) draw_text(cv, f->y + k, f->x + c, 1, C_DIM, ".");
        prev = r;
    }
}

void draw_loglog(ui_canvas *cv, int y, int x, int h, int w, const loglog_plot *p) {
    if (h < 6 || w < 24) return;
    frame f = {.y = y, .x = x + LABEL_W, .ph = h - 2, .pw = w - LABEL_W - RIGHT_W};
    if (!ranges(p, &f)) return;
    draw_axes(cv, &f);
    if (p->fit) draw_fit(cv, &f, p->fit);
    for (int pass = 0; pass < 2; pass++)   /* the fitted points last: they stay visible */
        for (int i = 0; i < p->n; i++) {
            const loglog_point *q = &p->pts[i];
            if (!usable(q) || (q->strong != 0) != (pass == 1)) continue;
            int r = row_of(&f, log10(q->y)), c = col_of(&f, log10(q->x));
            if (r < 0 || r >= f.ph || c < 0 || c >= f.pw) continue;
            char g[2] = {q->mark >= 0x21 && q->mark < 0x7f ? q->mark : '*', 0};
            draw_text(cv, f.y + r, f.x + c, 1, q->strong ? C_VAL : C_BAR, g);
            if (q->strong && f.y + r < cv->rows && f.x + c < cv->cols)
                cv->cells[(size_t)(f.y + r) * cv->cols + f.x + c].attr |= CV_BOLD;
        }
}
