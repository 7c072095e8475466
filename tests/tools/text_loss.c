/* text_loss.c - the loss of any model kind on a text file through the
 * language-model interface (models/lmodel.h, lm_lmodel_text_loss): how the
 * figures in models/README.md were measured.
 *
 * usage: text_loss MODEL FILE [WINDOW [MAX_WINDOWS]]
 *   WINDOW tokens per scored window (default 128; clipped to the model's
 *   context when it has one), MAX_WINDOWS 0 = the whole file (default).
 * Prints one line: kind, window, tokens scored, nats per token, perplexity,
 * bits per byte. */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>

#include "models/lmodel.h"

int main(int argc, char **argv) {
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: text_loss MODEL FILE [WINDOW [MAX_WINDOWS]]\n");
        return 2;
    }
    int window = argc > 3 ? atoi(argv[3]) : 128;
    size_t max_windows = argc > 4 ? (size_t)strtoull(argv[4], NULL, 10) : 0;
    lm_err err = {{0}};
    lm_lmodel *lm = lm_lmodel_open(argv[1], &err);
    if (!lm) { fprintf(stderr, "%s\n", err.msg); return 1; }
    FILE *f = fopen(argv[2], "rb");
    if (!f) { perror(argv[2]); return 1; }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *text = malloc((size_t)len + 1);
    if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) { fprintf(stderr, "cannot read %s\n", argv[2]); return 1; }
    fclose(f);
    lm_text_loss tl;
    if (lm_lmodel_text_loss(lm, text, (size_t)len, window, max_windows, &tl, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    int used = lm->n_ctx > 0 && window > lm->n_ctx ? lm->n_ctx : window;
    printf("%s kind=%s window=%d tokens=%ld nats_per_token=%.4f perplexity=%.2f bits_per_byte=%.4f\n", argv[1],
           lm->kind, used, tl.tokens, tl.nats_per_token, exp(tl.nats_per_token), tl.bits_per_byte);
    free(text);
    lm_lmodel_free(lm);
    return 0;
}
