/* optstate.h - the AdamW moments of a training run, saved next to a
 * checkpoint (PATH.opt) so that --resume continues exactly.
 *
 * Format (little-endian): magic "LLMOPT\0\2", u64 n_params, i32 adam_t,
 * u32 CRC32 of the model's parameters (f32[n_params]) when saved,
 * f32 adam_m[n_params], f32 adam_v[n_params], u32 CRC32 of all bytes before.
 * Written through io/atomic.h (unique temporary, fsync, rename), like lm_save.
 * (Version 1, "LLMOPT\0\1", lacks the parameter CRC; it still loads, checked
 * by n_params and step only.)
 *
 * The file belongs to one model state: the moments of step adam_t of those
 * very weights. Loading refuses, with a message naming both sides, a file
 * whose n_params, step or parameter CRC differ from the model's, rather than
 * continue with moments of another run.
 */
#ifndef LM_OPTSTATE_H
#define LM_OPTSTATE_H

#include "base/err.h"
#include "models/gpt/model.h"
#include "nn/paramset.h"

/* Fails if the model has no moments yet (no step taken). */
int lm_optstate_save(const lm_model *m, const char *path, lm_err *err);
/* The bytes lm_optstate_save writes for m. */
uint64_t lm_optstate_size(const lm_model *m);
/* Loads moments into m (allocating them); n_params, m->adam_t (the step of
 * the loaded checkpoint) and the parameters must match what was saved. m is
 * left unchanged on failure. */
int lm_optstate_load(lm_model *m, const char *path, lm_err *err);
/* The same for another kind's parameter set (nn/paramset.h). */
int lm_optstate_save_set(const lm_paramset *ps, const char *path, lm_err *err);
uint64_t lm_optstate_size_set(const lm_paramset *ps);
int lm_optstate_load_set(lm_paramset *ps, const char *path, lm_err *err);

#endif
