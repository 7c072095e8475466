/* dump_common.h - what the reference dump tools (the *_dump.c files here) share:
 * little-endian writers, the model config from argv, and weights redrawn at a
 * scale where attention is far from uniform and biases / norms are not
 * trivial, so every path the PyTorch reference checks is exercised. */
#ifndef LM_TESTS_DUMP_COMMON_H
#define LM_TESTS_DUMP_COMMON_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "models/gpt/model.h"

static inline void w32(FILE *f, int32_t v) { fwrite(&v, 4, 1, f); }
static inline void wf(FILE *f, float v) { fwrite(&v, 4, 1, f); }

/* argv[2..9] = L H C M N_CTX V POS ACT; 0 ok, -1 bad pos or act (said on stderr) */
static inline int dump_config(char **argv, lm_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->n_layer = atoi(argv[2]); cfg->n_head = atoi(argv[3]); cfg->d_model = atoi(argv[4]);
    cfg->d_mlp = atoi(argv[5]); cfg->n_ctx = atoi(argv[6]); cfg->vocab_size = atoi(argv[7]);
    if (lm_pos_parse(argv[8], &cfg->pos) || lm_act_parse(argv[9], &cfg->act)) {
        fprintf(stderr, "bad pos or act\n");
        return -1;
    }
    return 0;
}

/* matrices N(0, 1/in), LayerNorm weights 1 + N(0, 0.1), other vectors N(0, 0.1) */
static inline void redraw_weights(lm_model *m, lm_rng *rng) {
    for (int i = 0; i < m->n_views; i++) {
        const lm_tensor_view *v = &m->views[i];
        float *p = m->params + v->offset;
        size_t len = strlen(v->name);
        int is_norm_w = v->ndim == 1 && len >= 2 && strcmp(v->name + len - 2, ".w") == 0;
        float s = v->ndim == 2 ? 1.0f / sqrtf((float)v->shape[1]) : 0.1f;
        for (size_t j = 0; j < v->numel; j++) p[j] = (is_norm_w ? 1.0f : 0.0f) + s * lm_rng_normal(rng);
    }
}

#endif
