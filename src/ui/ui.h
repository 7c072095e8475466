/* ui.h - the ncurses text UI of llmlab: the one entry point the command
 * table and main.c need.
 *
 *   llmlab ui [-m MODEL] [--instruct MODEL] [--ascii] [--high-contrast] [PROMPT]
 *   llmlab ui --bench-frames N [--size WxH] [--bench-view V|all] [-m MODEL] PROMPT
 *
 * Contract
 * - Needs a terminal on stdin and stdout; otherwise says so on ctx->err and
 *   returns 2 (the bench mode draws into a virtual screen and needs none).
 * - The terminal is always restored: on q, on Ctrl-C, SIGTERM, SIGHUP, and on
 *   crash signals (SIGSEGV, SIGABRT, SIGBUS, SIGFPE: endwin, then the signal is
 *   re-raised with its default action). While curses owns the screen, stderr
 *   goes to a log file ($TMPDIR/llmlab-ui-PID.log, or /dev/null).
 * - Smallest usable terminal: UI_MIN_COLS x UI_MIN_ROWS; below it the screen
 *   shows a one-line message instead of the views.
 * - NO_COLOR (non-empty) means monochrome; LLMLAB_ASCII=1 (or a non-UTF-8
 *   locale) means ASCII instead of Unicode blocks and braille.
 * - LLMLAB_UI_LATENCY_LOG=FILE appends "ms=<float> key=<code>" per key press:
 *   the time from reading the key to the end of the redraw (doupdate).
 * - The UI never does model maths: every number it draws comes from the core
 *   (src/core) or the command layer (src/cli).
 */
#ifndef LM_UI_H
#define LM_UI_H

#include "cli/cli.h"

#define UI_MIN_COLS 40
#define UI_MIN_ROWS 12

int cmd_ui(cli_ctx *ctx, int argc, char **argv);

#endif
