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

#include "base/infile.h"
#include "base/le.h"
#include "io/atomic.h"
#include "rl/qtable.h"
#include "models/ngram/ngram.h"
#include "models/word2vec/w2v.h"
#include "models/fflm/fflm.h"
#include "models/rnn/rnn.h"
#include "models/softprompt/softprompt.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const uint8_t MAGIC[8] = {'L', 'L', 'M', 'L', 'A', 'B', 0, 1};
#define PREFIX_BYTES 16u       /* magic + version + header bytes */
#define KIND_BYTES 16u         /* v2: the kind's name, NUL-padded */
/* v2: kind + i32 adam_t + u64 n_params + u64 tokenizer_len + u32 metadata_len */
#define V2_COMMON_BYTES 40u
#define GPT_CONFIG_BYTES 32u   /* 8 x i32 */
/* v1: gpt config + i32 adam_t + u64 n_params + u64 tokenizer_len + u32 metadata_len */
#define V1_HEADER_BYTES 56u
/* The most header a file may claim: the start lm_load reads before the body
 * (no kind's config comes near it) */
#define HEAD_READ 4096u

/* The model kinds this build loads, with the size of each one's config. A new
 * model family adds a row here and its config reader below. */
static int check_gpt(const uint8_t *config, uint32_t config_bytes, uint64_t n_params, lm_err *err);
static int check_config(const char *kind, const uint8_t *config, uint32_t config_bytes, uint64_t n_params,
                        lm_err *err);
static int read_kind(char out[16], const uint8_t *b, lm_err *err);
static const struct {
    const char *name;
    uint32_t config_bytes;   /* 0 = any length up to what the header allows */
    /* the kind's own config check (and its parameter count against it) */
    int (*check)(const uint8_t *config, uint32_t config_bytes, uint64_t n_params, lm_err *err);
} KINDS[] = {
    {LM_KIND_GPT, GPT_CONFIG_BYTES, check_gpt},
    {TTT_KIND_QTABLE, TTT_QTABLE_CONFIG_BYTES, ttt_qtable_check},   /* rl/qtable.h: a tic-tac-toe Q table */
    {LM_KIND_NGRAM, LM_NGRAM_CONFIG_BYTES, lm_ngram_check_config},
    {LM_KIND_WORD2VEC, LM_W2V_CONFIG_BYTES, lm_w2v_file_check},
    {LM_KIND_FFLM, LM_FFLM_CONFIG_BYTES, lm_fflm_check},   /* models/fflm/fflm.h */
    {LM_KIND_RNN, LM_RNN_CONFIG_BYTES, lm_rnn_check},      /* models/rnn/rnn.h */
    {LM_KIND_SOFTPROMPT, LM_SOFTPROMPT_CONFIG_BYTES, lm_softprompt_check_config},
    {LM_KIND_ENCODER, GPT_CONFIG_BYTES, check_gpt},   /* gpt's config and weights, attention bidirectional */
};

/* A transformer kind lm_load reads: gpt (causal) or encoder (bidirectional);
 * 0 with *bidirectional set, -1 for any other kind. */
static int transformer_kind(const char *kind, int *bidirectional) {
    *bidirectional = strcmp(kind, LM_KIND_ENCODER) == 0;
    return *bidirectional || strcmp(kind, LM_KIND_GPT) == 0 ? 0 : -1;
}

/* ---- little-endian bytes (base/le.h); a float as its bits ---- */
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

/* gpt's config: n_layer, n_head, d_model, d_mlp, n_ctx, vocab_size, pos, act */
static void put_gpt_config(uint8_t *b, const lm_config *c) {
    int32_t fields[8] = {c->n_layer, c->n_head, c->d_model, c->d_mlp, c->n_ctx,
                         c->vocab_size, (int32_t)c->pos, (int32_t)c->act};
    for (int i = 0; i < 8; i++) lm_le_put_u32(b + 4 * i, (uint32_t)fields[i]);
}

