/* modelfile.c - the self-contained model file (.llm): save atomically, load
 * with every check spelled out (see modelfile.h for the format).
 *
 * Every multi-byte number is written and read byte by byte, little-endian,
 * so the file is the same on every machine. Loading is done from memory
 * (lm_load_mem) so that the fuzz target exercises exactly the same code; every
 * size read from the file is checked against the bytes that remain before it
 * is used, in 64-bit arithmetic that cannot overflow.
 */
#include "io/modelfile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const uint8_t MAGIC[8] = {'L', 'L', 'M', 'L', 'A', 'B', 0, 1};
/* 8 x i32 config + i32 adam_t + u64 n_params + u64 tokenizer_len + u32 metadata_len */
#define HEADER_BYTES 56u
#define PREFIX_BYTES 16u   /* magic + version + header bytes */

/* ---- CRC32 (IEEE 802.3, reflected polynomial 0xEDB88320) ---- */
static const uint32_t CRC_TABLE[256] = {
    0x00000000u, 0x77073096u, 0xee0e612cu, 0x990951bau, 0x076dc419u, 0x706af48fu,
    0xe963a535u, 0x9e6495a3u, 0x0edb8832u, 0x79dcb8a4u, 0xe0d5e91eu, 0x97d2d988u,
    0x09b64c2bu, 0x7eb17cbdu, 0xe7b82d07u, 0x90bf1d91u, 0x1db71064u, 0x6ab020f2u,
    0xf3b97148u, 0x84be41deu, 0x1adad47du, 0x6ddde4ebu, 0xf4d4b551u, 0x83d385c7u,
    0x136c9856u, 0x646ba8c0u, 0xfd62f97au, 0x8a65c9ecu, 0x14015c4fu, 0x63066cd9u,
    0xfa0f3d63u, 0x8d080df5u, 0x3b6e20c8u, 0x4c69105eu, 0xd56041e4u, 0xa2677172u,
    0x3c03e4d1u, 0x4b04d447u, 0xd20d85fdu, 0xa50ab56bu, 0x35b5a8fau, 0x42b2986cu,
    0xdbbbc9d6u, 0xacbcf940u, 0x32d86ce3u, 0x45df5c75u, 0xdcd60dcfu, 0xabd13d59u,
    0x26d930acu, 0x51de003au, 0xc8d75180u, 0xbfd06116u, 0x21b4f4b5u, 0x56b3c423u,
    0xcfba9599u, 0xb8bda50fu, 0x2802b89eu, 0x5f058808u, 0xc60cd9b2u, 0xb10be924u,
    0x2f6f7c87u, 0x58684c11u, 0xc1611dabu, 0xb6662d3du, 0x76dc4190u, 0x01db7106u,
    0x98d220bcu, 0xefd5102au, 0x71b18589u, 0x06b6b51fu, 0x9fbfe4a5u, 0xe8b8d433u,
    0x7807c9a2u, 0x0f00f934u, 0x9609a88eu, 0xe10e9818u, 0x7f6a0dbbu, 0x086d3d2du,
    0x91646c97u, 0xe6635c01u, 0x6b6b51f4u, 0x1c6c6162u, 0x856530d8u, 0xf262004eu,
    0x6c0695edu, 0x1b01a57bu, 0x8208f4c1u, 0xf50fc457u, 0x65b0d9c6u, 0x12b7e950u,
    0x8bbeb8eau, 0xfcb9887cu, 0x62dd1ddfu, 0x15da2d49u, 0x8cd37cf3u, 0xfbd44c65u,
    0x4db26158u, 0x3ab551ceu, 0xa3bc0074u, 0xd4bb30e2u, 0x4adfa541u, 0x3dd895d7u,
    0xa4d1c46du, 0xd3d6f4fbu, 0x4369e96au, 0x346ed9fcu, 0xad678846u, 0xda60b8d0u,
    0x44042d73u, 0x33031de5u, 0xaa0a4c5fu, 0xdd0d7cc9u, 0x5005713cu, 0x270241aau,
    0xbe0b1010u, 0xc90c2086u, 0x5768b525u, 0x206f85b3u, 0xb966d409u, 0xce61e49fu,
    0x5edef90eu, 0x29d9c998u, 0xb0d09822u, 0xc7d7a8b4u, 0x59b33d17u, 0x2eb40d81u,
    0xb7bd5c3bu, 0xc0ba6cadu, 0xedb88320u, 0x9abfb3b6u, 0x03b6e20cu, 0x74b1d29au,
    0xead54739u, 0x9dd277afu, 0x04db2615u, 0x73dc1683u, 0xe3630b12u, 0x94643b84u,
    0x0d6d6a3eu, 0x7a6a5aa8u, 0xe40ecf0bu, 0x9309ff9du, 0x0a00ae27u, 0x7d079eb1u,
    0xf00f9344u, 0x8708a3d2u, 0x1e01f268u, 0x6906c2feu, 0xf762575du, 0x806567cbu,
    0x196c3671u, 0x6e6b06e7u, 0xfed41b76u, 0x89d32be0u, 0x10da7a5au, 0x67dd4accu,
    0xf9b9df6fu, 0x8ebeeff9u, 0x17b7be43u, 0x60b08ed5u, 0xd6d6a3e8u, 0xa1d1937eu,
    0x38d8c2c4u, 0x4fdff252u, 0xd1bb67f1u, 0xa6bc5767u, 0x3fb506ddu, 0x48b2364bu,
    0xd80d2bdau, 0xaf0a1b4cu, 0x36034af6u, 0x41047a60u, 0xdf60efc3u, 0xa867df55u,
    0x316e8eefu, 0x4669be79u, 0xcb61b38cu, 0xbc66831au, 0x256fd2a0u, 0x5268e236u,
    0xcc0c7795u, 0xbb0b4703u, 0x220216b9u, 0x5505262fu, 0xc5ba3bbeu, 0xb2bd0b28u,
    0x2bb45a92u, 0x5cb36a04u, 0xc2d7ffa7u, 0xb5d0cf31u, 0x2cd99e8bu, 0x5bdeae1du,
    0x9b64c2b0u, 0xec63f226u, 0x756aa39cu, 0x026d930au, 0x9c0906a9u, 0xeb0e363fu,
    0x72076785u, 0x05005713u, 0x95bf4a82u, 0xe2b87a14u, 0x7bb12baeu, 0x0cb61b38u,
    0x92d28e9bu, 0xe5d5be0du, 0x7cdcefb7u, 0x0bdbdf21u, 0x86d3d2d4u, 0xf1d4e242u,
    0x68ddb3f8u, 0x1fda836eu, 0x81be16cdu, 0xf6b9265bu, 0x6fb077e1u, 0x18b74777u,
    0x88085ae6u, 0xff0f6a70u, 0x66063bcau, 0x11010b5cu, 0x8f659effu, 0xf862ae69u,
    0x616bffd3u, 0x166ccf45u, 0xa00ae278u, 0xd70dd2eeu, 0x4e048354u, 0x3903b3c2u,
    0xa7672661u, 0xd06016f7u, 0x4969474du, 0x3e6e77dbu, 0xaed16a4au, 0xd9d65adcu,
    0x40df0b66u, 0x37d83bf0u, 0xa9bcae53u, 0xdebb9ec5u, 0x47b2cf7fu, 0x30b5ffe9u,
    0xbdbdf21cu, 0xcabac28au, 0x53b39330u, 0x24b4a3a6u, 0xbad03605u, 0xcdd70693u,
    0x54de5729u, 0x23d967bfu, 0xb3667a2eu, 0xc4614ab8u, 0x5d681b02u, 0x2a6f2b94u,
    0xb40bbe37u, 0xc30c8ea1u, 0x5a05df1bu, 0x2d02ef8du,
};

