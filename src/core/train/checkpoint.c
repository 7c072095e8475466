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

/* ---- another kind's checkpoint ---- */

static lm_file_parts kind_parts(const lm_kind_ckpt *k, const char *meta) {
    lm_file_parts p = k->head;
    p.params = k->ps->params;
    p.n_params = k->ps->n;
    p.adam_t = k->ps->adam_t;
    p.metadata = (char *)meta;
    return p;
}

int lm_checkpoint_check_kind(const lm_kind_ckpt *k, size_t meta_len, const char *path, lm_err *err) {
    char *opt = opt_path(path, err);
    if (!opt) return -1;
    free(opt);
    lm_file_parts p = kind_parts(k, NULL);
    uint64_t need = lm_save_parts_size(&p) + meta_len + lm_optstate_size_set(k->ps);
    return lm_atomic_probe(path, need, err);
}

int lm_checkpoint_save_kind(const lm_kind_ckpt *k, const char *meta, const char *path, lm_err *err) {
    char *opt = opt_path(path, err);
    if (!opt) return -1;
    lm_file_parts p = kind_parts(k, meta);
    int rc = lm_save_parts(&p, path, err);
    if (rc == 0 && !k->ps->adam_m) unlink(opt);
    else if (rc == 0) rc = lm_optstate_save_set(k->ps, opt, err);
    free(opt);
    return rc;
}

char *lm_checkpoint_rescue_kind(const lm_kind_ckpt *k, const char *meta, const char *path, const char *dir,
                                lm_err *err) {
    char *to = lm_rescue_path(dir, path, err);
    if (!to) return NULL;
    if (lm_checkpoint_save_kind(k, meta, to, err) == 0) return to;
    char *slash = strrchr(to, '/');
    *slash = 0;
    rmdir(to);
    free(to);
    return NULL;
}

int lm_checkpoint_load_moments(lm_paramset *ps, const char *path, lm_err *err) {
    char *opt = opt_path(path, err);
    if (!opt) return -1;
    int rc = 0;
    if (ps->adam_t > 0 && lm_optstate_load_set(ps, opt, err) != 0) {
        int t = ps->adam_t;
        lm_paramset_reset_optimizer(ps);
        ps->adam_t = t;
        rc = 1;
    }
    free(opt);
    return rc;
}

/* ---- trainees ---- */
static int gpt_adam_t(const void *s) { return ((const lm_model *)s)->adam_t; }
static int gpt_save(const void *s, const char *meta, const char *path, lm_err *err) {
    return lm_checkpoint_save(s, meta, path, err);
}
static int gpt_check(const void *s, size_t meta_len, const char *path, lm_err *err) {
    return lm_checkpoint_check(s, meta_len, path, err);
}
static char *gpt_rescue(const void *s, const char *meta, const char *path, const char *dir, lm_err *err) {
    return lm_checkpoint_rescue(s, meta, path, dir, err);
}
lm_trainee lm_trainee_gpt(const lm_model *m) {
    lm_trainee t = {m, gpt_adam_t, gpt_save, gpt_check, gpt_rescue};
    return t;
}

static int kind_adam_t(const void *s) { return ((const lm_kind_ckpt *)s)->ps->adam_t; }
static int kind_save(const void *s, const char *meta, const char *path, lm_err *err) {
    return lm_checkpoint_save_kind(s, meta, path, err);
}
static int kind_check(const void *s, size_t meta_len, const char *path, lm_err *err) {
    return lm_checkpoint_check_kind(s, meta_len, path, err);
}
static char *kind_rescue(const void *s, const char *meta, const char *path, const char *dir, lm_err *err) {
    return lm_checkpoint_rescue_kind(s, meta, path, dir, err);
}
lm_trainee lm_trainee_kind(const lm_kind_ckpt *k) {
    lm_trainee t = {k, kind_adam_t, kind_save, kind_check, kind_rescue};
    return t;
}
