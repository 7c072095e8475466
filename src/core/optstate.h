/* optstate.h - the AdamW moments of a training run, saved next to a
 * checkpoint (PATH.opt) so that --resume continues exactly.
 *
 * Format (little-endian): magic "LLMOPT\0\1", u64 n_params, i32 adam_t,
 * f32 adam_m[n_params], f32 adam_v[n_params], u32 CRC32 of all bytes before.
 * Written to PATH.tmp, fsynced and renamed, like lm_save.
 */
#ifndef LM_OPTSTATE_H
#define LM_OPTSTATE_H

#include "err.h"
#include "model.h"

/* Fails if the model has no moments yet (no step taken). */
int lm_optstate_save(const lm_model *m, const char *path, lm_err *err);
/* Loads moments into m (allocating them); n_params must match. Sets adam_t. */
int lm_optstate_load(lm_model *m, const char *path, lm_err *err);

#endif