uint32_t lm_crc32(uint32_t crc, const void *buf, size_t len) {
    const uint8_t *p = buf;
    uint32_t c = crc ^ 0xffffffffu;
    for (size_t i = 0; i < len; i++) c = CRC_TABLE[(c ^ p[i]) & 0xffu] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

/* ---- little-endian bytes ---- */
static void put_u32(uint8_t *b, uint32_t v) {
    for (int i = 0; i < 4; i++) b[i] = (uint8_t)(v >> (8 * i));
}
static void put_u64(uint8_t *b, uint64_t v) {
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get_u32(const uint8_t *b) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)b[i] << (8 * i);
    return v;
}
static uint64_t get_u64(const uint8_t *b) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)b[i] << (8 * i);
    return v;
}
static int32_t get_i32(const uint8_t *b) {
    uint32_t u = get_u32(b);
    int32_t v;
    memcpy(&v, &u, sizeof v);   /* two's complement, without implementation-defined casts */
    return v;
}
static uint32_t float_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* Index of the first non-finite parameter, or n if all are finite. */
static size_t first_non_finite(const float *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(p[i])) return i;
    return n;
}

/* "wte[12]"-style location of parameter i, for messages. */
static void param_where(const lm_model *m, size_t i, char *out, size_t cap) {
    for (int v = 0; v < m->n_views; v++) {
        const lm_tensor_view *t = &m->views[v];
        if (i >= t->offset && i - t->offset < t->numel) {
            snprintf(out, cap, "%s[%zu]", t->name, i - t->offset);
            return;
        }
    }
    snprintf(out, cap, "#%zu", i);
}

