/* make_fuzz_seed.c - writes a few tiny model files, the seed corpus of
 * fuzz/fuzz_modelfile:  make_fuzz_seed DIR
 * Three valid ones in the current format, the tiny one as an encoder, and one
 * of an unknown kind ("hopfield"; both the tiny model's bytes with the kind
 * changed and the checksum made right). fuzz/corpus/fuzz_modelfile/ holds their committed output, and
 * v1_*.llm: the same valid models written by the version-1 writer. */
#include <stdint.h>
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

/* DIR/src with its kind replaced by `kind`, the checksum fixed, as DIR/dst */
static int rekind(const char *dir, const char *src, const char *dst, const char *kind) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, src);
    FILE *f = fopen(path, "rb");
    if (!f) return 1;
    static uint8_t buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (n < 40 || strlen(kind) > 15) return 1;
    memset(buf + 16, 0, 16);
    memcpy(buf + 16, kind, strlen(kind));
    uint32_t crc = lm_crc32(0, buf, n - 4);
    for (int i = 0; i < 4; i++) buf[n - 4 + i] = (uint8_t)(crc >> (8 * i));
    snprintf(path, sizeof path, "%s/%s", dir, dst);
    f = fopen(path, "wb");
    if (!f) return 1;
    int bad = fwrite(buf, 1, n, f) != n;
    return fclose(f) != 0 || bad;
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
    bad |= rekind(argv[1], "tiny_learned.llm", "unknown_kind.llm", "hopfield");
    bad |= rekind(argv[1], "tiny_learned.llm", "encoder_kind.llm", "encoder");
    return bad;
}
