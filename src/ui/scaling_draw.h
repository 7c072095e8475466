/* scaling_draw.h - the scaling-law picture of a results table on a canvas:
 * loss against parameters and loss against compute, each on log-log axes
 * with its fitted power law (scaling/laws.h) written above it, and a legend
 * of the sizes. `llmlab scaling plot` prints it (and exports it as SVG);
 * the TUI's Scaling view draws the same thing.
 *
 * Contract
 * - Sizes are marked a, b, c ... in order of N (scaling/laws.h); in the
 *   compute plot the runs of the compute frontier (the points its line is
 *   fitted to) are capitals. After 26 sizes the mark is '*'.
 * - Each plot has a title, its law, its law with an offset (the dim line
 *   under it) and the plot; the two are stacked, each taking half of what
 *   remains after the text lines; scaling_draw_rows says how many rows a given plot height
 *   needs. Only ASCII: the text is the same on every terminal.
 * - Numbers: a law is "L = 5.27 * N^-0.101   (alpha 0.101, R^2 0.987, 5 points)"
 *   (a rising law: "N^0.034   (alpha -0.034, ...)");
 *   counts in the legend by scaling_si.
 */
#ifndef LM_UI_SCALING_DRAW_H
#define LM_UI_SCALING_DRAW_H

#include <stddef.h>

#include "scaling/laws.h"
#include "ui/canvas.h"

/* v with 3 significant digits and k, M, G, T, P (1000s): "3.34k", "100k",
 * "1.25M", "512"; returns buf */
char *scaling_si(double v, char *buf, size_t cap);
/* the mark of size number s: 'a' + s ('A' + s when upper), '*' past 'z' */
char scaling_mark(int s, int upper);
/* "L = 5.27 * N^-0.101   (alpha 0.101, R^2 0.987, 5 points)" or the law's why */
char *scaling_law_text(const lm_scaling_law *law, const char *xname, char *buf, size_t cap);
/* "with an offset: L = 1.320 + 4.1 * N^-0.410   (R^2 0.998)", or "" when it
 * was not fitted */
char *scaling_offset_text(const lm_scaling_law *law, const char *xname, char *buf, size_t cap);

/* rows the picture takes with plots of plot_h rows each */
int  scaling_draw_rows(int plot_h);
/* Draws the picture of t (with its laws l) in the h x w cells at (y, x). */
void scaling_draw(ui_canvas *cv, int y, int x, int h, int w, const lm_scaling_table *t,
                  const lm_scaling_laws *l);

#endif
