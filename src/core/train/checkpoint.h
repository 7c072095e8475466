/* checkpoint.h - THE checkpoint of a training run, written and read the same
 * way by every front end (the CLI loop's periodic / final / Ctrl-C saves and
 * --resume, the TUI's "save as").
 *
 * Contract
 * - A checkpoint is the model file PATH (weights, tokeniser, adam_t and the
 *   run's "key=value" metadata; io/modelfile.h, written atomically) plus the
 *   AdamW moments in PATH.opt (io/optstate.h). A model that has taken no
 *   step has no moments: PATH.opt is removed so no stale file of another run
 *   sits next to it.
 * - Loading restores the schedule position (m->adam_t). Moments that are
 *   missing or belong to other weights are not fatal: they restart from
 *   zero at the same step, and the load says so (returns 1, message in err).
 * - Both files are written through io/atomic.h (unique temporary, fsync,
 *   rename). A PATH whose PATH.opt would not fit LM_PATH_MAX is refused
 *   before anything is written; no path is ever cut short.
 * - Before long work, lm_checkpoint_check says whether PATH can be saved
 *   (the folder exists and is writable, PATH is not a folder, there is room
 *   for both files), so a run fails at its start, not after training.
 * - When a save fails, lm_checkpoint_rescue writes the same checkpoint to a
 *   new folder DIR/llmlab-rescue-XXXXXX (io/atomic.h lm_rescue_path) under
 *   PATH's file name, so the weights in memory are not lost.
 * - Nothing prints; failures return -1 with lm_err and leave what was on
 *   disk (save) or m (load) as it was. (A save that fails on PATH.opt after
 *   PATH was written leaves the new PATH with the old PATH.opt; loading then
 *   restarts the moments, as above.)
 */
#ifndef LM_CHECKPOINT_H
#define LM_CHECKPOINT_H

#include "base/err.h"
#include "io/modelfile.h"
#include "models/gpt/model.h"
#include "nn/paramset.h"

int lm_checkpoint_save(const lm_model *m, const char *meta, const char *path, lm_err *err);
/* 0 when a checkpoint of m with about meta_len bytes of metadata can be
 * saved at path; -1 and why. Creates and removes a temporary in the folder. */
int lm_checkpoint_check(const lm_model *m, size_t meta_len, const char *path, lm_err *err);
/* Saves the checkpoint to a fresh rescue folder in dir (NULL: /tmp);
 * returns the malloc'd path written, or NULL (err says why). */
char *lm_checkpoint_rescue(const lm_model *m, const char *meta, const char *path, const char *dir, lm_err *err);
/* 0 loaded with its moments, 1 loaded with fresh moments (err says why),
 * -1 failure. *meta (may be NULL) receives the malloc'd metadata. */
int lm_checkpoint_load(lm_model *m, char **meta, const char *path, lm_err *err);

/* ---- another kind's checkpoint (models whose numbers live in an
 * nn/paramset.h): the same two files, the same rules. head gives what the
 * file says besides the numbers (kind, config, tokeniser; its params and
 * metadata are not used: ps and meta are written). ---- */
typedef struct {
    lm_file_parts head;
    lm_paramset *ps;
} lm_kind_ckpt;

int   lm_checkpoint_save_kind(const lm_kind_ckpt *k, const char *meta, const char *path, lm_err *err);
int   lm_checkpoint_check_kind(const lm_kind_ckpt *k, size_t meta_len, const char *path, lm_err *err);
char *lm_checkpoint_rescue_kind(const lm_kind_ckpt *k, const char *meta, const char *path, const char *dir,
                                lm_err *err);
/* After the kind rebuilt ps from the file at path (parameters copied,
 * ps->adam_t = the file's adam_t): its moments from PATH.opt. 0 loaded,
 * 1 fresh moments at the same step (err says why), -1 failure. */
int   lm_checkpoint_load_moments(lm_paramset *ps, const char *path, lm_err *err);

/* ---- what a training loop trains and saves ----
 * The transformer (lm_trainee_gpt) or another kind's model
 * (lm_trainee_kind); the CLI loop and the TUI worker save through it. */
typedef struct {
    const void *self;
    int   (*adam_t)(const void *self);
    int   (*save)(const void *self, const char *meta, const char *path, lm_err *err);
    int   (*check)(const void *self, size_t meta_len, const char *path, lm_err *err);
    char *(*rescue)(const void *self, const char *meta, const char *path, const char *dir, lm_err *err);
} lm_trainee;

lm_trainee lm_trainee_gpt(const lm_model *m);
lm_trainee lm_trainee_kind(const lm_kind_ckpt *k);

#endif
