/* export.h - a finished canvas as a file: plain text, ANSI (the colours as
 * drawn, in SGR escapes) or SVG (a picture of the cell grid), and a panel
 * drawn headless for the command line (`next --svg`, `attention --svg`).
 *
 * Contract
 * - canvas_export writes the cells of every row; styles come from the shared
 *   palette (palette.h) with the canvas's hc flag choosing the theme. An
 *   export has no terminal to take a default colour from: its default is
 *   white on black (PAL_EXPORT_FG / PAL_EXPORT_BG).
 * - text: canvas_to_text. ansi: one line per row; each run of cells of one
 *   style opens with a full SGR (reset, 256-colour foreground/background,
 *   bold/underline/dim), every line ends with a reset; trailing blanks of the
 *   default style are cut; UTF-8 glyphs.
 * - svg: EXPORT_CELL_W x EXPORT_CELL_H pixels a cell. A background <rect>
 *   covers the whole picture, a <rect> each run of cells whose background is
 *   not the default one, and a <text> each run of same-style cells that is
 *   not blank: x = column * EXPORT_CELL_W, y = row * EXPORT_CELL_H +
 *   EXPORT_BASELINE, textLength = the run's columns * EXPORT_CELL_W, so the
 *   glyphs keep to the grid whatever monospace font draws them. Text is
 *   XML-escaped; the document is well-formed XML.
 * - Writing stops at the first error: 0 ok, -1 (errno from the stream).
 */
#ifndef LM_UI_EXPORT_H
#define LM_UI_EXPORT_H

#include <stdio.h>

#include "cli/cli.h"
#include "ui/canvas.h"

enum { EXPORT_TEXT, EXPORT_ANSI, EXPORT_SVG };
#define EXPORT_CELL_W 10
#define EXPORT_CELL_H 20
#define EXPORT_BASELINE 15

/* the format a file name asks for: .svg, .ans / .ansi, anything else text */
int export_format_of(const char *path);
const char *export_format_name(int format);
int canvas_export(const ui_canvas *cv, int format, FILE *f);

/* ---- export_panel.c: a panel drawn for the command line ---- */
typedef struct {
    const char *panel;           /* the panel's tab label or name: "next", "attention" */
    int cols, rows;              /* the canvas */
    int hc;                      /* high contrast / projector layout */
    int ascii;                   /* no Unicode blocks (ANSI and text exports on an ASCII terminal) */
    int layer, head;             /* the attention panel's head */
    int chat;                    /* the prompt was wrapped in the chat template */
} export_panel_opts;

/* draws the panel for ids (the prompt, already encoded and clipped) with the
 * session's sampling settings and seed, exactly as the UI's panel rows show
 * it, onto a fresh canvas (no curses), and writes it to path in format.
 * 0 ok; -1 with a message on ctx->err (cmd names the command) */
int export_panel(cli_ctx *ctx, const char *cmd, const lm_ids *ids, const export_panel_opts *o, int format,
                 const char *path);

/* a command's text picture (UTF-8 lines, e.g. `word2vec plot`'s PCA table
 * and scatter) as a file: one canvas row per line, as wide as the longest,
 * cells showing the glyph `mark` (may be NULL) in the bar colour; written to
 * path in format like export_panel. 0 ok; -1 with a message on ctx->err */
int export_text(cli_ctx *ctx, const char *cmd, const char *text, const char *mark, int format, const char *path);

/* the export options next and attention share: --svg FILE, --ansi FILE,
 * --text FILE (- = stdout), --size WxH (default 100x30), --projector. The
 * command puts EXPORT_LONGOPTS among its long options and EXPORT_HELP in its
 * usage; export_cli_option returns 1 when opt was one of them, 0 when not,
 * -1 on a bad value (said on ctx->err). */
typedef struct {
    const char *path;            /* NULL: no export */
    int format, cols, rows, hc;
} export_cli;
#define EXPORT_LONGOPTS                                                                          \
    {"svg", required_argument, 0, 1101}, {"ansi", required_argument, 0, 1102},                  \
    {"text", required_argument, 0, 1103}, {"size", required_argument, 0, 1104},                 \
    {"projector", no_argument, 0, 1105}
#define EXPORT_HELP                                                                              \
    "  --svg FILE         draw the UI's panel for PROMPT and write it as SVG (- = stdout)\n"     \
    "  --ansi FILE        ... as text with ANSI colours;  --text FILE  ... as plain text\n"      \
    "  --size WxH         the panel's size in cells for --svg/--ansi/--text (default 100x30)\n" \
    "  --projector        the UI's projector mode (H): high contrast, large cells, legend\n"
int export_cli_option(cli_ctx *ctx, const char *cmd, int opt, const char *arg, export_cli *e);

/* app.c: the UI's whole screen as drawn (tabs, prompt, panel, output pane,
 * status line; not the ':' line) written to path in the format its name asks
 * for; an existing file only with force (:export!). Says how it went on the
 * status line; 0 ok, -1 failed */
struct ui_app;
int app_export(struct ui_app *a, const char *path, int force);

/* view_attention.c: selects the attention panel's head (clamped by poll) */
void attention_select(void *st, int layer, int head);

#endif