/* ---- saving ---- */

/* A FILE with a running CRC of everything written. */
typedef struct {
    FILE *f;
    uint32_t crc;
    int failed;
} writer;

static void w_bytes(writer *w, const void *p, size_t n) {
    if (w->failed || n == 0) return;
    w->crc = lm_crc32(w->crc, p, n);
    if (fwrite(p, 1, n, w->f) != n) w->failed = 1;
}

static int write_model(FILE *f, const lm_model *m, const char *metadata, size_t meta_len) {
    writer w = {f, 0, 0};
    uint8_t b[HEADER_BYTES];
    const lm_config *c = &m->cfg;

    w_bytes(&w, MAGIC, sizeof MAGIC);
    put_u32(b, LM_FILE_VERSION);
    put_u32(b + 4, HEADER_BYTES);
    w_bytes(&w, b, 8);

    int32_t fields[9] = {c->n_layer, c->n_head, c->d_model, c->d_mlp, c->n_ctx,
                         c->vocab_size, (int32_t)c->pos, (int32_t)c->act, m->adam_t};
    for (int i = 0; i < 9; i++) put_u32(b + 4 * i, (uint32_t)fields[i]);
    put_u64(b + 36, (uint64_t)m->n_params);
    put_u64(b + 44, (uint64_t)m->tokenizer_len);
    put_u32(b + 52, (uint32_t)meta_len);
    w_bytes(&w, b, HEADER_BYTES);

    w_bytes(&w, m->tokenizer_blob, m->tokenizer_len);
    w_bytes(&w, metadata, meta_len);

    uint8_t chunk[4096 * 4];
    for (size_t i = 0; i < m->n_params && !w.failed; i += 4096) {
        size_t n = m->n_params - i < 4096 ? m->n_params - i : 4096;
        for (size_t j = 0; j < n; j++) put_u32(chunk + 4 * j, float_bits(m->params[i + j]));
        w_bytes(&w, chunk, 4 * n);
    }
    put_u32(b, w.crc);
    if (!w.failed && fwrite(b, 1, 4, f) != 4) w.failed = 1;
    return w.failed ? -1 : 0;
}

