/* view_train.h - what the train panel's two files share (private to
 * view_train.c, the state and actions, and view_train_draw.c, the drawing). */
#ifndef LM_UI_VIEW_TRAIN_H
#define LM_UI_VIEW_TRAIN_H

#include "ui/app.h"

/* the sizes of a fresh model (f cycles; 0 = train the loaded model) */
typedef struct { const char *name; int layers, width, heads, ctx; } train_size;
extern const train_size train_sizes[];
extern const int train_n_sizes;

/* the panel's own state */
typedef struct {
    ui_worker *w;                  /* NULL when not training */
    int objective;                 /* index into the objective table (train/objective.h) */
    int own;                       /* the objective trains a model of its own kind: the view
                                    * model stays (set with the objective) */
    float max_lr;
    uw_record *rec;                /* every record received, in order */
    size_t n_rec, cap_rec;
    unsigned snap_seen;
    uw_info info;                  /* the worker's state as of the last poll (what draw shows) */
    unsigned info_sig;             /* a hash of info, to tell when it changed */
    double snap_applied_at;
    unsigned model_ver;            /* the session's model_ver the worker started from */
    unsigned save_fails;           /* the worker's failed saves already answered */
    char *save_path;               /* the last path given to "save as" (malloc'd) */
    size_t sample_kept, sample_of; /* the samples continue the last sample_kept of the prompt's
                                    * sample_of tokens (room for them in the context) */
    /* ---- from scratch ---- */
    int size;                      /* index into train_sizes[]: 0 = the loaded model */
    int bytes_tok;                 /* a fresh model reads bytes (else the loaded model's tokeniser) */
    int swapped;                   /* ctx->model is a fresh model; the file's waits in orig */
    int fresh_size, fresh_bytes;   /* what the fresh view model is */
    lm_model orig;
    lm_tokenizer *orig_tok;
    float ln_v;                    /* ln V of the fresh model (the loss of a uniform guess) */
    /* ---- the view model's label (session lineage) ---- */
    int seg_base;                  /* the worker step the current lineage segment counts from */
    unsigned saves_seen;
} train_state;

/* draws the panel (view_train_draw.c): reads st (a train_state) only */
void train_draw(const void *st, const ui_app *a, ui_canvas *cv, int y, int h);

#endif