/* Writes the current format (version 2) of any kind's parts; see modelfile.h. */
static int write_parts(FILE *f, const lm_file_parts *p) {
    writer w = {f, 0, 0};
    uint8_t b[V2_COMMON_BYTES];
    size_t meta_len = p->metadata ? strlen(p->metadata) : 0;

    w_bytes(&w, MAGIC, sizeof MAGIC);
    lm_le_put_u32(b, LM_FILE_VERSION);
    lm_le_put_u32(b + 4, V2_COMMON_BYTES + p->config_bytes);
    w_bytes(&w, b, 8);

    memset(b, 0, sizeof b);
    memcpy(b, p->kind, strnlen(p->kind, KIND_BYTES - 1));
    lm_le_put_u32(b + 16, (uint32_t)p->adam_t);
    lm_le_put_u64(b + 20, p->n_params);
    lm_le_put_u64(b + 28, p->tokenizer_len);
    lm_le_put_u32(b + 36, (uint32_t)meta_len);
    w_bytes(&w, b, sizeof b);
    w_bytes(&w, p->config, p->config_bytes);

    w_bytes(&w, p->tokenizer, (size_t)p->tokenizer_len);
    w_bytes(&w, p->metadata, meta_len);

    uint8_t chunk[4096 * 4];
    for (uint64_t i = 0; i < p->n_params && !w.failed; i += 4096) {
        size_t n = p->n_params - i < 4096 ? (size_t)(p->n_params - i) : 4096;
        for (size_t j = 0; j < n; j++) lm_le_put_u32(chunk + 4 * j, float_bits(p->params[i + j]));
        w_bytes(&w, chunk, 4 * n);
    }
    lm_le_put_u32(b, w.crc);
    if (!w.failed && fwrite(b, 1, 4, f) != 4) w.failed = 1;
    return w.failed ? -1 : 0;
}

/* lm_save's content, for lm_atomic_write */
static int write_job(FILE *f, void *user, lm_err *err) {
    (void)err;
    return write_parts(f, user);
}

int lm_save(const lm_model *m, const char *metadata, const char *path, lm_err *err) {
    if (!m || !path || !*path) return lm_fail(err, "save: missing model or path");
    if (lm_config_check(&m->cfg, err) != 0) return -1;
    if (!m->params || m->n_params != lm_param_count(&m->cfg))
        return lm_fail(err, "save: the model has %zu parameters, its config needs %zu",
                       m->params ? m->n_params : 0, lm_param_count(&m->cfg));
    if (m->tokenizer_len > 0 && !m->tokenizer_blob)
        return lm_fail(err, "save: tokenizer_len is %zu but the blob is missing", m->tokenizer_len);
    if (metadata && strlen(metadata) > UINT32_MAX) return lm_fail(err, "save: metadata longer than 4 GB");
    size_t bad = first_non_finite(m->params, m->n_params);
    if (bad < m->n_params) {
        char where[64];
        param_where(m, bad, where, sizeof where);
        return lm_fail(err, "save: refusing to save a model with a non-finite parameter (%s = %g)",
                       where, (double)m->params[bad]);
    }
    uint8_t config[GPT_CONFIG_BYTES];
    put_gpt_config(config, &m->cfg);
    lm_file_parts p = {.kind = LM_KIND_GPT, .config = config, .config_bytes = sizeof config,
                       .adam_t = m->adam_t, .params = m->params, .n_params = m->n_params,
                       .tokenizer = m->tokenizer_blob, .tokenizer_len = m->tokenizer_len,
                       .metadata = (char *)metadata};
    if (m->bidirectional) memcpy(p.kind, LM_KIND_ENCODER, sizeof LM_KIND_ENCODER);
    return lm_atomic_write(path, write_job, &p, err);
}

uint64_t lm_save_parts_size(const lm_file_parts *p) {
    return PREFIX_BYTES + V2_COMMON_BYTES + (uint64_t)p->config_bytes + p->tokenizer_len +
           (p->metadata ? strlen(p->metadata) : 0) + 4u * p->n_params + 4u;
}

