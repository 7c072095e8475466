/* optstate.c - AdamW moments on disk (see optstate.h). */
#include "optstate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modelfile.h"

static const char MAGIC[8] = {'L', 'L', 'M', 'O', 'P', 'T', 0, 1};

static int put(FILE *f, const void *p, size_t n, uint32_t *crc) {
    *crc = lm_crc32(*crc, p, n);
    return fwrite(p, 1, n, f) == n ? 0 : -1;
}

int lm_optstate_save(const lm_model *m, const char *path, lm_err *err) {
    if (!m->adam_m || !m->adam_v) return lm_fail(err, "no optimizer state to save yet");
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return lm_fail(err, "path too long: %s", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) return lm_fail(err, "cannot write %s", tmp);
    uint32_t crc = 0;
    uint64_t n = m->n_params;
    int32_t t = m->adam_t;
    int bad = put(f, MAGIC, 8, &crc) || put(f, &n, 8, &crc) || put(f, &t, 4, &crc) ||
              put(f, m->adam_m, n * sizeof(float), &crc) || put(f, m->adam_v, n * sizeof(float), &crc);
    uint32_t c = crc;
    bad = bad || fwrite(&c, 4, 1, f) != 1 || fflush(f) != 0 || fsync(fileno(f)) != 0;
    if (fclose(f) != 0) bad = 1;
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return lm_fail(err, "cannot write %s", path);
    }
    return 0;
}

int lm_optstate_load(lm_model *m, const char *path, lm_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return lm_fail(err, "cannot open %s", path);
    char magic[8];
    uint64_t n = 0;
    int32_t t = 0;
    uint32_t crc = 0, stored = 0;
    float *am = NULL, *av = NULL;
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, MAGIC, 8) != 0) {
        fclose(f);
        return lm_fail(err, "%s is not an optimizer state file (bad magic)", path);
    }
    if (fread(&n, 8, 1, f) != 1 || fread(&t, 4, 1, f) != 1) goto trunc;
    if (n != m->n_params) {
        fclose(f);
        return lm_fail(err, "%s holds %llu parameters, the model has %zu", path, (unsigned long long)n,
                       m->n_params);
    }
    am = malloc(n * sizeof *am);
    av = malloc(n * sizeof *av);
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
    crc = lm_crc32(crc, MAGIC, 8);
    crc = lm_crc32(crc, &n, 8);
    crc = lm_crc32(crc, &t, 4);
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
    m->adam_t = t;
    return 0;
trunc:
    fclose(f);
    free(am);
    free(av);
    return lm_fail(err, "%s is truncated", path);
}
