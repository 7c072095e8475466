/* holdout.h - THE hold-out rule: which part of the training data is kept
 * back for the validation loss, for every objective and both front ends.
 *
 * Contract
 * - A separate validation file, when the caller has one, is used whole and
 *   nothing is held out of the training data (the caller decides; these
 *   functions are for the other case).
 * - Otherwise the LAST 5% of the data is held out: the last 5% of a token
 *   stream's ids, or the last 5% of an SFT set's examples. Why the last and
 *   not a random sample: the files are written in order (documents, then
 *   conversations), so the tail is text the model never sees in training,
 *   not neighbours of windows it trains on; and it is deterministic, so a
 *   resumed run validates on the same ids.
 * - The held-out part is at least one unit (a window of T+1 ids; one
 *   example), so a small file still gets a validation loss, as long as the
 *   training part keeps at least one unit too; otherwise nothing is held out
 *   (no validation loss, not a failure).
 * - Nothing prints; failures (memory) return -1 with lm_err.
 */
#ifndef LM_HOLDOUT_H
#define LM_HOLDOUT_H

#include <stddef.h>

#include "data/dataset.h"

/* How many of n units to hold out when one unit is `unit` long (ids per
 * validation window, or 1 for examples): n/20, at least unit, 0 when the
 * rest would be shorter than unit. */
size_t lm_holdout_size(size_t n, size_t unit);

/* Moves the held-out tail of train (windows of T+1 ids) into val (which
 * must be empty); val stays empty when nothing is held out. */
int lm_stream_holdout(lm_token_stream *train, lm_token_stream *val, int T, lm_err *err);

/* Moves the held-out tail examples of train into val (empty before); the
 * examples' ids and masks move with them (each set frees its own). */
int lm_sft_holdout(lm_sft_set *train, lm_sft_set *val, lm_err *err);

#endif