int lm_save_parts(const lm_file_parts *p, const char *path, lm_err *err) {
    if (!p || !path || !*path) return lm_fail(err, "save: missing model or path");
    lm_err kerr;
    char kind[KIND_BYTES] = {0};
    size_t kn = strnlen(p->kind, KIND_BYTES);
    if (kn == KIND_BYTES || kn == 0) return lm_fail(err, "save: the model kind must be 1..15 characters");
    memcpy(kind, p->kind, kn);
    if (read_kind(kind, (const uint8_t *)kind, &kerr) != 0) return lm_fail(err, "save: %s", kerr.msg);
    if (p->config_bytes > HEAD_READ - PREFIX_BYTES - V2_COMMON_BYTES)
        return lm_fail(err, "save: a %u-byte config is longer than a header may be", p->config_bytes);
    if ((p->config_bytes && !p->config) || (p->n_params && !p->params) || (p->tokenizer_len && !p->tokenizer))
        return lm_fail(err, "save: a part's length is set but its bytes are missing");
    if (p->metadata && strlen(p->metadata) > UINT32_MAX) return lm_fail(err, "save: metadata longer than 4 GB");
    if (p->adam_t < 0 || p->adam_t > LM_MAX_ADAM_T) return lm_fail(err, "save: adam_t %d out of range", p->adam_t);
    if (check_config(kind, p->config, p->config_bytes, p->n_params, &kerr) != 0)
        return lm_fail(err, "save: %s", kerr.msg);
    size_t bad = first_non_finite(p->params, (size_t)p->n_params);
    if (bad < p->n_params)
        return lm_fail(err, "save: refusing to save a model with a non-finite parameter (#%zu = %g)", bad,
                       (double)p->params[bad]);
    return lm_atomic_write(path, write_job, (void *)p, err);
}

uint64_t lm_save_size(const lm_model *m, size_t meta_len) {
    return PREFIX_BYTES + V2_COMMON_BYTES + GPT_CONFIG_BYTES + (uint64_t)m->tokenizer_len + meta_len +
           4u * (uint64_t)m->n_params + 4u;
}

/* ---- the header ---- */

/* A kind's name: 1..15 bytes of [a-z0-9_.-], then NUL bytes to the 16th. */
static int read_kind(char out[KIND_BYTES], const uint8_t *b, lm_err *err) {
    size_t n = 0;
    while (n < KIND_BYTES && b[n]) n++;
    if (n == 0) return lm_fail(err, "bad model file: the model kind is empty");
    if (n == KIND_BYTES) return lm_fail(err, "bad model file: the model kind is not NUL-terminated");
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = b[i];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
        if (!ok) return lm_fail(err, "bad model file: the model kind holds byte 0x%02x, not a name", ch);
    }
    for (size_t i = n; i < KIND_BYTES; i++)
        if (b[i]) return lm_fail(err, "bad model file: bytes after the model kind's name are not zero");
    memcpy(out, b, n);
    out[n] = 0;
    return 0;
}

/* The fields both versions share, at their version's places. */
static int read_common(lm_file_header *h, const uint8_t *hd, lm_err *err) {
    size_t at = h->version == 1 ? GPT_CONFIG_BYTES : KIND_BYTES;   /* adam_t */
    h->adam_t = lm_le_get_i32(hd + at);
    h->n_params = lm_le_get_u64(hd + at + 4);
    h->tokenizer_len = lm_le_get_u64(hd + at + 12);
    h->metadata_len = lm_le_get_u32(hd + at + 20);
    if (h->adam_t < 0 || h->adam_t > LM_MAX_ADAM_T)
        return lm_fail(err, "bad model file: adam_t (the optimizer step) is %d, not in 0..%d", h->adam_t,
                       LM_MAX_ADAM_T);
    return 0;
}

