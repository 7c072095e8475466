/* palette.h - the colours of each canvas role (canvas.h), one table for the
 * screen (render_curses.c) and the exports (export.c), so an exported panel
 * has the colours the screen shows.
 *
 * Colours are xterm-256 indices (or the 8 curses colours); PAL_DEFAULT means
 * the theme's own foreground or background: the terminal's in the normal
 * theme, white on black in high contrast (projector mode).
 */
#ifndef LM_UI_PALETTE_H
#define LM_UI_PALETTE_H

enum { PAL_DEFAULT = -1 };

typedef struct {
    int fg, bg;          /* xterm-256 index or PAL_DEFAULT */
    int bold;            /* the role is drawn bold */
} pal_style;

/* role's colours with 256 colours; hc = high contrast */
pal_style palette_role(int role, int hc);
/* role's colours with the 8 curses colours (COLOR_* values, PAL_DEFAULT) */
pal_style palette_role8(int role, int hc);
/* the theme's default colours as xterm-256 indices for an export (which has
 * no terminal to take them from): white on black */
#define PAL_EXPORT_FG 231
#define PAL_EXPORT_BG 16
/* an xterm-256 index as 0xRRGGBB */
unsigned palette_rgb(int idx);

#endif
