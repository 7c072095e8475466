/* letters.c - letters across token boundaries (see letters.h). */
#include "tok/letters.h"

#include <stdlib.h>
#include <string.h>

/* Decodes the valid UTF-8 character at s (n bytes available) into *cp and
 * returns its length, or 0 if the bytes there are not valid UTF-8. */
static size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *cp) {
    uint8_t c = s[0];
    if (c < 0x80) { *cp = c; return 1; }
    size_t k;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) { k = 2; v = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { k = 3; v = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { k = 4; v = c & 0x07; min = 0x10000; }
    else return 0;
    if (n < k) return 0;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return k;
}

/* Lower case for ASCII, Latin-1 letters and capital sharp s. */
static uint32_t fold(uint32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
    if (c == 0x178) return 0xFF;      /* Y with diaeresis */
    if (c == 0x1E9E) return 0xDF;     /* capital sharp s */
    return c;
}

static int build_text(const lm_tokenizer *t, const int32_t *ids, size_t n, lm_letters *out,
                      lm_err *err) {
    int words = lm_tok_kind_of(t) == LM_TOK_WORD;
    size_t total = 0;
    for (size_t k = 0; k < n; k++) {
        size_t len;
        if (!lm_tok_piece(t, ids[k], &len))
            return lm_fail(err, "letters: id %ld is not in the tokenizer '%s'", (long)ids[k], lm_tok_name(t));
        total += len + (words && k > 0);
    }
    out->text = malloc(total + 1);
    out->tokens = calloc(n ? n : 1, sizeof *out->tokens);
    if (!out->text || !out->tokens) return lm_fail(err, "out of memory");
    size_t at = 0;
    for (size_t k = 0; k < n; k++) {
        size_t len;
        const uint8_t *p = lm_tok_piece(t, ids[k], &len);
        if (words && k > 0) out->text[at++] = ' ';
        memcpy(out->text + at, p, len);
        out->tokens[k] = (lm_letters_token){ .id = ids[k], .off = at, .len = len,
                                             .special = lm_tok_is_special(t, ids[k]) };
        at += len;
    }
    out->text[at] = 0;
    out->text_len = at;
    out->n_tokens = n;
    return 0;
}

int lm_letters_count(const lm_tokenizer *t, const int32_t *ids, size_t n,
                     const uint8_t *letter, size_t letter_len, int flags,
                     lm_letters *out, lm_err *err) {
    if (!out) return lm_fail(err, "letters: no output");
    memset(out, 0, sizeof *out);
    if (!t || (!ids && n)) return lm_fail(err, "letters: no tokenizer or ids");
    uint32_t want = 0;
    if (letter_len > 0) {
        if (!letter || utf8_decode(letter, letter_len, &want) != letter_len)
            return lm_fail(err, "letters: the letter must be exactly one UTF-8 character");
        if (flags & LM_LETTERS_ICASE) want = fold(want);
    }
    out->letter = want;
    if (build_text(t, ids, n, out, err)) { lm_letters_free(out); return -1; }

    size_t cap = 0, ccap = 0, tok = 0;   /* tok: the token holding byte i */
    for (size_t i = 0; i < out->text_len;) {
        while (tok + 1 < n && out->tokens[tok].off + out->tokens[tok].len <= i) tok++;
        if (i < out->tokens[tok].off) { i++; continue; }   /* a word separator */
        uint32_t cp = 0;
        size_t k = utf8_decode(out->text + i, out->text_len - i, &cp);
        int valid = k > 0;
        if (!valid) k = 1;                   /* an invalid byte: a character of its own */
        size_t last = tok;                   /* the token holding the last byte */
        while (last + 1 < n && out->tokens[last].off + out->tokens[last].len <= i + k - 1) last++;
        if (last != tok) {
            out->tokens[tok].cut_end = 1;
            for (size_t q = tok + 1; q <= last; q++) out->tokens[q].cut_start = 1;
        }
        if (flags & LM_LETTERS_ICASE) cp = fold(cp);
        int match = valid && letter_len > 0 && cp == want && !out->tokens[tok].special;
        if (out->n_chars == ccap) {
            ccap = ccap ? 2 * ccap : 64;
            lm_letters_char *c = realloc(out->chars, ccap * sizeof *c);
            if (!c) { lm_letters_free(out); return lm_fail(err, "out of memory"); }
            out->chars = c;
        }
        out->chars[out->n_chars++] = (lm_letters_char){ i, k, tok, match, last != tok };
        out->tokens[tok].n_chars++;
        if (match) {
            if ((size_t)out->total == cap) {
                cap = cap ? 2 * cap : 16;
                lm_letters_match *m = realloc(out->matches, cap * sizeof *m);
                if (!m) { lm_letters_free(out); return lm_fail(err, "out of memory"); }
                out->matches = m;
            }
            out->matches[out->total++] = (lm_letters_match){ i, k, tok, last };
            if (out->tokens[tok].count++ == 0) out->n_tokens_with++;
            if (last != tok) out->n_split++;
        }
        i += k;
    }
    /* each token's characters are a contiguous run of chars[] */
    size_t c = 0;
    for (size_t q = 0; q < n; q++) {
        while (c < out->n_chars && out->chars[c].tok < q) c++;
        out->tokens[q].first_char = c;
    }
    return 0;
}

int lm_letters_analyze(const lm_tokenizer *t, const int32_t *ids, size_t n, const char *letter,
                       int icase, lm_letters *out, lm_err *err) {
    return lm_letters_count(t, ids, n, (const uint8_t *)letter, letter ? strlen(letter) : 0,
                            icase ? LM_LETTERS_ICASE : 0, out, err);
}

int lm_letters_of_text(const lm_tokenizer *t, const uint8_t *text, size_t len,
                       const uint8_t *letter, size_t letter_len, int flags,
                       lm_letters *out, lm_err *err) {
    if (out) memset(out, 0, sizeof *out);
    if (!t || (!text && len)) return lm_fail(err, "letters: no tokenizer or text");
    lm_ids ids = { 0 };
    if (lm_tok_encode(t, text, len, 0, &ids, err)) { lm_ids_free(&ids); return -1; }
    int rc = lm_letters_count(t, ids.ids, ids.n, letter, letter_len, flags, out, err);
    lm_ids_free(&ids);
    return rc;
}

void lm_letters_free(lm_letters *l) {
    if (!l) return;
    free(l->text);
    free(l->tokens);
    free(l->chars);
    free(l->matches);
    memset(l, 0, sizeof *l);
}
