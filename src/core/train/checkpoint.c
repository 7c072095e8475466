/* checkpoint.c - model file + optimizer state (see checkpoint.h). */
#include "train/checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/atomic.h"
#include "io/modelfile.h"
#include "io/optstate.h"
#include "train/train.h"

/* PATH.opt, malloc'd; NULL (err set) when it would not fit LM_PATH_MAX */
static char *opt_path(const char *path, lm_err *err) {
    if (lm_path_check(path, err)) return NULL;
    size_t n = strlen(path);
    if (n + 4 >= LM_PATH_MAX) {
        lm_fail(err, "path of %zu bytes is too long: with \".opt\" added for the optimizer state it passes the "
                     "limit of %d bytes (PATH_MAX); nothing was written", n, LM_PATH_MAX - 1);
        return NULL;
    }
    char *opt = malloc(n + 5);
    if (!opt) { lm_fail(err, "out of memory"); return NULL; }
    memcpy(opt, path, n);
    memcpy(opt + n, ".opt", 5);
    return opt;
}

int lm_checkpoint_check(const lm_model *m, size_t meta_len, const char *path, lm_err *err) {
    char *opt = opt_path(path, err);
    if (!opt) return -1;
    free(opt);
    uint64_t need = lm_save_size(m, meta_len) + lm_optstate_size(m);
    return lm_atomic_probe(path, need, err);
}

int lm_checkpoint_save(const lm_model *m, const char *meta, const char *path, lm_err *err) {
    char *opt = opt_path(path, err);   /* checked before anything is written */
    if (!opt) return -1;
    int rc = lm_save(m, meta, path, err);
    if (rc == 0 && !m->adam_m) unlink(opt);   /* no moments yet: no stale file of another run */
    else if (rc == 0) rc = lm_optstate_save(m, opt, err);
    free(opt);
    return rc;
}

char *lm_checkpoint_rescue(const lm_model *m, const char *meta, const char *path, const char *dir, lm_err *err) {
    char *to = lm_rescue_path(dir, path, err);
    if (!to) return NULL;
    if (lm_checkpoint_save(m, meta, to, err) == 0) return to;
    char *slash = strrchr(to, '/');
    *slash = 0;
    rmdir(to);   /* the empty rescue folder */
    free(to);
    return NULL;
}

int lm_checkpoint_load(lm_model *m, char **meta, const char *path, lm_err *err) {
    char *opt = opt_path(path, err);
    if (!opt) return -1;
    if (lm_load(m, meta, path, err)) { free(opt); return -1; }
    int rc = 0;
    if (m->adam_t > 0 && lm_optstate_load(m, opt, err) != 0) {
        int t = m->adam_t;
        lm_train_reset_optimizer(m);
        m->adam_t = t;
        rc = 1;
    }
    free(opt);
    return rc;
}
