/* tok_serial.c - any tokenizer to a self-contained blob and back
 * (lm_tok_serialize / lm_tok_deserialize; the format is in tokenizer.h).
 * The trailing checksum is lm_crc32 (modelfile.h), the one CRC in the tree. */
#include "tok/tok_internal.h"
#include "io/modelfile.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOB_MAGIC "LMTOK\0"
#define BLOB_VERSION 1u
#define NO_PATTERN 0xFFFFFFFFu

typedef struct { uint8_t *p; size_t n, cap; int oom; } wbuf;

static void w_bytes(wbuf *w, const void *src, size_t n) {
    if (w->oom) return;
    if (w->n + n > w->cap) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap < w->n + n) cap *= 2;
        uint8_t *p = realloc(w->p, cap);
        if (!p) { w->oom = 1; return; }
        w->p = p;
        w->cap = cap;
    }
    if (n) memcpy(w->p + w->n, src, n);
    w->n += n;
}
static void w_u32(wbuf *w, uint32_t v) {
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    w_bytes(w, b, 4);
}
static void w_str(wbuf *w, const void *s, size_t n) { w_u32(w, (uint32_t)n); w_bytes(w, s, n); }

int lm_tok_serialize(const lm_tokenizer *t, uint8_t **blob, size_t *len, lm_err *err) {
    wbuf w = {0};
    uint8_t ver[2] = {BLOB_VERSION & 0xFF, BLOB_VERSION >> 8};
    w_bytes(&w, BLOB_MAGIC, 6);
    w_bytes(&w, ver, 2);
    w_u32(&w, (uint32_t)t->kind);
    w_str(&w, t->name, strlen(t->name));
    const char *pat = lm_tok_pattern(t);
    if (pat) w_str(&w, pat, strlen(pat));
    else w_u32(&w, NO_PATTERN);
    w_u32(&w, (uint32_t)t->n_pieces);
    for (int i = 0; i < t->n_pieces; i++) w_str(&w, t->arena + t->tok_off[i], t->tok_len[i]);
    w_u32(&w, (uint32_t)t->n_specials);
    for (int i = 0; i < t->n_specials; i++) {
        w_str(&w, t->specials[i].text, t->specials[i].len);
        w_u32(&w, (uint32_t)t->specials[i].id);
    }
    if (!w.oom) w_u32(&w, lm_crc32(0, w.p, w.n));
    if (w.oom) { free(w.p); return lm_fail(err, "tokenizer: out of memory"); }
    *blob = w.p;
    *len = w.n;
    return 0;
}

typedef struct { const uint8_t *p; size_t n, at; } rbuf;

static int r_u32(rbuf *r, uint32_t *v) {
    if (r->n - r->at < 4) return -1;
    const uint8_t *b = r->p + r->at;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    r->at += 4;
    return 0;
}
static int r_str(rbuf *r, const uint8_t **s, size_t *n) {
    uint32_t l;
    if (r_u32(r, &l) || r->n - r->at < l) return -1;
    *s = r->p + r->at;
    *n = l;
    r->at += l;
    return 0;
}

/* magic, version and the trailing checksum; 0 ok, -1 failed (err set) */
static int check_header(const uint8_t *blob, size_t len, lm_err *err) {
    if (!blob || len < 6 + 2 + 4 + 4 || memcmp(blob, BLOB_MAGIC, 6) != 0)
        return lm_fail(err, "tokenizer blob: bad magic (not a tokenizer)");
    unsigned version = blob[6] | (unsigned)blob[7] << 8;
    if (version != BLOB_VERSION)
        return lm_fail(err, "tokenizer blob: version %u (this build reads %u)", version, BLOB_VERSION);
    uint32_t crc = (uint32_t)blob[len - 4] | (uint32_t)blob[len - 3] << 8 |
                   (uint32_t)blob[len - 2] << 16 | (uint32_t)blob[len - 1] << 24;
    if (lm_crc32(0, blob, len - 4) != crc) return lm_fail(err, "tokenizer blob: checksum mismatch");
    return 0;
}

/* the blob's fields: pieces point into the blob, strings are copies */
typedef struct {
    uint32_t kind, n, ns;
    char name[64];
    char *pattern;            /* NUL-terminated, NULL: none */
    const uint8_t **pieces;   /* [n] */
    size_t *lens;             /* [n] */
    char **stext;             /* [ns] special tokens, NUL-terminated */
    int32_t *sids;            /* [ns] their ids */
} blob_fields;

/* how reading or building went: OK, a malformed blob, out of memory, or
 * failed with err already set */
enum { BLOB_OK = 0, BLOB_BAD = -1, BLOB_OOM = -2, BLOB_FAILED = -3 };

static void fields_free(blob_fields *f) {
    if (f->stext)
        for (uint32_t i = 0; i < f->ns; i++) free(f->stext[i]);
    free(f->stext); free(f->sids); free(f->pieces); free(f->lens); free(f->pattern);
}

