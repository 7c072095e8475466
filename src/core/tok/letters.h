/* letters.h - which letters fall in which token ("how many r in strawberry").
 *
 * A model sees token ids, not letters. This lays the tokens of a text side by
 * side as byte spans of the decoded text and counts one letter across them:
 * the total, how many occurrences start inside each token, and which
 * occurrences a token boundary cuts through. Pure data for the CLI and the
 * UI; nothing here prints.
 *
 * Contract
 * - The decoded text is the concatenation of lm_tok_piece for every id (for a
 *   word tokenizer, joined by single spaces as lm_tok_decode does). Token k
 *   covers text[off .. off + len).
 * - The letter is exactly one UTF-8 character (1..4 bytes). The text is read
 *   character by character; bytes that are not valid UTF-8 never match.
 * - LM_LETTERS_ICASE folds case for ASCII, Latin-1 letters (e with acute
 *   matches E with acute) and sharp s (U+00DF / U+1E9E).
 * - An occurrence belongs to the token holding its first byte. When a token
 *   boundary falls inside a multi-byte character (byte-level BPE may cut "é"
 *   into two tokens), the character still counts once, in the token where it
 *   starts; the match is flagged split and the tokens involved are flagged
 *   (cut_end on the first, cut_start on the ones after) whether or not the
 *   character is the letter asked for.
 * - Special tokens (chat markers) get spans but their text is never counted.
 * - letter_len == 0 gives the spans and cut flags only (total 0).
 */
#ifndef LM_LETTERS_H
#define LM_LETTERS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "tok/tokenizer.h"

#define LM_LETTERS_ICASE 1

typedef struct {
    int32_t id;
    size_t off, len;     /* the token's bytes in the decoded text */
    int count;           /* occurrences of the letter that start in this token */
    int cut_start;       /* begins inside a character started by an earlier token */
    int cut_end;         /* ends inside a character that a later token finishes */
    int special;         /* a special token: not counted */
    size_t first_char;   /* its characters: chars[first_char .. first_char + n_chars) */
    size_t n_chars;      /* characters that start in this token */
} lm_letters_token;

/* One character of the text: a valid UTF-8 sequence, or a single byte that is
 * not valid UTF-8. It belongs to the token holding its first byte. */
typedef struct {
    size_t off, len;     /* its bytes in the text */
    size_t tok;          /* the token it starts in */
    int match;           /* it is the letter asked for */
    int split;           /* its bytes run on into the next token(s) */
} lm_letters_char;

typedef struct {
    size_t off, len;               /* the occurrence's bytes in the text */
    size_t tok_first, tok_last;    /* tokens holding its first and last byte */
} lm_letters_match;

typedef struct {
    uint8_t *text;                 /* decoded text (NUL-terminated for convenience) */
    size_t text_len;
    lm_letters_token *tokens;      /* [n_tokens] */
    size_t n_tokens;
    lm_letters_char *chars;        /* [n_chars], in text order */
    size_t n_chars;
    lm_letters_match *matches;     /* [total], in text order */
    int total;                     /* occurrences of the letter */
    int n_split;                   /* occurrences cut by a token boundary */
    int n_tokens_with;             /* tokens holding at least one occurrence */
    uint32_t letter;               /* the code point asked for, 0 if none */
} lm_letters;

/* Spans and counts for ids[0..n) under tokenizer t. Fails (-1) on an id the
 * tokenizer does not know or a letter that is not one UTF-8 character. */
int lm_letters_count(const lm_tokenizer *t, const int32_t *ids, size_t n,
                     const uint8_t *letter, size_t letter_len, int flags,
                     lm_letters *out, lm_err *err);

/* The same after encoding text (special markers are plain text). */
int lm_letters_of_text(const lm_tokenizer *t, const uint8_t *text, size_t len,
                       const uint8_t *letter, size_t letter_len, int flags,
                       lm_letters *out, lm_err *err);

/* What the CLI calls: letter is a NUL-terminated UTF-8 character, or NULL
 * for spans and characters only; icase nonzero = LM_LETTERS_ICASE. */
int lm_letters_analyze(const lm_tokenizer *t, const int32_t *ids, size_t n, const char *letter,
                       int icase, lm_letters *out, lm_err *err);

void lm_letters_free(lm_letters *l);

#endif