int lm_file_header_read(lm_file_header *h, const uint8_t *buf, size_t len, lm_err *err) {
    memset(h, 0, sizeof *h);
    if (!buf || len == 0) return lm_fail(err, "not an llmlab model file: the file is empty");
    size_t cmp = len < sizeof MAGIC ? len : sizeof MAGIC;
    if (memcmp(buf, MAGIC, cmp) != 0) return lm_fail(err, "not an llmlab model file (bad magic)");
    if (len < PREFIX_BYTES)
        return lm_fail(err, "truncated: expected at least %u bytes, file has %zu", PREFIX_BYTES, len);
    h->version = lm_le_get_u32(buf + 8);
    h->header_bytes = lm_le_get_u32(buf + 12);
    if (h->version == 0) return lm_fail(err, "bad model file: format version 0 does not exist");
    if (h->version > LM_FILE_VERSION)
        return lm_fail(err, "written by a newer llmlab: format version %u, this build reads up to %u",
                       h->version, LM_FILE_VERSION);
    if (h->version == 1 && h->header_bytes != V1_HEADER_BYTES)
        return lm_fail(err, "bad model file: header length %u, format version 1 has %u",
                       h->header_bytes, V1_HEADER_BYTES);
    if (h->version == 2 && h->header_bytes < V2_COMMON_BYTES)
        return lm_fail(err, "bad model file: header length %u, format version 2 needs at least %u",
                       h->header_bytes, V2_COMMON_BYTES);
    if (h->header_bytes > HEAD_READ - PREFIX_BYTES)
        return lm_fail(err, "bad model file: header length %u, this build reads at most %u",
                       h->header_bytes, HEAD_READ - PREFIX_BYTES);
    if ((uint64_t)len < (uint64_t)PREFIX_BYTES + h->header_bytes)
        return lm_fail(err, "truncated: expected at least %llu bytes, file has %zu",
                       (unsigned long long)PREFIX_BYTES + h->header_bytes, len);
    const uint8_t *hd = buf + PREFIX_BYTES;
    if (h->version == 1) {   /* before kinds: the gpt config leads the header */
        memcpy(h->kind, LM_KIND_GPT, sizeof LM_KIND_GPT);
        h->config_at = PREFIX_BYTES;
        h->config_bytes = GPT_CONFIG_BYTES;
    } else {
        if (read_kind(h->kind, hd, err) != 0) return -1;
        h->config_at = PREFIX_BYTES + V2_COMMON_BYTES;
        h->config_bytes = h->header_bytes - V2_COMMON_BYTES;
    }
    return read_common(h, hd, err);
}

/* The file's start (at most HEAD_READ bytes) into buf; the file stays open. */
static int read_head(lm_infile *f, const char *path, uint8_t *buf, size_t *len, lm_err *err) {
    if (lm_infile_open(f, path, "model", 0, err)) return -1;
    *len = f->size < HEAD_READ ? (size_t)f->size : HEAD_READ;
    if (lm_infile_read(f, buf, *len, err)) {
        lm_infile_close(f);
        return -1;
    }
    return 0;
}

int lm_file_peek(lm_file_header *h, const char *path, lm_err *err) {
    if (!h || !path) return lm_fail(err, "peek: missing header or path");
    memset(h, 0, sizeof *h);
    lm_infile f;
    uint8_t buf[HEAD_READ];
    size_t len;
    if (read_head(&f, path, buf, &len, err)) return -1;
    lm_infile_close(&f);
    lm_err inner;
    if (lm_file_header_read(h, buf, len, &inner) != 0) return lm_fail(err, "%s: %s", path, inner.msg);
    return 0;
}

/* ---- loading ---- */

/* gpt's config (put_gpt_config's order), checked field by field. */
static int read_gpt_config(lm_config *cfg, const uint8_t *b, lm_err *err) {
    cfg->n_layer = lm_le_get_i32(b);
    cfg->n_head = lm_le_get_i32(b + 4);
    cfg->d_model = lm_le_get_i32(b + 8);
    cfg->d_mlp = lm_le_get_i32(b + 12);
    cfg->n_ctx = lm_le_get_i32(b + 16);
    cfg->vocab_size = lm_le_get_i32(b + 20);
    int32_t pos = lm_le_get_i32(b + 24), act = lm_le_get_i32(b + 28);
    if (pos < 0 || pos > (int32_t)LM_POS_ROTARY)
        return lm_fail(err, "bad model file: config: unknown positional encoding %d", pos);
    if (act < 0 || act > (int32_t)LM_ACT_RELU)
        return lm_fail(err, "bad model file: config: unknown activation %d", act);
    cfg->pos = (lm_pos_kind)pos;
    cfg->act = (lm_act_kind)act;
    lm_err cerr;
    if (lm_config_check(cfg, &cerr) != 0) return lm_fail(err, "bad model file: %s", cerr.msg);
    return 0;
}

/* The kind must be one this build knows, with a config of its size that
 * its own check accepts (the parameter count among it). */
