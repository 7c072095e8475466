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
 * - Nothing prints; failures return -1 with lm_err and leave what was on
 *   disk (save) or m (load) as it was.
 */
#ifndef LM_CHECKPOINT_H
#define LM_CHECKPOINT_H

#include "base/err.h"
#include "models/gpt/model.h"

int lm_checkpoint_save(const lm_model *m, const char *meta, const char *path, lm_err *err);
/* 0 loaded with its moments, 1 loaded with fresh moments (err says why),
 * -1 failure. *meta (may be NULL) receives the malloc'd metadata. */
int lm_checkpoint_load(lm_model *m, char **meta, const char *path, lm_err *err);

#endif
