/* train_fixtures.h - what the training and data tests share: a byte
 * tokeniser with the chat markers, a file writer, a tiny model config. */
#ifndef TEST_TRAIN_FIXTURES_H
#define TEST_TRAIN_FIXTURES_H

#include "data/dataset.h"
#include "models/gpt/model.h"
#include "tok/tokenizer.h"

/* A byte tokeniser plus the five chat markers at 256..260, in the order
 * EOT, SYSTEM, USER, ASSISTANT, END: every expected id below is a byte value
 * or one of these, worked out by hand. chat_tool_tok adds the three tool
 * markers at 261..263 (TOOL, RES, RESE: <|tool|> <|result|> <|/result|>). */
enum { EOT = 256, SYS = 257, USR = 258, AST = 259, END = 260, V = 261 };
enum { TOOL = 261, RES = 262, RESE = 263, V_TOOLS = 264 };

static inline lm_tokenizer *chat_tok_n(int n_specials) {
    uint8_t bytes[256];
    const uint8_t *pieces[256];
    size_t lens[256];
    for (int i = 0; i < 256; i++) {
        bytes[i] = (uint8_t)i;
        pieces[i] = &bytes[i];
        lens[i] = 1;
    }
    const char *specials[] = {"<|endoftext|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>",
                              "<|tool|>",      "<|result|>", "<|/result|>"};
    const int32_t ids[] = {EOT, SYS, USR, AST, END, TOOL, RES, RESE};
    lm_err err = {{0}};
    lm_tokenizer *t = lm_tok_bpe_new("test", pieces, lens, 256, NULL, specials, ids, n_specials, &err);
    if (!t) fail_msg("tokenizer: %s", err.msg);
    return t;
}
static inline lm_tokenizer *chat_tok(void) { return chat_tok_n(5); }
static inline lm_tokenizer *chat_tool_tok(void) { return chat_tok_n(8); }

static inline void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}


/* a 2-layer model over the V ids above, context T */
static inline lm_config tiny_cfg(int T) {
    lm_config c = {.n_layer = 2, .n_head = 2, .d_model = 32, .d_mlp = 64, .n_ctx = T,
                   .vocab_size = V, .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    return c;
}

#endif
