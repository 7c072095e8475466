/* app.h - the text UI's shared state and its parts (internal to src/ui).
 *
 * Ownership: the UI thread owns everything here, including ctx->model (the
 * "view model" every panel reads). The training worker (worker.h) owns its own
 * working copy and publishes parameter snapshots, which the UI thread copies
 * into ctx->model between frames; nothing else crosses threads.
 *
 * A frame (app.c): the update step (every panel's poll; the active one
 * computes what it shows), then drawing onto the canvas (tabs, prompt line,
 * the active panel, the output pane, the status line, the help overlay),
 * then the renderer puts the canvas on the screen.
 *
 * Screen layout (rows):  0 tabs | 1 prompt | 2 .. rows-2 the panel (and the
 * output pane when open) | rows-1 status line or ':' command line.
 */
#ifndef LM_UI_APP_H
#define LM_UI_APP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/cli.h"
#include "ui/canvas.h"
#include "ui/panel.h"
#include "ui/render.h"
#include "ui/session.h"
#include "ui/ui.h"
#include "ui/worker.h"

#define UI_HIST 32

/* the prompt editor (editor.c); the text itself is the session's */
typedef struct {
    int editing;
    int placeholder;             /* the prompt is the start-up example: the first letter typed replaces it */
    size_t pcur;                 /* cursor, a byte offset into ses.prompt */
    char *hist[UI_HIST];
    int nhist, hist_pos;
} ui_editor;

struct ui_app;
typedef void (*ui_line_done)(struct ui_app *a, const char *line);

/* the ':' line and its output pane (cmdpane.c) */
typedef struct {
    int active;
    char buf[LM_PATH_MAX];       /* room for any path llmlab accepts (io/atomic.h) */
    size_t len, cur;
    const char *label;           /* ":" or a question such as "save as: " */
    ui_line_done done;           /* NULL: run the line as a command */
    char *log;                   /* everything the commands printed */
    size_t log_len;
    int pane_open, pane_scroll;
} ui_cmdline;

typedef struct ui_app {
    cli_ctx *ctx;
    ui_session ses;
    int view, quit;
    int bench;                     /* drawing into a virtual screen */
    ui_editor ed;
    ui_cmdline cmd;
    int help_open, help_scroll;
    ui_canvas cv;                  /* the frame being drawn (and the hit regions of the last one) */
    ui_render rd;
    int full_redraw;               /* the next render repaints the whole screen */
    void **pst;                    /* [ui_n_panels] each panel's state */
    const char *inst_arg;          /* --instruct, NULL = the default next to the model */
    char inst_path[LM_PATH_MAX];          /* the instruct model the compare panel loaded ("" = none) */
    FILE *lat;                     /* key latency log */
} ui_app;

/* ---- app.c: the frame ---- */
int    app_init(ui_app *a, cli_ctx *ctx);
void   app_free(ui_app *a);
/* the update step: every panel's poll; returns UI_POLL_* bits */
int    app_poll(ui_app *a);
/* draws the frame onto the canvas and renders it */
void   app_draw(ui_app *a);
int    app_key(ui_app *a, int ch, int is_key);
double app_now_ms(void);
/* the state of panel p (its create's result) */
void  *app_panel_state(const ui_app *a, const ui_panel *p);

/* ---- keys.c: the global key bindings, dispatch and the '?' help ---- */
/* runs the binding of key in the global list, then in the active panel's;
 * 1 = handled */
int  keys_dispatch(ui_app *a, int key);
/* the help text, one line per entry (headings have no leading space);
 * returns the count; lines[i] point into static storage */
int  keys_help_lines(const char **lines, int max);
/* the name of a key as the help writes it: "space", "Left", "Ctrl-L", "t" */
void keys_name(int key, char *out, size_t cap);
extern const ui_binding keys_global[];
void help_draw(ui_app *a);
int  help_key(ui_app *a, int ch, int is_key);

/* ---- editor.c: the prompt line and its editor ---- */
void editor_draw(ui_app *a);
/* Opens the prompt editor; with placeholder=1 the first printable key typed
 * replaces the whole prompt (the start-up example) instead of extending it. */
void app_start_editing(ui_app *a, int placeholder);
void editor_key(ui_app *a, int ch, int is_key);
/* a printable key no binding took: a new prompt starting with it (Enter: edit) */
int  editor_start_typing(ui_app *a, int ch, int is_key);
/* 1 when the start-up editor lets this key act as a key */
int  editor_placeholder_passes(int ch, int is_key);
void editor_free(ui_app *a);
/* edits buf (UTF-8, *len bytes, cursor *cur) by one key; 1 = the text changed */
int  edit_line(char *buf, size_t cap, size_t *len, size_t *cur, int ch, int is_key);

/* ---- cmdpane.c: the ':' line and the output pane ---- */
void cmd_open(ui_app *a, const char *label, const char *initial, ui_line_done done);
void cmd_key(ui_app *a, int ch, int is_key);
/* draws the ':' line on the status row; 0 when not active */
int  cmd_draw_line(ui_app *a, int y);
void cmd_draw_pane(ui_app *a, int y, int h);
void cmd_log(ui_app *a, const char *s, size_t n);
void cmd_free(ui_app *a);

/* ---- term.c: terminal setup/restore and signals ---- */
int  term_open(ui_app *a, int bench, int cols, int rows);
void term_close(void);
int  term_signalled(void);
/* the screen's size now */
void term_size(int *rows, int *cols);
/* the next key: 0 none within timeout_ms (-1 waits), 1 a character, 2 a KEY_ code */
int  term_read_key(int timeout_ms, int *ch);
/* the click (BUTTON1) the last KEY_MOUSE reported; 0 ok */
int  term_read_click(int *y, int *x);

#endif
