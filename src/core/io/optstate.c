/* optstate.c - AdamW moments on disk (see optstate.h). */
#include "base/bigmem.h"
#include "io/optstate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/infile.h"
#include "io/atomic.h"
#include "io/modelfile.h"

static const char MAGIC_V1[8] = {'L', 'L', 'M', 'O', 'P', 'T', 0, 1};
static const char MAGIC[8] = {'L', 'L', 'M', 'O', 'P', 'T', 0, 2};

static int put(FILE *f, const void *p, size_t n, uint32_t *crc) {
    *crc = lm_crc32(*crc, p, n);
    return fwrite(p, 1, n, f) == n ? 0 : -1;
}

/* the buffers a state belongs to: a transformer's or a paramset's */
typedef struct {
    const float *params;
    size_t n_params;
    int adam_t;
    float **adam_m, **adam_v;   /* where the moments live (loading replaces them) */
} opt_of;

static opt_of of_model(const lm_model *m) {
    opt_of o = {m->params, m->n_params, m->adam_t, (float **)&m->adam_m, (float **)&m->adam_v};
    return o;
}
static opt_of of_set(const lm_paramset *ps) {
    opt_of o = {ps->params, ps->n, ps->adam_t, (float **)&ps->adam_m, (float **)&ps->adam_v};
    return o;
}

/* fingerprint of the weights the moments belong to */
static uint32_t params_crc(const opt_of *m) {
    return lm_crc32(0, m->params, m->n_params * sizeof(float));
}

/* the file's content (see optstate.h), for lm_atomic_write */
static int write_state(FILE *f, void *user, lm_err *err) {
    (void)err;
    const opt_of *m = user;
    uint32_t crc = 0;
    uint64_t n = m->n_params;
    int32_t t = m->adam_t;
    uint32_t pc = params_crc(m);
    int bad = put(f, MAGIC, 8, &crc) || put(f, &n, 8, &crc) || put(f, &t, 4, &crc) || put(f, &pc, 4, &crc) ||
              put(f, *m->adam_m, n * sizeof(float), &crc) || put(f, *m->adam_v, n * sizeof(float), &crc);
    uint32_t c = crc;
    return bad || fwrite(&c, 4, 1, f) != 1 ? -1 : 0;
}

static int save_of(opt_of o, const char *path, lm_err *err) {
    if (!*o.adam_m || !*o.adam_v) return lm_fail(err, "no optimizer state to save yet");
    return lm_atomic_write(path, write_state, &o, err);
}
int lm_optstate_save(const lm_model *m, const char *path, lm_err *err) { return save_of(of_model(m), path, err); }
int lm_optstate_save_set(const lm_paramset *ps, const char *path, lm_err *err) {
    return save_of(of_set(ps), path, err);
}

static uint64_t size_for(size_t n) { return 8 + 8 + 4 + 4 + 8u * (uint64_t)n + 4; }
uint64_t lm_optstate_size(const lm_model *m) { return size_for(m->n_params); }
uint64_t lm_optstate_size_set(const lm_paramset *ps) { return size_for(ps->n); }

/* The fixed part before the moments: magic, n, t and (v2) the parameter CRC. */
typedef struct {
    char magic[8];
    uint64_t n;
    int32_t t;
    uint32_t pc;
    int v2;
} opt_head;

/* Reads and checks the head against the model and the file's size, before
 * any moment is allocated or read. */
static int read_opt_head(lm_infile *f, const opt_of *m, opt_head *h, lm_err *err) {
    const char *path = f->path;
    uint8_t b[24];
    if (f->size < 20) return lm_fail(err, "%s is truncated (%llu bytes)", path, (unsigned long long)f->size);
    if (lm_infile_read(f, b, 8, err)) return -1;
    memcpy(h->magic, b, 8);
    if (memcmp(h->magic, MAGIC, 8) != 0 && memcmp(h->magic, MAGIC_V1, 8) != 0)
        return lm_fail(err, "%s is not an optimizer state file (bad magic)", path);
    h->v2 = memcmp(h->magic, MAGIC, 8) == 0;
    size_t rest = h->v2 ? 16 : 12;
    if (f->size < 8 + rest) return lm_fail(err, "%s is truncated", path);
    if (lm_infile_read(f, b + 8, rest, err)) return -1;
    memcpy(&h->n, b + 8, 8);
    memcpy(&h->t, b + 16, 4);
    h->pc = 0;
    if (h->v2) memcpy(&h->pc, b + 20, 4);
    if (h->n != m->n_params)
        return lm_fail(err, "%s does not match the model: it holds %llu parameters, the model has %zu", path,
                       (unsigned long long)h->n, m->n_params);
    if (h->t != m->adam_t)
        return lm_fail(err, "%s does not match the model: it holds the moments of step %d, the model is at step %d",
                       path, h->t, m->adam_t);
    if (h->v2 && h->pc != params_crc(m))
        return lm_fail(err, "%s does not match the model: it was saved with other weights (parameter CRC %08x, "
                            "the model's is %08x)", path, h->pc, params_crc(m));
    uint64_t want = 8 + rest + 8 * h->n + 4;   /* n = the model's, < 2^43 */
    if (f->size != want)
        return lm_fail(err, "%s is %s: expected %llu bytes, it has %llu", path,
                       f->size < want ? "truncated" : "too long", (unsigned long long)want,
                       (unsigned long long)f->size);
    return 0;
}

static int load_of(opt_of *m, const char *path, lm_err *err) {
    lm_infile f;
    if (lm_infile_open(&f, path, "optimizer state", 0, err)) return -1;
    opt_head h;
    if (read_opt_head(&f, m, &h, err)) {
        lm_infile_close(&f);
        return -1;
    }
    size_t n = (size_t)h.n;
    uint32_t stored = 0;
    float *am = lm_big_alloc(n), *av = lm_big_alloc(n);
    if (!am || !av) {
        lm_infile_close(&f);
        free(am);
        free(av);
        return lm_fail(err, "out of memory");
    }
    int rc = lm_infile_read(&f, am, n * sizeof *am, err) || lm_infile_read(&f, av, n * sizeof *av, err) ||
             lm_infile_read(&f, &stored, 4, err);
    lm_infile_close(&f);
    uint32_t crc = 0;
    if (!rc) {
        crc = lm_crc32(crc, h.magic, 8);
        crc = lm_crc32(crc, &h.n, 8);
        crc = lm_crc32(crc, &h.t, 4);
        if (h.v2) crc = lm_crc32(crc, &h.pc, 4);
        crc = lm_crc32(crc, am, n * sizeof *am);
        crc = lm_crc32(crc, av, n * sizeof *av);
        if (crc != stored) rc = lm_fail(err, "%s: checksum mismatch", path);
    }
    if (rc) {
        free(am);
        free(av);
        return -1;
    }
    free(*m->adam_m);
    free(*m->adam_v);
    *m->adam_m = am;
    *m->adam_v = av;
    return 0;
}

int lm_optstate_load(lm_model *m, const char *path, lm_err *err) {
    opt_of o = of_model(m);
    return load_of(&o, path, err);
}
int lm_optstate_load_set(lm_paramset *ps, const char *path, lm_err *err) {
    opt_of o = of_set(ps);
    return load_of(&o, path, err);
}
