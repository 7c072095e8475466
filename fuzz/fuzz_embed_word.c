/* fuzz_embed_word.c - libFuzzer target: lm_embed_word (models/gpt/embed.h),
 * the rule that turns a typed word (a lesson's, a command line's) into one
 * row of the embedding table, on arbitrary bytes, with a small byte-level
 * BPE (the 256 bytes, " a" and "ab"). A success gives an id in range (one
 * with a piece, unless id:N named it); a refusal (1) names at least two
 * pieces, all in range; an error (-1) has a message; nothing else returns. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/gpt/embed.h"

static lm_tokenizer *tok;

static lm_tokenizer *small_bpe(void) {
    static uint8_t bytes[256];
    const uint8_t *pieces[258];
    size_t lens[258];
    for (int i = 0; i < 256; i++) { bytes[i] = (uint8_t)i; pieces[i] = bytes + i; lens[i] = 1; }
    pieces[256] = (const uint8_t *)" a"; lens[256] = 2;
    pieces[257] = (const uint8_t *)"ab"; lens[257] = 2;
    return lm_tok_bpe_new("fuzz", pieces, lens, 258, NULL, NULL, NULL, 0, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!tok && !(tok = small_bpe())) abort();
    char *word = malloc(size + 1);
    if (!word) abort();
    memcpy(word, data, size);
    word[size] = 0;   /* a C string: what a command line gives */
    int32_t id = -7;
    lm_ids pieces = {0};
    lm_err err = {{0}};
    int rc = lm_embed_word(tok, 258, word, &id, &pieces, &err);
    if (rc == 0) {
        if (id < 0 || id >= 258) abort();
        if (strncmp(word, "id:", 3) != 0) {
            size_t n;
            const uint8_t *p = lm_tok_piece(tok, id, &n);
            if (!p || n == 0) abort();
        }
    } else if (rc == 1) {
        if (pieces.n < 2) abort();
        for (size_t i = 0; i < pieces.n; i++)
            if (pieces.ids[i] < 0 || pieces.ids[i] >= 258) abort();
    } else if (rc == -1) {
        if (!err.msg[0]) abort();
    } else {
        abort();
    }
    lm_ids_free(&pieces);
    free(word);
    return 0;
}
