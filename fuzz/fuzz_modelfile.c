/* fuzz_modelfile.c - libFuzzer target for the model file loader: any bytes
 * must either load into a model that frees cleanly or be refused with a
 * message, never crash, hang or leak.
 * Each input is tried twice: as it is, and with its last 4 bytes replaced by
 * the right CRC32, so the fuzzer also reaches the checks after the checksum
 * (metadata, parameters, allocation). The header reader alone
 * (lm_file_header_read, which accepts any well-formed kind) runs on each
 * input too and must agree with the loader about what it read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/modelfile.h"

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
        /* what loads has a readable header of kind gpt */
        if (!head_ok || strcmp(h.kind, LM_KIND_GPT) != 0) abort();
        /* a loaded model is consistent with its config */
        if (m.n_params != lm_param_count(&m.cfg)) abort();
        if (!meta || strlen(meta) > size) abort();
        const lm_tensor_view *last = &m.views[m.n_views - 1];
        if (last->offset + last->numel != m.n_params) abort();
    } else {
        if (meta != NULL || m.params != NULL || err.msg[0] == 0) abort();
    }
    free(meta);
    lm_model_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    load_one(data, size);
    if (size >= 4) {
        uint8_t *fixed = malloc(size);
        if (!fixed) return 0;
        memcpy(fixed, data, size);
        uint32_t crc = lm_crc32(0, fixed, size - 4);
        for (int i = 0; i < 4; i++) fixed[size - 4 + i] = (uint8_t)(crc >> (8 * i));
        load_one(fixed, size);
        free(fixed);
    }
    return 0;
}