static int check_config(const char *kind, const uint8_t *config, uint32_t config_bytes, uint64_t n_params,
                        lm_err *err) {
    size_t k = 0, nk = sizeof KINDS / sizeof KINDS[0];
    while (k < nk && strcmp(KINDS[k].name, kind) != 0) k++;
    if (k == nk) {
        char known[256] = "";
        for (size_t i = 0; i < nk; i++)
            snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "", KINDS[i].name);
        return lm_fail(err, "unknown model kind \"%s\": this build reads %s", kind, known);
    }
    if (KINDS[k].config_bytes && config_bytes != KINDS[k].config_bytes)
        return lm_fail(err, "bad model file: a %s config is %u bytes, this header leaves %u", kind,
                       KINDS[k].config_bytes, config_bytes);
    return KINDS[k].check(config, config_bytes, n_params, err);
}

static int check_gpt(const uint8_t *config, uint32_t config_bytes, uint64_t n_params, lm_err *err) {
    (void)config_bytes;
    lm_config cfg;
    if (read_gpt_config(&cfg, config, err) != 0) return -1;
    size_t want = lm_param_count(&cfg);
    if (n_params != (uint64_t)want)
        return lm_fail(err, "bad model file: it holds %llu parameters but its config needs %zu",
                       (unsigned long long)n_params, want);
    return 0;
}

/* A known kind whose config checks out. */
static int check_kind(const lm_file_header *h, const uint8_t *buf, lm_err *err) {
    return check_config(h->kind, buf + h->config_at, h->config_bytes, h->n_params, err);
}

/* lm_load's kinds: gpt or encoder (*bidirectional says which), with its
 * config read into cfg. */
static int read_kind_config(lm_config *cfg, int *bidirectional, const lm_file_header *h, const uint8_t *buf,
                            lm_err *err) {
    if (check_kind(h, buf, err) != 0) return -1;
    if (transformer_kind(h->kind, bidirectional) != 0)
        return lm_fail(err, "this is a %s model, not a transformer (gpt or encoder); commands for %s models read it",
                       h->kind, h->kind);
    return read_gpt_config(cfg, buf + h->config_at, err);
}

/* The file's length against the header's sizes (before any body is read).
 * n_params is bounded by lm_config_check (< 2^43); tokenizer_len is any u64. */
static int check_size(const lm_file_header *h, uint64_t len, lm_err *err) {
    if (h->n_params > (UINT64_MAX >> 4))   /* every kind's check bounds it far lower; never overflow here */
        return lm_fail(err, "bad model file: %llu parameters is impossible", (unsigned long long)h->n_params);
    uint64_t fixed = (uint64_t)PREFIX_BYTES + h->header_bytes + h->metadata_len + 4u * h->n_params + 4u;
    if (h->tokenizer_len > UINT64_MAX - fixed)
        return lm_fail(err, "bad model file: tokenizer length %llu is impossible",
                       (unsigned long long)h->tokenizer_len);
    uint64_t expected = fixed + h->tokenizer_len;
    if (len < expected)
        return lm_fail(err, "truncated: expected %llu bytes, file has %llu", (unsigned long long)expected,
                       (unsigned long long)len);
    if (len > expected)
        return lm_fail(err, "trailing garbage: expected %llu bytes, file has %llu",
                       (unsigned long long)expected, (unsigned long long)len);
    return 0;
}

/* The sizes, then the checksum and the metadata's bytes. */
static int check_body(const lm_file_header *h, const uint8_t *buf, size_t len, lm_err *err) {
    if (check_size(h, len, err) != 0) return -1;
    if (lm_crc32(0, buf, len - 4) != lm_le_get_u32(buf + len - 4))
        return lm_fail(err, "checksum mismatch: file is corrupted");
    const uint8_t *meta = buf + PREFIX_BYTES + h->header_bytes + h->tokenizer_len;
    if (h->metadata_len > 0 && memchr(meta, 0, h->metadata_len))
        return lm_fail(err, "bad model file: metadata contains a NUL byte");
    return 0;
}

/* Fails with the loader's message and leaves m zeroed, *metadata NULL. */
#define LOAD_FAIL(...) do { lm_model_free(m); return lm_fail(err, __VA_ARGS__); } while (0)

