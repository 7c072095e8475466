/* panels.c - the one table of the UI's panels (panel.h), in tab order: tab
 * 1 is the first row. A new view is one panel file plus one line here. */
#include "ui/panel.h"

/* defined in view_*.c */
extern const ui_panel panel_next, panel_attention, panel_tokens, panel_compare, panel_train;
extern const ui_panel panel_lens, panel_ablate;   /* view_lens.c, view_ablate.c */
extern const ui_panel panel_qk, panel_block, panel_cost;   /* view_qk.c, view_block.c, view_cost.c */
extern const ui_panel panel_embed, panel_sentence;   /* view_embed.c, view_sentence.c */
extern const ui_panel panel_lms;                     /* view_lms.c */
extern const ui_panel panel_tictactoe;   /* view_tictactoe.c */
extern const ui_panel panel_scaling;   /* view_scaling.c */

const ui_panel *const ui_panels[] = {
    &panel_next,
    &panel_attention,
    &panel_tokens,
    &panel_compare,
    &panel_train,
    &panel_lens,
    &panel_ablate,
    &panel_qk,
    &panel_block,
    &panel_cost,
    &panel_embed,
    &panel_sentence,
    &panel_lms,
    &panel_tictactoe,
    &panel_scaling,
};
const int ui_n_panels = (int)(sizeof ui_panels / sizeof ui_panels[0]);
