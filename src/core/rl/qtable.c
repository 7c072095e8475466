/* qtable.c - a Q table saved and loaded as a model file of kind "qtable"
 * (see qtable.h). */
#include "rl/qtable.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_PARAMS ((uint64_t)TTT_STATES * TTT_CELLS)

/* config field i, little-endian i32 */
static int32_t config_field(const uint8_t *c, int i) {
    uint32_t u = 0;
    for (int k = 0; k < 4; k++) u |= (uint32_t)c[4 * i + k] << (8 * k);
    int32_t v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static void put_field(uint8_t *c, int i, int32_t v) {
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    for (int k = 0; k < 4; k++) c[4 * i + k] = (uint8_t)(u >> (8 * k));
}

int ttt_qtable_check(const uint8_t *config, uint32_t config_bytes, uint64_t n_params, lm_err *err) {
    if (config_bytes != TTT_QTABLE_CONFIG_BYTES)
        return lm_fail(err, "bad Q table: its config is %u bytes, not %u", config_bytes, TTT_QTABLE_CONFIG_BYTES);
    int32_t cells = config_field(config, 0), states = config_field(config, 1), actions = config_field(config, 2);
    int32_t episodes = config_field(config, 3);
    if (cells != TTT_CELLS || states != TTT_STATES || actions != TTT_CELLS)
        return lm_fail(err, "bad Q table: it is for %d cells, %d states and %d actions; this build plays "
                            "tic-tac-toe (%d cells, %d states, %d actions)",
                       cells, states, actions, TTT_CELLS, TTT_STATES, TTT_CELLS);
    if (episodes < 0) return lm_fail(err, "bad Q table: %d training games", episodes);
    if (n_params != N_PARAMS)
        return lm_fail(err, "bad Q table: it holds %llu values, %d states x %d actions are %llu",
                       (unsigned long long)n_params, TTT_STATES, TTT_CELLS, (unsigned long long)N_PARAMS);
    return 0;
}

int ttt_agent_save(const ttt_agent *a, const char *metadata, const char *path, lm_err *err) {
    uint8_t config[TTT_QTABLE_CONFIG_BYTES];
    put_field(config, 0, TTT_CELLS);
    put_field(config, 1, TTT_STATES);
    put_field(config, 2, TTT_CELLS);
    put_field(config, 3, a->episodes);
    lm_file_parts p = {.kind = TTT_KIND_QTABLE, .config = config, .config_bytes = sizeof config,
                       .params = a->q, .n_params = N_PARAMS, .metadata = (char *)metadata};
    return lm_save_parts(&p, path, err);
}

int ttt_agent_from_parts(ttt_agent *a, lm_file_parts *p, lm_err *err) {
    a->q = NULL;
    a->episodes = 0;
    if (strcmp(p->kind, TTT_KIND_QTABLE) != 0)
        return lm_fail(err, "this is a %s model, not a Q table (kind %s)", p->kind, TTT_KIND_QTABLE);
    if (ttt_qtable_check(p->config, p->config_bytes, p->n_params, err) != 0) return -1;
    for (uint64_t i = 0; i < N_PARAMS; i++)
        if (!(fabsf(p->params[i]) <= 1.0f + 1e-5f))
            return lm_fail(err, "bad Q table: Q(state %llu, cell %llu) = %g is outside [-1, 1], which no "
                                "training with rewards +1, 0, -1 can reach",
                           (unsigned long long)(i / TTT_CELLS), (unsigned long long)(i % TTT_CELLS + 1),
                           (double)p->params[i]);
    a->q = p->params;   /* the parts' copy becomes the table */
    a->episodes = config_field(p->config, 3);
    p->params = NULL;
    return 0;
}

int ttt_agent_load(ttt_agent *a, char **metadata, const char *path, lm_err *err) {
    if (metadata) *metadata = NULL;
    a->q = NULL;
    lm_file_parts p;
    if (lm_load_parts(&p, path, err) != 0) return -1;   /* its messages start with the path */
    lm_err inner;
    int rc = ttt_agent_from_parts(a, &p, &inner);
    if (rc != 0) lm_fail(err, "%s: %s", path, inner.msg);
    else if (metadata) {
        *metadata = p.metadata;
        p.metadata = NULL;
    }
    lm_file_parts_free(&p);
    return rc;
}
