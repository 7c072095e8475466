/* loglog.h - a scatter plot on log-log axes with a fitted power law drawn
 * as a straight line: the picture of a scaling law, on a character canvas.
 *
 * Contract
 * - Axes: x spans whole decades, from 10^floor(log10 min x) to
 *   10^ceil(log10 max x) (at least one decade), with a tick '+' and a label
 *   "10^k" under every decade (labels that would overlap are left out).
 *   y is logarithmic too, from a little below the lowest to a little above
 *   the highest point, with 2 to about h/2 ticks at round values (a loss
 *   spans less than a decade, so its ticks are 2.0, 2.5, 3.0 rather than
 *   powers of 10), labelled on the left.
 * - The fitted line y = a x^-alpha is drawn with '.' (role C_DIM) over the
 *   whole x range and clipped to the y range; the points are drawn on top
 *   with their own ASCII mark, role C_VAL and bold when strong (the points
 *   the line is fitted to), else C_BAR. Only ASCII glyphs: the text output
 *   is the same on every terminal.
 * - Points that are not positive and finite are skipped. The plot needs
 *   h >= 6 and w >= 24 cells (nothing is drawn in less).
 */
#ifndef LM_UI_LOGLOG_H
#define LM_UI_LOGLOG_H

#include "scaling/powerlaw.h"
#include "ui/canvas.h"

typedef struct {
    double x, y;
    char mark;     /* an ASCII glyph */
    int strong;    /* one of the points the line is fitted to */
} loglog_point;

typedef struct {
    const loglog_point *pts;
    int n;
    const lm_powerlaw *fit;   /* the fitted line, or NULL for none */
} loglog_plot;

/* The plot in the h x w cells at (y, x): y labels in the first 7 columns,
 * the x axis and its labels on the last two rows. */
void draw_loglog(ui_canvas *cv, int y, int x, int h, int w, const loglog_plot *p);

#endif
