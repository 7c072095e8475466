/* holdout.c - the one hold-out rule (see holdout.h). */
#include "data/holdout.h"

#include <stdlib.h>
#include <string.h>

size_t lm_holdout_size(size_t n, size_t unit) {
    size_t k = n / 20;
    if (k < unit) k = unit;
    if (k > n || n - k < unit) return 0;
    return k;
}

int lm_stream_holdout(lm_token_stream *train, lm_token_stream *val, int T, lm_err *err) {
    memset(val, 0, sizeof *val);
    size_t k = lm_holdout_size(train->n, (size_t)T + 1);
    if (k == 0) return 0;
    val->ids = malloc(k * sizeof *val->ids);
    if (!val->ids) return lm_fail(err, "out of memory for the held-out tokens");
    memcpy(val->ids, train->ids + train->n - k, k * sizeof *val->ids);
    val->n = k;
    train->n -= k;
    return 0;
}

int lm_sft_holdout(lm_sft_set *train, lm_sft_set *val, lm_err *err) {
    memset(val, 0, sizeof *val);
    size_t k = lm_holdout_size((size_t)train->n, 1);
    if (k == 0) return 0;
    val->ex = malloc(k * sizeof *val->ex);
    if (!val->ex) return lm_fail(err, "out of memory for the held-out examples");
    memcpy(val->ex, train->ex + train->n - (int)k, k * sizeof *val->ex);
    val->n = val->cap = (int)k;
    train->n -= (int)k;
    return 0;
}