/* Best effort: make the rename itself durable. */
static void sync_parent_dir(const char *path) {
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

int lm_save(const lm_model *m, const char *metadata, const char *path, lm_err *err) {
    if (!m || !path || !*path) return lm_fail(err, "save: missing model or path");
    if (lm_config_check(&m->cfg, err) != 0) return -1;
    if (!m->params || m->n_params != lm_param_count(&m->cfg))
        return lm_fail(err, "save: the model has %zu parameters, its config needs %zu",
                       m->params ? m->n_params : 0, lm_param_count(&m->cfg));
    if (m->tokenizer_len > 0 && !m->tokenizer_blob)
        return lm_fail(err, "save: tokenizer_len is %zu but the blob is missing", m->tokenizer_len);
    size_t meta_len = metadata ? strlen(metadata) : 0;
    if (meta_len > UINT32_MAX) return lm_fail(err, "save: metadata longer than 4 GB");
    size_t bad = first_non_finite(m->params, m->n_params);
    if (bad < m->n_params) {
        char where[64];
        param_where(m, bad, where, sizeof where);
        return lm_fail(err, "save: refusing to save a model with a non-finite parameter (%s = %g)",
                       where, (double)m->params[bad]);
    }

    size_t plen = strlen(path);
    char *tmp = malloc(plen + 5);
    if (!tmp) return lm_fail(err, "save: out of memory");
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);

    FILE *f = fopen(tmp, "wb");
    if (!f) {
        int e = errno;
        lm_fail(err, "save: cannot create %s: %s", tmp, strerror(e));
        free(tmp);
        return -1;
    }
    int rc = write_model(f, m, metadata, meta_len);
    int e = errno;
    if (rc == 0 && fflush(f) != 0) { rc = -1; e = errno; }
    if (rc == 0 && fsync(fileno(f)) != 0) { rc = -1; e = errno; }
    if (fclose(f) != 0 && rc == 0) { rc = -1; e = errno; }
    if (rc != 0) {
        lm_fail(err, "save: writing %s failed: %s", tmp, strerror(e));
        remove(tmp);
        free(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        e = errno;
        lm_fail(err, "save: cannot rename %s to %s: %s", tmp, path, strerror(e));
        remove(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    sync_parent_dir(path);
    return 0;
}

/* ---- loading ---- */

/* Fails with the loader's message and leaves m zeroed, *metadata NULL. */
#define LOAD_FAIL(...) do { lm_model_free(m); return lm_fail(err, __VA_ARGS__); } while (0)

int lm_load_mem(lm_model *m, char **metadata, const uint8_t *buf, size_t len, lm_err *err) {
    if (metadata) *metadata = NULL;
    if (!m) return lm_fail(err, "load: missing model");
    memset(m, 0, sizeof *m);
    if (!buf && len > 0) return lm_fail(err, "load: missing buffer");

    if (len == 0) return lm_fail(err, "not an llmlab model file: the file is empty");
    size_t cmp = len < sizeof MAGIC ? len : sizeof MAGIC;
    if (memcmp(buf, MAGIC, cmp) != 0) return lm_fail(err, "not an llmlab model file (bad magic)");
    if (len < PREFIX_BYTES + HEADER_BYTES)
        return lm_fail(err, "truncated: expected at least %u bytes, file has %zu",
                       PREFIX_BYTES + HEADER_BYTES, len);

    uint32_t version = get_u32(buf + 8);
    if (version == 0) return lm_fail(err, "bad model file: format version 0 does not exist");
    if (version > LM_FILE_VERSION)
        return lm_fail(err, "written by a newer llmlab: format version %u, this build reads up to %u",
                       version, LM_FILE_VERSION);
    uint32_t header_bytes = get_u32(buf + 12);
    if (header_bytes != HEADER_BYTES)
        return lm_fail(err, "bad model file: header length %u, format version %u has %u",
                       header_bytes, version, HEADER_BYTES);

    const uint8_t *h = buf + PREFIX_BYTES;
    lm_config cfg;
    cfg.n_layer = get_i32(h);
    cfg.n_head = get_i32(h + 4);
    cfg.d_model = get_i32(h + 8);
    cfg.d_mlp = get_i32(h + 12);
    cfg.n_ctx = get_i32(h + 16);
    cfg.vocab_size = get_i32(h + 20);
    int32_t pos = get_i32(h + 24), act = get_i32(h + 28);
    if (pos < 0 || pos > (int32_t)LM_POS_ROTARY)
        return lm_fail(err, "bad model file: config: unknown positional encoding %d", pos);
    if (act < 0 || act > (int32_t)LM_ACT_RELU)
        return lm_fail(err, "bad model file: config: unknown activation %d", act);
    cfg.pos = (lm_pos_kind)pos;
    cfg.act = (lm_act_kind)act;
    lm_err cerr;
    if (lm_config_check(&cfg, &cerr) != 0) return lm_fail(err, "bad model file: %s", cerr.msg);
    int32_t adam_t = get_i32(h + 32);
    if (adam_t < 0) return lm_fail(err, "bad model file: adam_t is negative (%d)", adam_t);
    uint64_t n_params = get_u64(h + 36);
    uint64_t tok_len = get_u64(h + 44);
    uint64_t meta_len = get_u32(h + 52);
    size_t want_params = lm_param_count(&cfg);
    if (n_params != (uint64_t)want_params)
        return lm_fail(err, "bad model file: it holds %llu parameters but its config needs %zu",
                       (unsigned long long)n_params, want_params);

    /* expected size: prefix + header + tokenizer + metadata + 4 * n_params + crc.
     * n_params is bounded by lm_config_check (< 2^43); tok_len is any u64. */
    uint64_t fixed = (uint64_t)PREFIX_BYTES + HEADER_BYTES + meta_len + 4u * n_params + 4u;
    if (tok_len > UINT64_MAX - fixed)
        return lm_fail(err, "bad model file: tokenizer length %llu is impossible",
                       (unsigned long long)tok_len);
    uint64_t expected = fixed + tok_len;
    if ((uint64_t)len < expected)
        return lm_fail(err, "truncated: expected %llu bytes, file has %zu",
                       (unsigned long long)expected, len);
    if ((uint64_t)len > expected)
        return lm_fail(err, "trailing garbage: expected %llu bytes, file has %zu",
                       (unsigned long long)expected, len);

    uint32_t stored_crc = get_u32(buf + len - 4);
    if (lm_crc32(0, buf, len - 4) != stored_crc)
        return lm_fail(err, "checksum mismatch: file is corrupted");

    /* every size now fits in the buffer, hence in size_t */
    const uint8_t *tok = buf + PREFIX_BYTES + HEADER_BYTES;
    const uint8_t *meta = tok + tok_len;
    const uint8_t *par = meta + meta_len;
    if (meta_len > 0 && memchr(meta, 0, (size_t)meta_len))
        return lm_fail(err, "bad model file: metadata contains a NUL byte");

    if (lm_model_alloc(m, &cfg, err) != 0) return -1;
    m->adam_t = adam_t;
    for (size_t i = 0; i < m->n_params; i++) {
        uint32_t u = get_u32(par + 4 * i);
        memcpy(&m->params[i], &u, sizeof u);
    }
    size_t bad = first_non_finite(m->params, m->n_params);
    if (bad < m->n_params) {
        char where[64];
        param_where(m, bad, where, sizeof where);
        float v = m->params[bad];
        LOAD_FAIL("bad model file: parameter %s is not finite (%g)", where, (double)v);
    }
    if (tok_len > 0) {
        m->tokenizer_blob = malloc((size_t)tok_len);
        if (!m->tokenizer_blob) LOAD_FAIL("load: out of memory for a %llu-byte tokenizer",
                                          (unsigned long long)tok_len);
        memcpy(m->tokenizer_blob, tok, (size_t)tok_len);
        m->tokenizer_len = (size_t)tok_len;
    }
    if (metadata) {
        char *s = malloc((size_t)meta_len + 1);
        if (!s) LOAD_FAIL("load: out of memory for metadata");
        memcpy(s, meta, (size_t)meta_len);
        s[meta_len] = 0;
        *metadata = s;
    }
    return 0;
}

int lm_load(lm_model *m, char **metadata, const char *path, lm_err *err) {
    if (metadata) *metadata = NULL;
    if (!m) return lm_fail(err, "load: missing model");
    memset(m, 0, sizeof *m);
    if (!path) return lm_fail(err, "load: missing path");
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        return lm_fail(err, "cannot open %s: %s", path, strerror(e));
    }
    /* read the whole file, growing the buffer (works for pipes too) */
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) { fclose(f); return lm_fail(err, "load: out of memory"); }
    for (;;) {
        if (len == cap) {
            if (cap > SIZE_MAX / 2) { free(buf); fclose(f); return lm_fail(err, "%s: file too large", path); }
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); fclose(f); return lm_fail(err, "%s: out of memory reading the file", path); }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int rerr = ferror(f);
    int e = errno;
    fclose(f);
    if (rerr) {
        free(buf);
        return lm_fail(err, "cannot read %s: %s", path, strerror(e));
    }
    lm_err inner;
    int rc = lm_load_mem(m, metadata, buf, len, &inner);
    free(buf);
    if (rc != 0) return lm_fail(err, "%s: %s", path, inner.msg);
    return 0;
}
