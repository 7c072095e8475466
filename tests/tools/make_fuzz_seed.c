/* make_fuzz_seed.c - writes a few tiny valid model files, the seed corpus of
 * fuzz/fuzz_modelfile:  make_fuzz_seed DIR
 * (fuzz/corpus/fuzz_modelfile/ holds their committed output.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/modelfile.h"

static int write_one(const char *dir, const char *name, lm_config c, const char *tok, const char *meta) {
    lm_model m;
    lm_err err;
    char path[1024];
    if (lm_model_init(&m, &c, 1, &err) != 0) { fprintf(stderr, "%s\n", err.msg); return 1; }
    if (tok) {
        m.tokenizer_len = strlen(tok);
        m.tokenizer_blob = malloc(m.tokenizer_len);
        memcpy(m.tokenizer_blob, tok, m.tokenizer_len);
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = lm_save(&m, meta, path, &err);
    if (rc != 0) fprintf(stderr, "%s\n", err.msg);
    lm_model_free(&m);
    return rc != 0;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: make_fuzz_seed DIR\n"); return 2; }
    int bad = 0;
    lm_config tiny = {.n_layer = 1, .n_head = 1, .d_model = 4, .d_mlp = 8, .n_ctx = 4,
                      .vocab_size = 16, .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    bad |= write_one(argv[1], "tiny_learned.llm", tiny, NULL, "seed=1\nwhat=fuzz seed\n");
    lm_config rot = {.n_layer = 2, .n_head = 2, .d_model = 4, .d_mlp = 4, .n_ctx = 8,
                     .vocab_size = 8, .pos = LM_POS_ROTARY, .act = LM_ACT_RELU};
    bad |= write_one(argv[1], "rotary_tok.llm", rot, "tok-blob\x01\x02", "k=v\n");
    lm_config sin = {.n_layer = 1, .n_head = 2, .d_model = 2, .d_mlp = 1, .n_ctx = 1,
                     .vocab_size = 3, .pos = LM_POS_SINUSOIDAL, .act = LM_ACT_GELU};
    bad |= write_one(argv[1], "sinusoidal_min.llm", sin, NULL, NULL);
    return bad;
}
