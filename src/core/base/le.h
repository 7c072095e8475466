/* le.h - little-endian bytes: the one place the model files' fixed-width
 * fields are written and read (io/modelfile.c and the kinds' config bytes:
 * n-gram, soft prompt, word2vec).
 *
 * Contract
 * - put_* writes exactly 4 (u32, f32) or 8 (u64) bytes at b, least
 *   significant first; get_* reads them back. b needs no alignment.
 * - Signed and float values travel as their bit patterns (memcpy, no
 *   implementation-defined casts): get_i32(put_u32(v)) == v for every int32_t,
 *   get_f32(put_f32(f)) has f's bits (NaNs included).
 * - Header-only, static inline: nothing to link.
 */
#ifndef LM_BASE_LE_H
#define LM_BASE_LE_H

#include <stdint.h>
#include <string.h>

static inline void lm_le_put_u32(uint8_t *b, uint32_t v) {
    for (int i = 0; i < 4; i++) b[i] = (uint8_t)(v >> (8 * i));
}
static inline void lm_le_put_u64(uint8_t *b, uint64_t v) {
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t lm_le_get_u32(const uint8_t *b) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)b[i] << (8 * i);
    return v;
}
static inline uint64_t lm_le_get_u64(const uint8_t *b) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)b[i] << (8 * i);
    return v;
}
static inline int32_t lm_le_get_i32(const uint8_t *b) {
    uint32_t u = lm_le_get_u32(b);
    int32_t v;
    memcpy(&v, &u, sizeof v);
    return v;
}
static inline float lm_le_get_f32(const uint8_t *b) {
    uint32_t u = lm_le_get_u32(b);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}
static inline void lm_le_put_f32(uint8_t *b, float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    lm_le_put_u32(b, u);
}

#endif
