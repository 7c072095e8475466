/* checkpoint.c - model file + optimizer state (see checkpoint.h). */
#include "train/checkpoint.h"

#include <stdio.h>
#include <unistd.h>

#include "io/modelfile.h"
#include "io/optstate.h"
#include "train/train.h"

static void opt_path(const char *path, char *out, size_t cap) { snprintf(out, cap, "%s.opt", path); }

int lm_checkpoint_save(const lm_model *m, const char *meta, const char *path, lm_err *err) {
    if (lm_save(m, meta, path, err)) return -1;
    char opt[1100];
    opt_path(path, opt, sizeof opt);
    if (!m->adam_m) {   /* no moments yet: no stale file of another run */
        unlink(opt);
        return 0;
    }
    if (lm_optstate_save(m, opt, err)) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return lm_fail(err, "%.200s: %.300s", opt, why);
    }
    return 0;
}

int lm_checkpoint_load(lm_model *m, char **meta, const char *path, lm_err *err) {
    if (lm_load(m, meta, path, err)) return -1;
    if (m->adam_t == 0) return 0;
    char opt[1100];
    opt_path(path, opt, sizeof opt);
    if (lm_optstate_load(m, opt, err) == 0) return 0;
    int t = m->adam_t;
    lm_train_reset_optimizer(m);
    m->adam_t = t;
    return 1;
}
