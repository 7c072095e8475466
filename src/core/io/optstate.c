/* optstate.c - AdamW moments on disk (see optstate.h). */
#include "base/bigmem.h"
#include "io/optstate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/atomic.h"
#include "io/modelfile.h"

static const char MAGIC_V1[8] = {'L', 'L', 'M', 'O', 'P', 'T', 0, 1};
static const char MAGIC[8] = {'L', 'L', 'M', 'O', 'P', 'T', 0, 2};

static int put(FILE *f, const void *p, size_t n, uint32_t *crc) {
    *crc = lm_crc32(*crc, p, n);
    return fwrite(p, 1, n, f) == n ? 0 : -1;
}

/* fingerprint of the weights the moments belong to */
static uint32_t params_crc(const lm_model *m) {
    return lm_crc32(0, m->params, m->n_params * sizeof(float));
}

/* the file's content (see optstate.h), for lm_atomic_write */
static int write_state(FILE *f, void *user, lm_err *err) {
    (void)err;
    const lm_model *m = user;
    uint32_t crc = 0;
    uint64_t n = m->n_params;
    int32_t t = m->adam_t;
    uint32_t pc = params_crc(m);
    int bad = put(f, MAGIC, 8, &crc) || put(f, &n, 8, &crc) || put(f, &t, 4, &crc) || put(f, &pc, 4, &crc) ||
              put(f, m->adam_m, n * sizeof(float), &crc) || put(f, m->adam_v, n * sizeof(float), &crc);
    uint32_t c = crc;
    return bad || fwrite(&c, 4, 1, f) != 1 ? -1 : 0;
}

int lm_optstate_save(const lm_model *m, const char *path, lm_err *err) {
    if (!m->adam_m || !m->adam_v) return lm_fail(err, "no optimizer state to save yet");
    return lm_atomic_write(path, write_state, (void *)m, err);
}

uint64_t lm_optstate_size(const lm_model *m) { return 8 + 8 + 4 + 4 + 8u * (uint64_t)m->n_params + 4; }

int lm_optstate_load(lm_model *m, const char *path, lm_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return lm_fail(err, "cannot open %s: %s", path, strerror(errno));
    char magic[8];
    uint64_t n = 0;
    int32_t t = 0;
    uint32_t crc = 0, stored = 0, pc = 0;
    float *am = NULL, *av = NULL;
    if (fread(magic, 1, 8, f) != 8 || (memcmp(magic, MAGIC, 8) != 0 && memcmp(magic, MAGIC_V1, 8) != 0)) {
        fclose(f);
        return lm_fail(err, "%s is not an optimizer state file (bad magic)", path);
    }
    const int v2 = memcmp(magic, MAGIC, 8) == 0;
    if (fread(&n, 8, 1, f) != 1 || fread(&t, 4, 1, f) != 1 || (v2 && fread(&pc, 4, 1, f) != 1)) goto trunc;
    if (n != m->n_params) {
        fclose(f);
        return lm_fail(err, "%s does not match the model: it holds %llu parameters, the model has %zu", path,
                       (unsigned long long)n, m->n_params);
    }
    if (t != m->adam_t) {
        fclose(f);
        return lm_fail(err, "%s does not match the model: it holds the moments of step %d, the model is at step %d",
                       path, t, m->adam_t);
    }
    if (v2 && pc != params_crc(m)) {
        fclose(f);
        return lm_fail(err, "%s does not match the model: it was saved with other weights (parameter CRC %08x, "
                            "the model's is %08x)", path, pc, params_crc(m));
    }
    am = lm_big_alloc(n);
    av = lm_big_alloc(n);
    if (!am || !av) {
        fclose(f);
        free(am);
        free(av);
        return lm_fail(err, "out of memory");
    }
    if (fread(am, sizeof *am, n, f) != n || fread(av, sizeof *av, n, f) != n ||
        fread(&stored, 4, 1, f) != 1)
        goto trunc;
    fclose(f);
    crc = lm_crc32(crc, magic, 8);
    crc = lm_crc32(crc, &n, 8);
    crc = lm_crc32(crc, &t, 4);
    if (v2) crc = lm_crc32(crc, &pc, 4);
    crc = lm_crc32(crc, am, n * sizeof *am);
    crc = lm_crc32(crc, av, n * sizeof *av);
    if (crc != stored) {
        free(am);
        free(av);
        return lm_fail(err, "%s: checksum mismatch", path);
    }
    free(m->adam_m);
    free(m->adam_v);
    m->adam_m = am;
    m->adam_v = av;
    return 0;
trunc:
    fclose(f);
    free(am);
    free(av);
    return lm_fail(err, "%s is truncated", path);
}
