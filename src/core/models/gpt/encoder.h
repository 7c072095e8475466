/* encoder.h - an encoder made from a trained decoder: the same blocks and
 * weights with the causal mask taken out (lm_model.bidirectional = 1), and
 * room in the vocabulary for the encoder's own token(s) such as <|mask|>.
 * Masked-LM training then teaches the blocks to read both sides (the
 * decoder-to-encoder recipe of LLM2Vec, BehnamGhader et al. 2024), far
 * faster than from random weights.
 *
 * Contract
 * - enc gets dec's config with vocab_size + extra_ids, every tensor of dec
 *   copied by name, and the extra_ids new rows of wte (the tied head's too)
 *   drawn as GPT-2 initialises wte, N(0, 0.02), from seed. dec's tokeniser
 *   blob is not copied (the caller gives the encoder its tokeniser, which
 *   has the new ids). adam_t = 0: a fresh schedule.
 * - dec must be a decoder (not bidirectional); extra_ids in 0..1000.
 * - 0, or -1 with a message (enc left empty). Nothing prints.
 */
#ifndef LM_ENCODER_H
#define LM_ENCODER_H

#include "models/gpt/model.h"

int lm_encoder_from_decoder(lm_model *enc, const lm_model *dec, int extra_ids, uint64_t seed, lm_err *err);

#endif
