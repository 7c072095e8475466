/* render.h - the screen side of the canvas: colours for each role (256 / 8
 * colours / monochrome, normal or high contrast) and drawing a finished
 * canvas on the curses screen (render_curses.c). Nothing else in the UI
 * calls ncurses' drawing functions.
 */
#ifndef LM_UI_RENDER_H
#define LM_UI_RENDER_H

#include "ui/canvas.h"

typedef struct {
    int mono;                    /* no colours (NO_COLOR, or a terminal without them) */
    int hc;                      /* high contrast */
} ui_render;

/* sets up the colour pairs; sets r->mono when the terminal has no colours.
 * Returns 1 when 256 colours are there (the canvas's rich flag). */
int  render_init_colors(ui_render *r);
/* draws every cell, places (or hides) the cursor, and updates the screen;
 * with full, the whole screen is repainted (clearok) */
void render_canvas(const ui_render *r, const ui_canvas *cv, int full);

#endif
