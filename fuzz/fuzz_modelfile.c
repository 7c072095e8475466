/* fuzz_modelfile.c - libFuzzer target for the model file loader: any bytes
 * must either load into a model that frees cleanly or be refused with a
 * message, never crash, hang or leak.
 * Each input is tried twice: as it is, and with its last 4 bytes replaced by
 * the right CRC32, so the fuzzer also reaches the checks after the checksum
 * (metadata, parameters, allocation). The header reader alone
 * (lm_file_header_read, which accepts any well-formed kind) runs on each
 * input too and must agree with the loader about what it read.
 * The file loader's pre-check (lm_file_check_head: header and claimed sizes
 * against the file's size, before any body is read) runs on the input's
 * first 4 KB with the true size and with huge sizes taken from the input
 * (the case of a 1 GB file): it must accept every file that loads, refuse
 * any other size for it, and never trust a size it did not check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/modelfile.h"
#include "fuzz_common.h"

/* the pre-check on the first 4 KB, for the true size and a claimed one */
static void check_head(const uint8_t *data, size_t size, int loads) {
    lm_file_header h;
    lm_err err;
    size_t head = size < 4096 ? size : 4096;
    int ok = lm_file_check_head(&h, data, head, size, &err) == 0;
    if (loads && !ok) abort();   /* the pre-check never refuses a good file */
    uint64_t claimed = 0;
    for (size_t i = 0; i < 8 && i < size; i++) claimed = claimed << 8 | data[size - 1 - i];
    uint64_t sizes[3] = {claimed, (uint64_t)1 << 30, UINT64_MAX};
    for (int i = 0; i < 3; i++) {
        if (sizes[i] == size) continue;
        if (lm_file_check_head(&h, data, head, sizes[i], &err) == 0) {
            if (loads) abort();   /* a loadable file has exactly one right size */
            /* what passes must add up to that size, header within the head */
            uint64_t want = 16 + (uint64_t)h.header_bytes + h.tokenizer_len + h.metadata_len + 4 * h.n_params + 4;
            if (want != sizes[i] || 16 + (uint64_t)h.header_bytes > head) abort();
        }
    }
}

static void load_one(const uint8_t *data, size_t size) {
    lm_model m;
    char *meta = NULL;
    lm_err err;
    err.msg[0] = 0;
    lm_file_header h;
    int head_ok = lm_file_header_read(&h, data, size, &err) == 0;
    if (head_ok && (h.kind[0] == 0 || strlen(h.kind) >= sizeof h.kind)) abort();
    if (!head_ok && err.msg[0] == 0) abort();
    err.msg[0] = 0;
    if (lm_load_mem(&m, &meta, data, size, &err) == 0) {
        /* what loads has a readable header of kind gpt, or encoder (bidirectional) */
        if (!head_ok || (strcmp(h.kind, LM_KIND_GPT) != 0 && strcmp(h.kind, LM_KIND_ENCODER) != 0)) abort();
        if (m.bidirectional != (strcmp(h.kind, LM_KIND_ENCODER) == 0)) abort();
        /* a loaded model is consistent with its config */
        if (m.n_params != lm_param_count(&m.cfg)) abort();
        if (!meta || strlen(meta) > size) abort();
        const lm_tensor_view *last = &m.views[m.n_views - 1];
        if (last->offset + last->numel != m.n_params) abort();
        check_head(data, size, 1);
    } else {
        if (meta != NULL || m.params != NULL || err.msg[0] == 0) abort();
        check_head(data, size, 0);
    }
    free(meta);
    lm_model_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_as_is_and_crc_fixed(data, size, load_one); }
