/* tok_tiktoken.c - OpenAI's .tiktoken files and encodings (see tokenizer.h).
 *
 * A .tiktoken file is one line per token, "BASE64 RANK\n", ranks 0, 1, 2, ...
 * in order. The pattern and special tokens are not in the file: they belong
 * to the encoding (tiktoken_ext/openai_public.py), listed below.
 */
#include "tok/tok_internal.h"

#include "base/infile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 1024             /* the longest line accepted */
#define HEAD_BYTES 4096           /* read and checked first */

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

/* One line "BASE64 RANK" (its '\n' and a '\r' before it removed) that must
 * carry rank `want`; the token's bytes go to dst, their count to *dl. */
static int parse_line(const uint8_t *s, size_t ll, size_t want, uint8_t *dst, long *dl, lm_err *err) {
    size_t line = want + 1;
    if (ll > MAX_LINE) return lm_fail(err, "line %zu is too long (%zu bytes, at most %d)", line, ll, MAX_LINE);
    if (ll == 0) return lm_fail(err, "line %zu is empty", line);
    const uint8_t *sp = memchr(s, ' ', ll);
    if (!sp) return lm_fail(err, "line %zu has no space between token and rank", line);
    size_t bl = (size_t)(sp - s), rl = ll - bl - 1;
    *dl = b64_decode(s, bl, dst);
    if (*dl <= 0) return lm_fail(err, "line %zu: bad base64 token", line);
    if (rl == 0 || rl > 9) return lm_fail(err, "line %zu: bad rank (%s)", line, rl ? "too long" : "missing");
    size_t rank = 0;
    for (size_t k = 0; k < rl; k++) {
        uint8_t c = sp[1 + k];
        if (c == '\r') return lm_fail(err, "line %zu: a carriage return inside the line", line);
        if (c < '0' || c > '9') return lm_fail(err, "line %zu: bad rank (not a decimal number)", line);
        rank = rank * 10 + (size_t)(c - '0');
    }
    if (rank < want)
        return lm_fail(err, "line %zu: duplicate or out-of-order rank %zu (expected %zu)", line, rank, want);
    if (rank > want) return lm_fail(err, "line %zu: rank %zu is missing (found %zu)", line, want, rank);
    return 0;
}

/* The line at buf[pos..): its length without "\n" or "\r\n", and where the
 * next line starts. */
static size_t line_at(const uint8_t *buf, size_t len, size_t pos, size_t *next) {
    const uint8_t *nl = memchr(buf + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - buf) : len;
    *next = nl ? end + 1 : len;
    if (nl && end > pos && buf[end - 1] == '\r') end--;   /* CRLF line endings are accepted */
    return end - pos;
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
    if (len == 0) { lm_fail(err, "empty file"); return NULL; }
    size_t n_lines = 0;
    for (size_t i = 0; i < len; i++) n_lines += buf[i] == '\n';
    if (buf[len - 1] != '\n') n_lines++;           /* a last line without newline */
    if (n_lines > (1u << 24)) { lm_fail(err, "too many lines (%zu, at most %u)", n_lines, 1u << 24); return NULL; }

    uint8_t *bytes = malloc(len);                  /* decoded tokens, back to back */
    const uint8_t **pieces = malloc(n_lines * sizeof *pieces);
    size_t *lens = malloc(n_lines * sizeof *lens);
    size_t *offs = malloc(n_lines * sizeof *offs);
    lm_tokenizer *t = NULL;
    if (!bytes || !pieces || !lens || !offs) { lm_fail(err, "out of memory"); goto done; }

    size_t pos = 0, used = 0, line = 0;
    while (pos < len) {
        size_t next, ll = line_at(buf, len, pos, &next);
        long dl;
        if (parse_line(buf + pos, ll, line, bytes + used, &dl, err)) goto done;
        offs[line] = used;
        lens[line] = (size_t)dl;
        used += (size_t)dl;
        line++;
        pos = next;
    }
    for (size_t i = 0; i < line; i++) pieces[i] = bytes + offs[i];

    const char *pattern = enc ? enc->pattern : LM_PAT_O200K;
    t = lm_tok_bpe_new(enc ? enc->name : "tiktoken", pieces, lens, (int)line, pattern,
                       enc ? enc->specials : NULL, enc ? enc->ids : NULL, enc ? enc->n_specials : 0, err);
done:
    free(bytes); free(pieces); free(lens); free(offs);
    return t;
}

/* The first line of the file's first bytes, checked before the rest is read:
 * a file that is not a .tiktoken costs one small read. */
static int check_first_line(const uint8_t *head, size_t n, int whole, lm_err *err) {
    if (!whole && !memchr(head, '\n', n))
        return lm_fail(err, "line 1 is longer than %d bytes (not a .tiktoken file?)", MAX_LINE);
    size_t next, ll = line_at(head, n, 0, &next);
    uint8_t tok[MAX_LINE];
    long dl;
    return parse_line(head, ll, 0, tok, &dl, err);
}

lm_tokenizer *lm_tok_tiktoken_load(const char *path, const char *encoding, lm_err *err) {
    lm_infile f;
    if (lm_infile_open(&f, path, "tiktoken", LM_TIKTOKEN_MAX_BYTES, err)) return NULL;
    uint8_t *buf = malloc(f.size ? (size_t)f.size : 1);
    lm_err inner = {{0}};
    int rc = buf ? 0 : lm_fail(&inner, "out of memory");
    size_t head = f.size < HEAD_BYTES ? (size_t)f.size : HEAD_BYTES;
    if (!rc && lm_infile_read(&f, buf, head, err)) rc = 1;
    if (!rc && f.size) rc = check_first_line(buf, head, head == f.size, &inner);
    if (!rc && lm_infile_read(&f, buf + head, (size_t)f.size - head, err)) rc = 1;
    lm_infile_close(&f);
    if (!encoding) {   /* choose by the file's name */
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        const encoding_def *e = find_encoding(base, 1);
        encoding = e ? e->name : NULL;
    }
    lm_tokenizer *t = NULL;
    if (!rc) t = lm_tok_tiktoken_parse(buf, (size_t)f.size, encoding, &inner);
    free(buf);
    if (!t && rc != 1) lm_fail(err, "%s: %s", path, inner.msg);   /* rc 1: err says it, path included */
    return t;
}