/* The body into a fresh model; every size already fits in the buffer. */
static int fill_model(lm_model *m, char **metadata, const lm_config *cfg, const lm_file_header *h,
                      const uint8_t *buf, lm_err *err) {
    const uint8_t *tok = buf + PREFIX_BYTES + h->header_bytes;
    const uint8_t *meta = tok + h->tokenizer_len;
    const uint8_t *par = meta + h->metadata_len;
    if (lm_model_alloc(m, cfg, err) != 0) return -1;
    m->adam_t = h->adam_t;
    for (size_t i = 0; i < m->n_params; i++) {
        uint32_t u = lm_le_get_u32(par + 4 * i);
        memcpy(&m->params[i], &u, sizeof u);
    }
    size_t bad = first_non_finite(m->params, m->n_params);
    if (bad < m->n_params) {
        char where[64];
        param_where(m, bad, where, sizeof where);
        float v = m->params[bad];
        LOAD_FAIL("bad model file: parameter %s is not finite (%g)", where, (double)v);
    }
    if (h->tokenizer_len > 0) {
        m->tokenizer_blob = malloc((size_t)h->tokenizer_len);
        if (!m->tokenizer_blob) LOAD_FAIL("load: out of memory for a %llu-byte tokenizer",
                                          (unsigned long long)h->tokenizer_len);
        memcpy(m->tokenizer_blob, tok, (size_t)h->tokenizer_len);
        m->tokenizer_len = (size_t)h->tokenizer_len;
    }
    if (metadata) {
        char *s = malloc((size_t)h->metadata_len + 1);
        if (!s) LOAD_FAIL("load: out of memory for metadata");
        memcpy(s, meta, h->metadata_len);
        s[h->metadata_len] = 0;
        *metadata = s;
    }
    return 0;
}

int lm_load_mem(lm_model *m, char **metadata, const uint8_t *buf, size_t len, lm_err *err) {
    if (metadata) *metadata = NULL;
    if (!m) return lm_fail(err, "load: missing model");
    memset(m, 0, sizeof *m);
    if (!buf && len > 0) return lm_fail(err, "load: missing buffer");
    lm_file_header h;
    lm_config cfg;
    int bidirectional;
    if (lm_file_header_read(&h, buf, len, err) != 0) return -1;
    if (read_kind_config(&cfg, &bidirectional, &h, buf, err) != 0) return -1;
    if (check_body(&h, buf, len, err) != 0) return -1;
    if (fill_model(m, metadata, &cfg, &h, buf, err) != 0) return -1;
    m->bidirectional = bidirectional;
    return 0;
}

int lm_file_check_head(lm_file_header *h, const uint8_t *head, size_t len, uint64_t file_size, lm_err *err) {
    if (lm_file_header_read(h, head, len, err) != 0 || check_kind(h, head, err) != 0) return -1;
    return check_size(h, file_size, err);
}

void lm_file_parts_free(lm_file_parts *p) {
    if (!p) return;
    free(p->config);
    free(p->params);
    free(p->tokenizer);
    free(p->metadata);
    memset(p, 0, sizeof *p);
}

/* Fails with the loader's message and leaves p empty. */
#define PARTS_FAIL(...) do { lm_file_parts_free(p); return lm_fail(err, __VA_ARGS__); } while (0)

int lm_load_parts_mem(lm_file_parts *p, const uint8_t *buf, size_t len, lm_err *err) {
    if (!p) return lm_fail(err, "load: missing parts");
    memset(p, 0, sizeof *p);
    if (!buf && len > 0) return lm_fail(err, "load: missing buffer");
    lm_file_header h;
    if (lm_file_header_read(&h, buf, len, err) != 0 || check_kind(&h, buf, err) != 0 ||
        check_body(&h, buf, len, err) != 0)
        return -1;
    const uint8_t *tok = buf + PREFIX_BYTES + h.header_bytes;
    const uint8_t *meta = tok + h.tokenizer_len;
    const uint8_t *par = meta + h.metadata_len;
    memcpy(p->kind, h.kind, sizeof p->kind);
    p->adam_t = h.adam_t;
    p->config_bytes = h.config_bytes;
    p->n_params = h.n_params;
    p->tokenizer_len = h.tokenizer_len;
    /* every size already fits in buf (check_body), so these mallocs are bounded by len */
    p->config = malloc(h.config_bytes ? h.config_bytes : 1);
    p->params = malloc(h.n_params ? (size_t)h.n_params * sizeof(float) : 1);
    p->tokenizer = malloc(h.tokenizer_len ? (size_t)h.tokenizer_len : 1);
    p->metadata = malloc((size_t)h.metadata_len + 1);
    if (!p->config || !p->params || !p->tokenizer || !p->metadata) PARTS_FAIL("load: out of memory");
    memcpy(p->config, buf + h.config_at, h.config_bytes);
    memcpy(p->tokenizer, tok, (size_t)h.tokenizer_len);
    memcpy(p->metadata, meta, h.metadata_len);
    p->metadata[h.metadata_len] = 0;
    for (uint64_t i = 0; i < h.n_params; i++) {
        uint32_t u = lm_le_get_u32(par + 4 * i);
        memcpy(&p->params[i], &u, sizeof u);
        if (!isfinite(p->params[i]))
            PARTS_FAIL("bad model file: parameter #%llu is not finite", (unsigned long long)i);
    }
    return 0;
}

