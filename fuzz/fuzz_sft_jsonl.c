/* fuzz_sft_jsonl.c - libFuzzer target: the SFT JSONL reader on arbitrary
 * bytes, from memory (lm_sft_parse_buf, dataset.h: the very code lm_sft_load
 * runs on a file's bytes: line splitting and limits, blank lines, NUL
 * refusal, "NAME:LINE: reason"). The tokenizer is the byte-level one plus the
 * chat and tool markers as specials. When the set loads, every example is
 * checked against max_len, against the template (a marker id only where the
 * template puts one: text in a message can never become a control token;
 * tool calls only inside an assistant turn) and its mask (1 only on what the
 * assistant writes), and packed into a small batch. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tok/chat.h"
#include "data/dataset.h"

static lm_tokenizer *tok;

static void init(void) {
    static uint8_t bytes[256];
    const uint8_t *pieces[256];
    size_t lens[256];
    for (int i = 0; i < 256; i++) { bytes[i] = (uint8_t)i; pieces[i] = &bytes[i]; lens[i] = 1; }
    const char *sp[] = {LM_CHAT_EOT, LM_CHAT_SYSTEM, LM_CHAT_USER, LM_CHAT_ASSISTANT, LM_CHAT_END,
                        LM_CHAT_TOOL, LM_CHAT_RESULT, LM_CHAT_RESULT_END};
    const int32_t sid[] = {256, 257, 258, 259, 260, 261, 262, 263};
    tok = lm_tok_bpe_new("chatbytes", pieces, lens, 256, NULL, sp, sid, 8, NULL);
    if (!tok) abort();
}

/* <|endoftext|> (<|role|> text* <|end|>)*, possibly cut, where an assistant
 * turn may hold calls <|tool|> text* <|result|> text* <|/result|>: ids 256..
 * are the markers (256 eot, 257-259 system/user/assistant, 260 end, 261 tool,
 * 262 result, 263 /result). The mask is 1 exactly on the assistant's text,
 * its calls up to <|result|>, and its <|end|>. */
enum { OUT, IN_TEXT, IN_EXPR, IN_VALUE };
static void check_template(const lm_sft_example *ex) {
    if (ex->ids[0] != 256 || ex->mask[0]) abort();
    int state = OUT, assistant = 0;
    for (int k = 1; k < ex->n; k++) {
        int32_t id = ex->ids[k];
        int trained = 0;
        switch (state) {
        case OUT:   /* a role marker opens each turn */
            if (id < 257 || id > 259) abort();
            assistant = id == 259;
            state = IN_TEXT;
            break;
        case IN_TEXT:
            if (id == 260) state = OUT;
            else if (id == 261 && assistant) state = IN_EXPR;
            else if (id >= 256) abort();   /* a marker inside message text: injected */
            trained = assistant;
            break;
        case IN_EXPR:
            if (id == 262) state = IN_VALUE;
            else if (id >= 256) abort();
            trained = 1;
            break;
        case IN_VALUE:   /* the tool's text: never trained */
            if (id == 263) state = IN_TEXT;
            else if (id >= 256) abort();
            break;
        }
        if (ex->mask[k] != trained) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!tok) init();
    const int max_len = 48;
    lm_sft_set set;
    lm_err err = {{0}};
    if (lm_sft_parse_buf(&set, tok, data, size, max_len, "fuzz", &err) != 0) {
        if (!err.msg[0]) abort();   /* a failure always says why */
        return 0;
    }
    if (set.n <= 0 || set.n_cut > set.n) abort();
    int *order = malloc((size_t)set.n * sizeof *order);
    if (!order) abort();
    for (int i = 0; i < set.n; i++) {
        const lm_sft_example *ex = &set.ex[i];
        if (ex->n <= 0 || ex->n > max_len) abort();
        for (int k = 0; k < ex->n; k++)
            if (ex->ids[k] < 0 || ex->ids[k] >= lm_tok_vocab_size(tok) || ex->mask[k] > 1) abort();
        check_template(ex);
        order[i] = i;
    }
    lm_batch b;
    if (lm_batch_alloc(&b, 2, 16, 1, &err)) abort();
    int next = -1;
    if (lm_sft_pack(&set, order, set.n, 0, 1, &b, &next, &err) == 0) {
        for (int i = 0; i < 2 * 16; i++) {
            if (b.targets[i] >= lm_tok_vocab_size(tok) || b.tokens[i] >= lm_tok_vocab_size(tok)) abort();
            if (b.targets[i] < 0 && b.mask[i] != 0.0f) abort();   /* padding carries no loss */
        }
    }
    lm_batch_free(&b);
    free(order);
    lm_sft_free(&set);
    return 0;
}
