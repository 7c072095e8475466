/* nlm_fuzz_seed.c - writes tiny model files of kinds fflm and rnn, the seed
 * corpus of fuzz/fuzz_nlm_file:  nlm_fuzz_seed DIR
 * fuzz/corpus/fuzz_nlm_file/ holds their committed output. */
#include <stdio.h>

#include "models/fflm/fflm.h"
#include "models/rnn/rnn.h"
#include "train/nlm_step.h"

static int save(lm_nlm *m, const char *dir, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    lm_kind_ckpt k = lm_nlm_ckpt(m);
    lm_err err;
    int rc = lm_checkpoint_save_kind(&k, "made=nlm_fuzz_seed\n", path, &err);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    lm_nlm_free(m);
    return rc != 0;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s DIR\n", argv[0]); return 2; }
    lm_nlm *m;
    lm_err err;
    int bad = 0;
    lm_fflm_config f = {9, 2, 2, 3, 1};
    bad |= lm_fflm_new(&m, &f, 1, &err) || save(m, argv[1], "fflm_direct.llm");
    lm_rnn_config e = {7, 2, 3, LM_RNN_ELMAN}, g = {7, 2, 2, LM_RNN_GRU};
    bad |= lm_rnn_new(&m, &e, 1, &err) || save(m, argv[1], "elman.llm");
    bad |= lm_rnn_new(&m, &g, 1, &err) || save(m, argv[1], "gru.llm");
    return bad;
}
