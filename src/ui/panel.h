/* panel.h - a view of the text UI as a plug-in: a panel, its key bindings,
 * and the one table of panels (panels.c).
 *
 * Contract
 * - A panel is a name, a short tab label, a key-binding list and operations:
 *     create  its own state (may return NULL when it keeps none)
 *     poll    the update step of every frame, before drawing: drain queues,
 *             and when active compute what the next draw shows (the session's
 *             forward, a comparison ...). Returns UI_POLL_* bits.
 *     draw    reads its state and the shared session and writes cells on the
 *             canvas rows [y, y+h); it never computes model results
 *     key     optional: sees a key before the bindings (modal input such as
 *             "the next key is a letter"); 1 = taken
 *     click   optional: a click on one of the hit regions it drew
 *     free    releases its state
 * - Key bindings (key, action, help text) are the only way keys reach
 *   actions: the dispatcher (keys.c) walks the global list, then the active
 *   panel's, and the '?' overlay is printed from the same rows, so the help
 *   cannot drift from the keys. Bindings next to each other with the same
 *   help text share one help line ("t / T  temperature down / up").
 * - Kinds: a panel says whether it needs a transformer (any_kind below).
 * - Adding a view: one new file with its panel (ops + bindings) and one line
 *   in the table in panels.c. The tab number is its place in the table.
 */
#ifndef LM_UI_PANEL_H
#define LM_UI_PANEL_H

#include "ui/canvas.h"

struct ui_app;

/* an action: 1 = the key was handled, 0 = not (the key goes on, e.g. to the
 * "type to start a prompt" rule) */
typedef int (*ui_action)(struct ui_app *a, void *st, int key);

/* key: a character below 0x100 or a curses KEY_ code; last: the end of a
 * range of keys (0 = just key); the action gets the key that was pressed */
typedef struct {
    int key, last;
    ui_action act;
    const char *help;
} ui_binding;

enum { UI_POLL_CHANGED = 1, UI_POLL_AGAIN = 2 };   /* redraw within 100 ms / right away, then poll again */

typedef struct ui_panel {
    const char *name;                    /* "Next token": the tab, and the help's heading */
    const char *tab;                     /* "Next": the tab on narrow screens */
    const ui_binding *keys;              /* ended by a row with act == NULL */
    void *(*create)(struct ui_app *a);
    int  (*poll)(void *st, struct ui_app *a, int active);
    void (*draw)(const void *st, const struct ui_app *a, ui_canvas *cv, int y, int h);
    int  (*key)(void *st, struct ui_app *a, int key);
    void (*click)(void *st, struct ui_app *a, const ui_hit *h);
    void (*free)(void *st, struct ui_app *a);
    /* 1: the view works whatever model is loaded: for every language-model
     * kind (n-gram, RNN, ...; models/lmodel.h) from the session's next-token
     * distribution alone, or without the model at all (a saved table).
     * 0 (the default): it looks inside a transformer; when another kind is
     * loaded the frame skips its poll, keys and clicks and draws a notice
     * naming the kind instead (app.c), so no such panel ever sees one. */
    int any_kind;
} ui_panel;

/* Whether panel v can show the model that is loaded (see any_kind). */
int ui_panel_usable(const struct ui_app *a, int v);

/* panels.c: the table, in tab order */
extern const ui_panel *const ui_panels[];
extern const int ui_n_panels;

#endif