/* the body after the header, in file order; r->at stops where it went wrong */
static int read_fields(rbuf *r, blob_fields *f) {
    const uint8_t *name, *pat = NULL, *s;
    size_t name_n, pat_n = 0, sn;
    uint32_t plen_raw;
    if (r_u32(r, &f->kind) || f->kind > LM_TOK_BPE) return BLOB_BAD;
    if (r_str(r, &name, &name_n) || name_n >= sizeof f->name || memchr(name, 0, name_n)) return BLOB_BAD;
    memcpy(f->name, name, name_n);
    f->name[name_n] = 0;
    if (r->n - r->at < 4) return BLOB_BAD;
    memcpy(&plen_raw, r->p + r->at, 4);   /* peek: NO_PATTERN is the same in any byte order */
    if (plen_raw == NO_PATTERN) r->at += 4;
    else if (r_str(r, &pat, &pat_n) || memchr(pat, 0, pat_n)) return BLOB_BAD;
    if (r_u32(r, &f->n) || f->n > (r->n - r->at) / 4) return BLOB_BAD;   /* each piece takes >= 4 bytes */
    f->pieces = malloc(((size_t)f->n + 1) * sizeof *f->pieces);
    f->lens = malloc(((size_t)f->n + 1) * sizeof *f->lens);
    if (!f->pieces || !f->lens) return BLOB_OOM;
    for (uint32_t i = 0; i < f->n; i++)
        if (r_str(r, &f->pieces[i], &f->lens[i])) return BLOB_BAD;
    if (r_u32(r, &f->ns) || f->ns > (r->n - r->at) / 8) { f->ns = 0; return BLOB_BAD; }
    f->stext = calloc((size_t)f->ns + 1, sizeof *f->stext);
    f->sids = malloc(((size_t)f->ns + 1) * sizeof *f->sids);
    if (!f->stext || !f->sids) return BLOB_OOM;
    for (uint32_t i = 0; i < f->ns; i++) {
        uint32_t id;
        if (r_str(r, &s, &sn) || memchr(s, 0, sn) || r_u32(r, &id) || id > INT32_MAX) return BLOB_BAD;
        f->stext[i] = malloc(sn + 1);
        if (!f->stext[i]) return BLOB_OOM;
        memcpy(f->stext[i], s, sn);
        f->stext[i][sn] = 0;
        f->sids[i] = (int32_t)id;
    }
    if (r->at != r->n) return BLOB_BAD;
    if (pat) {
        f->pattern = malloc(pat_n + 1);
        if (!f->pattern) return BLOB_OOM;
        memcpy(f->pattern, pat, pat_n);
        f->pattern[pat_n] = 0;
    }
    return BLOB_OK;
}

/* a word-level tokeniser from the pieces (its words, no NUL inside) */
static int word_tokenizer(const blob_fields *f, lm_tokenizer **out, lm_err *err) {
    if (f->ns != 0 || f->n > (1u << 28)) return BLOB_BAD;
    char **words = calloc((size_t)f->n + 1, sizeof *words);
    int ok = words != NULL;
    for (uint32_t i = 0; ok && i < f->n; i++) {
        if (memchr(f->pieces[i], 0, f->lens[i])) { ok = 0; break; }
        words[i] = malloc(f->lens[i] + 1);
        if (!words[i]) { ok = 0; break; }
        memcpy(words[i], f->pieces[i], f->lens[i]);
        words[i][f->lens[i]] = 0;
    }
    if (ok) *out = lm_tok_word_new((const char *const *)words, (int)f->n, err);
    for (uint32_t i = 0; words && i < f->n; i++) free(words[i]);
    free(words);
    if (!ok) { lm_fail(err, "tokenizer blob: bad word list"); return BLOB_FAILED; }
    return *out ? BLOB_OK : BLOB_FAILED;
}

/* the tokeniser of f's kind; *out stays NULL unless BLOB_OK */
static int make_tokenizer(const blob_fields *f, lm_tokenizer **out, lm_err *err) {
    if (f->kind == LM_TOK_BYTE) {
        if (f->n != 256 || f->ns != 0) return BLOB_BAD;
        for (uint32_t i = 0; i < 256; i++)
            if (f->lens[i] != 1 || f->pieces[i][0] != i) return BLOB_BAD;
        *out = lm_tok_byte_new();
        return *out ? BLOB_OK : BLOB_OOM;
    }
    if (f->kind == LM_TOK_WORD) return word_tokenizer(f, out, err);
    if (f->n > (1u << 28)) return BLOB_BAD;
    *out = lm_tok_bpe_new(f->name, f->pieces, f->lens, (int)f->n, f->pattern, (const char *const *)f->stext,
                          f->sids, (int)f->ns, err);
    return *out ? BLOB_OK : BLOB_FAILED;
}

lm_tokenizer *lm_tok_deserialize(const uint8_t *blob, size_t len, lm_err *err) {
    if (check_header(blob, len, err)) return NULL;
    rbuf r = {blob, len - 4, 8};
    blob_fields f = {0};
    lm_tokenizer *t = NULL;
    int st = read_fields(&r, &f);
    if (st == BLOB_OK) st = make_tokenizer(&f, &t, err);
    if (st == BLOB_OK) snprintf(t->name, sizeof t->name, "%s", f.name);
    else if (st == BLOB_BAD) lm_fail(err, "tokenizer blob: malformed (at byte %zu of %zu)", r.at, len);
    else if (st == BLOB_OOM) lm_fail(err, "tokenizer blob: out of memory");
    fields_free(&f);
    return t;
}
