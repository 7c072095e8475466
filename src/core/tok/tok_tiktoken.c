/* tok_tiktoken.c - OpenAI's .tiktoken files and encodings (see tokenizer.h).
 *
 * A .tiktoken file is one line per token, "BASE64 RANK\n", ranks 0, 1, 2, ...
 * in order. The pattern and special tokens are not in the file: they belong
 * to the encoding (tiktoken_ext/openai_public.py), listed below.
 */
#include "tok/tok_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 1024             /* the longest line accepted */

typedef struct {
    const char *name;
    const char *pattern;
    const char *specials[6];
    int32_t ids[6];
    int n_specials;
} encoding_def;

static const encoding_def ENCODINGS[] = {
    {"r50k_base", LM_PAT_R50K, {"<|endoftext|>"}, {50256}, 1},
    {"gpt2", LM_PAT_R50K, {"<|endoftext|>"}, {50256}, 1},
    {"p50k_base", LM_PAT_R50K, {"<|endoftext|>"}, {50256}, 1},
    {"cl100k_base", LM_PAT_CL100K,
     {"<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>"},
     {100257, 100258, 100259, 100260, 100276}, 5},
    {"o200k_base", LM_PAT_O200K, {"<|endoftext|>", "<|endofprompt|>"}, {199999, 200018}, 2},
};
#define N_ENCODINGS (int)(sizeof ENCODINGS / sizeof ENCODINGS[0])

static const encoding_def *find_encoding(const char *name, int prefix) {
    for (int i = 0; i < N_ENCODINGS; i++) {
        size_t n = strlen(ENCODINGS[i].name);
        if (prefix ? strncmp(name, ENCODINGS[i].name, n) == 0 : strcmp(name, ENCODINGS[i].name) == 0)
            return &ENCODINGS[i];
    }
    return NULL;
}

static int b64_value(uint8_t c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* strict standard base64 with padding; returns decoded length or -1 */
static long b64_decode(const uint8_t *s, size_t n, uint8_t *dst) {
    if (n == 0 || n % 4) return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int pad = 0, v[4];
        for (int k = 0; k < 4; k++) {
            if (s[i + k] == '=') {
                if (i + 4 != n || k < 2) return -1;
                pad++;
                v[k] = 0;
            } else {
                if (pad) return -1;   /* data after padding */
                v[k] = b64_value(s[i + k]);
                if (v[k] < 0) return -1;
            }
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        dst[o++] = (uint8_t)(w >> 16);
        if (pad < 2) dst[o++] = (uint8_t)(w >> 8);
        if (pad < 1) dst[o++] = (uint8_t)w;
        /* the unused bits of a padded group must be zero (canonical form) */
        if ((pad == 1 && (w & 0xFF)) || (pad == 2 && (w & 0xFFFF))) return -1;
    }
    return (long)o;
}

lm_tokenizer *lm_tok_tiktoken_parse(const uint8_t *buf, size_t len, const char *encoding,
                                    lm_err *err) {
    const encoding_def *enc = NULL;
    if (encoding) {
        enc = find_encoding(encoding, 0);
        if (!enc) {
            lm_fail(err, "tiktoken: unknown encoding '%s' (r50k_base, gpt2, p50k_base, cl100k_base, o200k_base)",
                    encoding);
            return NULL;
        }
    }
    if (len == 0) { lm_fail(err, "tiktoken: empty file"); return NULL; }
    size_t n_lines = 0;
    for (size_t i = 0; i < len; i++) n_lines += buf[i] == '\n';
    if (buf[len - 1] != '\n') n_lines++;           /* a last line without newline */
    if (n_lines > (1u << 24)) { lm_fail(err, "tiktoken: too many lines"); return NULL; }

    uint8_t *bytes = malloc(len);                  /* decoded tokens, back to back */
    const uint8_t **pieces = malloc(n_lines * sizeof *pieces);
    size_t *lens = malloc(n_lines * sizeof *lens);
    size_t *offs = malloc(n_lines * sizeof *offs);
    lm_tokenizer *t = NULL;
    if (!bytes || !pieces || !lens || !offs) { lm_fail(err, "tiktoken: out of memory"); goto done; }

    size_t pos = 0, used = 0, line = 0;
    while (pos < len) {
        const uint8_t *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len, ll = end - pos;
        const uint8_t *s = buf + pos;
        line++;
        if (ll > MAX_LINE) { lm_fail(err, "tiktoken: line %zu is too long (%zu bytes, at most %d)", line, ll, MAX_LINE); goto done; }
        if (ll == 0) { lm_fail(err, "tiktoken: line %zu is empty", line); goto done; }
        const uint8_t *sp = memchr(s, ' ', ll);
        if (!sp) { lm_fail(err, "tiktoken: line %zu has no space between token and rank", line); goto done; }
        size_t bl = (size_t)(sp - s), rl = ll - bl - 1;
        long dl = b64_decode(s, bl, bytes + used);
        if (dl <= 0) { lm_fail(err, "tiktoken: line %zu: bad base64 token", line); goto done; }
        if (rl == 0 || rl > 9) { lm_fail(err, "tiktoken: line %zu: bad rank", line); goto done; }
        long rank = 0;
        for (size_t k = 0; k < rl; k++) {
            uint8_t c = sp[1 + k];
            if (c < '0' || c > '9') { lm_fail(err, "tiktoken: line %zu: bad rank (not a decimal number)", line); goto done; }
            rank = rank * 10 + (c - '0');
        }
        size_t want = line - 1;
        if ((size_t)rank < want) { lm_fail(err, "tiktoken: line %zu: duplicate or out-of-order rank %ld (expected %zu)", line, rank, want); goto done; }
        if ((size_t)rank > want) { lm_fail(err, "tiktoken: line %zu: rank %zu is missing (found %ld)", line, want, rank); goto done; }
        offs[want] = used;
        lens[want] = (size_t)dl;
        used += (size_t)dl;
        pos = nl ? end + 1 : len;
    }
    for (size_t i = 0; i < line; i++) pieces[i] = bytes + offs[i];

    const char *pattern = enc ? enc->pattern : LM_PAT_O200K;
    t = lm_tok_bpe_new(enc ? enc->name : "tiktoken", pieces, lens, (int)line, pattern,
                       enc ? enc->specials : NULL, enc ? enc->ids : NULL, enc ? enc->n_specials : 0, err);
    if (!t) {
        char msg[sizeof err->msg];
        if (err) {
            snprintf(msg, sizeof msg, "tiktoken: %.480s", err->msg);
            memcpy(err->msg, msg, sizeof msg);
        }
    }
done:
    free(bytes); free(pieces); free(lens); free(offs);
    return t;
}

lm_tokenizer *lm_tok_tiktoken_load(const char *path, const char *encoding, lm_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) { lm_fail(err, "cannot open %s: %s", path, strerror(errno)); return NULL; }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 1 << 20;
            uint8_t *b = realloc(buf, cap);
            if (!b) { free(buf); fclose(f); lm_fail(err, "%s: out of memory", path); return NULL; }
            buf = b;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (r == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(buf); lm_fail(err, "cannot read %s", path); return NULL; }
    if (!encoding) {   /* choose by the file's name */
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        const encoding_def *e = find_encoding(base, 1);
        encoding = e ? e->name : NULL;
    }
    lm_tokenizer *t = lm_tok_tiktoken_parse(buf, len, encoding, err);
    free(buf);
    if (!t && err) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%.200s: %.300s", path, err->msg);
        memcpy(err->msg, msg, sizeof msg);
    }
    return t;
}
