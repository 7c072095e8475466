/* fuzz_sft_jsonl.c - libFuzzer target: the SFT JSONL reader (lm_sft_load,
 * dataset.h) on arbitrary bytes. The bytes go to a memfd that lm_sft_load
 * opens by its /proc/self/fd path, so the real file reader (line splitting,
 * blank lines, "PATH:LINE: reason") is what runs. The tokenizer is the
 * byte-level one plus the chat markers as specials. When the set loads,
 * every example is checked against max_len and packed into a small batch. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tok/chat.h"
#include "data/dataset.h"

static lm_tokenizer *tok;
static int fd = -1;
static char path[64];

static void init(void) {
    static uint8_t bytes[256];
    const uint8_t *pieces[256];
    size_t lens[256];
    for (int i = 0; i < 256; i++) { bytes[i] = (uint8_t)i; pieces[i] = &bytes[i]; lens[i] = 1; }
    const char *sp[] = {LM_CHAT_EOT, LM_CHAT_SYSTEM, LM_CHAT_USER, LM_CHAT_ASSISTANT, LM_CHAT_END};
    const int32_t sid[] = {256, 257, 258, 259, 260};
    tok = lm_tok_bpe_new("chatbytes", pieces, lens, 256, NULL, sp, sid, 5, NULL);
    fd = memfd_create("fuzz_sft", 0);
    if (!tok || fd < 0) abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!tok) init();
    if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) abort();
    const int max_len = 48;
    lm_sft_set set;
    lm_err err = {{0}};
    if (lm_sft_load(&set, tok, path, max_len, &err) != 0) {
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
