/* encoder.c - an encoder from a decoder's weights (see encoder.h). */
#include "models/gpt/encoder.h"

#include <string.h>

int lm_encoder_from_decoder(lm_model *enc, const lm_model *dec, int extra_ids, uint64_t seed, lm_err *err) {
    if (!enc || !dec || !dec->params) return lm_fail(err, "encoder: missing decoder");
    memset(enc, 0, sizeof *enc);
    if (dec->bidirectional) return lm_fail(err, "encoder: the model given is already an encoder");
    if (extra_ids < 0 || extra_ids > 1000) return lm_fail(err, "encoder: %d extra ids is out of range", extra_ids);
    lm_config cfg = dec->cfg;
    cfg.vocab_size += extra_ids;
    /* GPT-2 initialisation everywhere (so the new wte rows get theirs), then dec's weights */
    if (lm_model_init(enc, &cfg, seed, err) != 0) return -1;
    for (int v = 0; v < enc->n_views; v++) {
        const lm_tensor_view *to = &enc->views[v], *from = lm_find_tensor(dec, to->name);
        if (!from) {   /* the same config: every tensor has its twin */
            lm_model_free(enc);
            return lm_fail(err, "encoder: the decoder has no tensor %s", to->name);
        }
        /* wte [V + extra, C]: the decoder's V rows first; others the same shape */
        memcpy(enc->params + to->offset, dec->params + from->offset, from->numel * sizeof(float));
    }
    enc->bidirectional = 1;
    return 0;
}
