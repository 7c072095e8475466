/* model_dump.c - writes a model file's config, weights and token pieces in a
 * plain layout, for the Python reference tests (tests/embed_ref_test.py,
 * tests/score_torch_test.py) to rebuild the same model.
 *
 * usage: model_dump MODEL OUT
 *
 * File (little endian):
 *   "LMMP" int32 version=1
 *   int32 L H C M n_ctx V pos act        (pos: 0 learned, 1 sinusoidal, 2 rotary; act: 0 gelu, 1 relu)
 *   uint64 n_params; float params[n_params]   (model.h order: wte [V, C] first)
 *   V x { int32 len; bytes[len] }            (each id's piece; len -1 = no piece)
 *   int32 eot                                (<|endoftext|>'s id, -1 if none)
 */
#include <stdio.h>
#include <stdlib.h>

#include "io/modelfile.h"
#include "models/gpt/model.h"
#include "tok/tokenizer.h"

#include "dump_common.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: model_dump MODEL OUT\n");
        return 2;
    }
    lm_model m = {0};
    lm_err err = {{0}};
    if (lm_load(&m, NULL, argv[1], &err)) {
        fprintf(stderr, "model_dump: %s\n", err.msg);
        return 1;
    }
    lm_tokenizer *t = m.tokenizer_blob ? lm_tok_deserialize(m.tokenizer_blob, m.tokenizer_len, &err)
                                       : lm_tok_byte_new();
    if (!t) {
        fprintf(stderr, "model_dump: tokeniser: %s\n", err.msg);
        return 1;
    }
    FILE *f = fopen(argv[2], "wb");
    if (!f) { perror(argv[2]); return 1; }
    fwrite("LMMP", 1, 4, f);
    w32(f, 1);
    const lm_config *c = &m.cfg;
    int hdr[8] = {c->n_layer, c->n_head, c->d_model, c->d_mlp, c->n_ctx, c->vocab_size, (int)c->pos, (int)c->act};
    for (int i = 0; i < 8; i++) w32(f, hdr[i]);
    uint64_t n = m.n_params;
    fwrite(&n, 8, 1, f);
    fwrite(m.params, 4, m.n_params, f);
    for (int id = 0; id < c->vocab_size; id++) {
        size_t len = 0;
        const uint8_t *b = lm_tok_piece(t, id, &len);
        w32(f, b ? (int32_t)len : -1);
        if (b) fwrite(b, 1, len, f);
    }
    w32(f, lm_tok_special_id(t, "<|endoftext|>"));
    int bad = ferror(f);
    if (fclose(f) || bad) { perror(argv[2]); return 1; }
    lm_tok_free(t);
    lm_model_free(&m);
    return 0;
}