/* Everything the header says, checked against the file's size before the
 * body is read: bad magic, an unknown kind or sizes the file cannot hold cost
 * one 4 KB read, whatever the file's length. */
typedef struct {
    lm_model *m;            /* lm_load: a gpt model ... */
    char **metadata;
    lm_file_parts *parts;   /* ... or lm_load_parts: any kind's parts */
} load_target;

static int load_mem_into(load_target *t, const uint8_t *buf, size_t len, lm_err *err) {
    return t->parts ? lm_load_parts_mem(t->parts, buf, len, err) : lm_load_mem(t->m, t->metadata, buf, len, err);
}

static int load_file(load_target *t, const char *path, lm_err *err) {
    lm_infile f;
    uint8_t head[HEAD_READ];
    size_t hlen;
    if (read_head(&f, path, head, &hlen, err)) return -1;
    lm_file_header h;
    lm_err inner;
    if (lm_file_check_head(&h, head, hlen, f.size, &inner) != 0) {
        lm_infile_close(&f);
        return lm_fail(err, "%s: %s", path, inner.msg);
    }
    uint8_t *buf = malloc((size_t)f.size);   /* == the size the header implies */
    if (!buf) {
        lm_infile_close(&f);
        return lm_fail(err, "%s: out of memory for %llu bytes", path, (unsigned long long)f.size);
    }
    memcpy(buf, head, hlen);
    int rc = lm_infile_read(&f, buf + hlen, (size_t)f.size - hlen, err);
    lm_infile_close(&f);
    if (rc == 0 && load_mem_into(t, buf, (size_t)f.size, &inner) != 0)
        rc = lm_fail(err, "%s: %s", path, inner.msg);
    free(buf);
    return rc;
}

int lm_load(lm_model *m, char **metadata, const char *path, lm_err *err) {
    if (metadata) *metadata = NULL;
    if (!m) return lm_fail(err, "load: missing model");
    memset(m, 0, sizeof *m);
    if (!path) return lm_fail(err, "load: missing path");
    load_target t = {m, metadata, NULL};
    return load_file(&t, path, err);
}

int lm_load_parts(lm_file_parts *p, const char *path, lm_err *err) {
    if (!p) return lm_fail(err, "load: missing parts");
    memset(p, 0, sizeof *p);
    if (!path) return lm_fail(err, "load: missing path");
    load_target t = {NULL, NULL, p};
    return load_file(&t, path, err);
}

int lm_model_from_parts(lm_model *m, lm_file_parts *p, lm_err *err) {
    if (!m || !p) return lm_fail(err, "load: missing model or parts");
    memset(m, 0, sizeof *m);
    int bidirectional;
    if (transformer_kind(p->kind, &bidirectional) != 0)
        return lm_fail(err, "this is a %s model, not a transformer (gpt or encoder)", p->kind);
    lm_config cfg;
    if (check_gpt(p->config, p->config_bytes, p->n_params, err) != 0 || read_gpt_config(&cfg, p->config, err) != 0)
        return -1;
    if (lm_model_alloc(m, &cfg, err) != 0) return -1;
    memcpy(m->params, p->params, m->n_params * sizeof(float));
    m->adam_t = p->adam_t;
    m->bidirectional = bidirectional;
    if (p->tokenizer_len > 0) {
        m->tokenizer_blob = p->tokenizer;
        m->tokenizer_len = (size_t)p->tokenizer_len;
        p->tokenizer = NULL;
        p->tokenizer_len = 0;
    }
    return 0;
}
