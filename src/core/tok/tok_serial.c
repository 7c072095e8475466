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

lm_tokenizer *lm_tok_deserialize(const uint8_t *blob, size_t len, lm_err *err) {
    if (!blob || len < 6 + 2 + 4 + 4 || memcmp(blob, BLOB_MAGIC, 6) != 0) {
        lm_fail(err, "tokenizer blob: bad magic (not a tokenizer)");
        return NULL;
    }
    unsigned version = blob[6] | (unsigned)blob[7] << 8;
    if (version != BLOB_VERSION) {
        lm_fail(err, "tokenizer blob: version %u (this build reads %u)", version, BLOB_VERSION);
        return NULL;
    }
    uint32_t crc = (uint32_t)blob[len - 4] | (uint32_t)blob[len - 3] << 8 |
                   (uint32_t)blob[len - 2] << 16 | (uint32_t)blob[len - 1] << 24;
    if (lm_crc32(0, blob, len - 4) != crc) { lm_fail(err, "tokenizer blob: checksum mismatch"); return NULL; }
    rbuf r = {blob, len - 4, 8};
    uint32_t kind, n, ns, plen_raw;
    const uint8_t *name, *pat = NULL, *s;
    size_t name_n, pat_n = 0, sn;
    lm_tokenizer *t = NULL;
    const uint8_t **pieces = NULL;
    size_t *lens = NULL;
    char **stext = NULL;
    int32_t *sids = NULL;
    char namebuf[64], *patbuf = NULL;
    if (r_u32(&r, &kind) || kind > LM_TOK_BPE) goto bad;
    if (r_str(&r, &name, &name_n) || name_n >= sizeof namebuf || memchr(name, 0, name_n)) goto bad;
    memcpy(namebuf, name, name_n);
    namebuf[name_n] = 0;
    if (r.n - r.at < 4) goto bad;
    memcpy(&plen_raw, r.p + r.at, 4);   /* peek: NO_PATTERN is the same in any byte order */
    if (plen_raw == NO_PATTERN) r.at += 4;
    else if (r_str(&r, &pat, &pat_n) || memchr(pat, 0, pat_n)) goto bad;
    if (r_u32(&r, &n) || n > (r.n - r.at) / 4) goto bad;   /* each piece takes >= 4 bytes */
    pieces = malloc(((size_t)n + 1) * sizeof *pieces);
    lens = malloc(((size_t)n + 1) * sizeof *lens);
    if (!pieces || !lens) goto oom;
    for (uint32_t i = 0; i < n; i++)
        if (r_str(&r, &pieces[i], &lens[i])) goto bad;
    if (r_u32(&r, &ns) || ns > (r.n - r.at) / 8) goto bad;
    stext = calloc((size_t)ns + 1, sizeof *stext);
    sids = malloc(((size_t)ns + 1) * sizeof *sids);
    if (!stext || !sids) goto oom;
    for (uint32_t i = 0; i < ns; i++) {
        uint32_t id;
        if (r_str(&r, &s, &sn) || memchr(s, 0, sn) || r_u32(&r, &id) || id > INT32_MAX) goto bad;
        stext[i] = malloc(sn + 1);
        if (!stext[i]) goto oom;
        memcpy(stext[i], s, sn);
        stext[i][sn] = 0;
        sids[i] = (int32_t)id;
    }
    if (r.at != r.n) goto bad;
    if (pat) {
        patbuf = malloc(pat_n + 1);
        if (!patbuf) goto oom;
        memcpy(patbuf, pat, pat_n);
        patbuf[pat_n] = 0;
    }
    if (kind == LM_TOK_BYTE) {
        if (n != 256 || ns != 0) goto bad;
        for (uint32_t i = 0; i < 256; i++)
            if (lens[i] != 1 || pieces[i][0] != i) goto bad;
        t = lm_tok_byte_new();
        if (!t) goto oom;
    } else if (kind == LM_TOK_WORD) {
        if (ns != 0 || n > (1u << 28)) goto bad;
        char **words = calloc((size_t)n + 1, sizeof *words);
        int ok = words != NULL;
        for (uint32_t i = 0; ok && i < n; i++) {
            if (memchr(pieces[i], 0, lens[i])) { ok = 0; break; }
            words[i] = malloc(lens[i] + 1);
            if (!words[i]) { ok = 0; break; }
            memcpy(words[i], pieces[i], lens[i]);
            words[i][lens[i]] = 0;
        }
        if (ok) t = lm_tok_word_new((const char *const *)words, (int)n, err);
        for (uint32_t i = 0; words && i < n; i++) free(words[i]);
        free(words);
        if (!ok) { lm_fail(err, "tokenizer blob: bad word list"); goto fail; }
        if (!t) goto fail;
    } else {
        if (n > (1u << 28)) goto bad;
        t = lm_tok_bpe_new(namebuf, pieces, lens, (int)n, patbuf, (const char *const *)stext, sids,
                           (int)ns, err);
        if (!t) goto fail;
    }
    snprintf(t->name, sizeof t->name, "%s", namebuf);
    goto done;
bad:
    lm_fail(err, "tokenizer blob: malformed (at byte %zu of %zu)", r.at, len);
    goto fail;
oom:
    lm_fail(err, "tokenizer blob: out of memory");
fail:
    lm_tok_free(t);
    t = NULL;
done:
    if (stext)
        for (uint32_t i = 0; i < ns; i++) free(stext[i]);
    free(stext); free(sids); free(pieces); free(lens); free(patbuf);
    return t;
}
