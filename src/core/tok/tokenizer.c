/* tokenizer.c - the tokenizer dispatcher: id lists, the byte tokenizer, the
 * shared decode table and byte-string map, special-token splitting, and
 * lm_tok_open (see tokenizer.h). Serialisation lives in tok_serial.c. */
#include "tok/tok_internal.h"

#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- id lists ---- */

int lm_ids_reserve(lm_ids *v, size_t extra) {
    if (v->n + extra <= v->cap) return 0;
    size_t cap = v->cap ? v->cap : 64;
    while (cap < v->n + extra) cap *= 2;
    int32_t *p = realloc(v->ids, cap * sizeof *p);
    if (!p) return -1;
    v->ids = p;
    v->cap = cap;
    return 0;
}

int lm_ids_push(lm_ids *v, int32_t id) {
    if (v->n == v->cap && lm_ids_reserve(v, 1)) return -1;
    v->ids[v->n++] = id;
    return 0;
}

void lm_ids_free(lm_ids *v) {
    if (!v) return;
    free(v->ids);
    v->ids = NULL;
    v->n = v->cap = 0;
}

/* ---- byte-string map ---- */

uint32_t lm_tok_hash(const uint8_t *p, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xFF51AFD7ED558CCDull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 29;
        p += 8; n -= 8;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, p, n);
        h = (h ^ w) * 0x94D049BB133111EBull;
    }
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ull;
    h ^= h >> 32;
    return (uint32_t)h;
}

int32_t lm_tok_map_get(const lm_tokenizer *t, const uint8_t *p, size_t n) {
    const lm_tok_map *m = &t->map;
    if (!m->cap) return -1;
    uint32_t h = lm_tok_hash(p, n);
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t id1 = m->slot_id[i];
        if (!id1) return -1;
        if (m->slot_hash[i] == h) {
            int32_t id = (int32_t)(id1 - 1);
            if (t->tok_len[id] == n && memcmp(t->arena + t->tok_off[id], p, n) == 0) return id;
        }
    }
}

/* inserts ordinary token id (its bytes already in the arena); -1 if a duplicate */
static int map_put(lm_tokenizer *t, int32_t id) {
    lm_tok_map *m = &t->map;
    const uint8_t *p = t->arena + t->tok_off[id];
    size_t n = t->tok_len[id];
    uint32_t h = lm_tok_hash(p, n);
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t id1 = m->slot_id[i];
        if (!id1) {
            m->slot_id[i] = (uint32_t)id + 1;
            m->slot_hash[i] = h;
            m->n++;
            return 0;
        }
        if (m->slot_hash[i] == h) {
            int32_t o = (int32_t)(id1 - 1);
            if (t->tok_len[o] == n && memcmp(t->arena + t->tok_off[o], p, n) == 0) return -1;
        }
    }
}

static int arena_add(lm_tokenizer *t, const uint8_t *p, size_t n, uint64_t *off) {
    if (t->arena_len + n > t->arena_cap) {
        size_t cap = t->arena_cap ? t->arena_cap : 4096;
        while (cap < t->arena_len + n) cap *= 2;
        uint8_t *a = realloc(t->arena, cap);
        if (!a) return -1;
        t->arena = a;
        t->arena_cap = cap;
    }
    if (n) memcpy(t->arena + t->arena_len, p, n);
    *off = t->arena_len;
    t->arena_len += n;
    return 0;
}

static int cmp_special(const void *a, const void *b) {
    const lm_tok_special *x = a, *y = b;
    if (x->len != y->len) return x->len > y->len ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The vocabulary size that n pieces and the specials need (1 + the largest
 * id), or -1 when a size or a special id is wrong (err set). */
static int64_t build_vocab_size(int n, const size_t *special_lens, const int32_t *special_ids,
                                int n_specials, lm_err *err) {
    if (n < 0 || n_specials < 0 || n > (1 << 28) || n_specials > (1 << 20))
        return lm_fail(err, "tokenizer: bad sizes (%d tokens, %d specials)", n, n_specials);
    int64_t vocab = n;
    for (int i = 0; i < n_specials; i++) {
        if (special_ids[i] < 0 || special_ids[i] >= (1 << 28))
            return lm_fail(err, "tokenizer: special token id %d out of range", special_ids[i]);
        if (special_ids[i] < n)
            return lm_fail(err, "tokenizer: special token id %d collides with an ordinary token", special_ids[i]);
        if (special_lens[i] == 0) return lm_fail(err, "tokenizer: empty special token (id %d)", special_ids[i]);
        if (special_ids[i] + 1 > vocab) vocab = special_ids[i] + 1;
    }
    return vocab;
}

/* empty tables for vocab ids: offsets, lengths (all LM_TOK_NO_PIECE), the
 * bytes-to-id map sized for n pieces, an arena for total bytes; 0 or -1 (out of memory) */
static int build_tables(lm_tokenizer *t, int64_t vocab, int n, size_t total) {
    t->tok_off = calloc((size_t)vocab + 1, sizeof *t->tok_off);
    t->tok_len = malloc(((size_t)vocab + 1) * sizeof *t->tok_len);
    size_t cap = 16;
    while (cap < 2 * (size_t)n + 2) cap *= 2;
    t->map.cap = cap;
    t->map.slot_id = calloc(cap, sizeof *t->map.slot_id);
    t->map.slot_hash = calloc(cap, sizeof *t->map.slot_hash);
    if (!t->tok_off || !t->tok_len || !t->map.slot_id || !t->map.slot_hash) return -1;
    for (int64_t i = 0; i < vocab + 1; i++) t->tok_len[i] = LM_TOK_NO_PIECE;
    t->arena_cap = total + 64;
    t->arena = malloc(t->arena_cap);
    return t->arena ? 0 : -1;
}

/* the ordinary pieces as ids 0..n-1; 0 or -1 (err set) */
static int build_pieces(lm_tokenizer *t, const uint8_t *const *pieces, const size_t *lens, int n, lm_err *err) {
    for (int i = 0; i < n; i++) {
        if (lens[i] == 0 || lens[i] >= LM_TOK_NO_PIECE)
            return lm_fail(err, "tokenizer: token %d is empty or too long", i);
        if (arena_add(t, pieces[i], lens[i], &t->tok_off[i])) return lm_fail(err, "tokenizer: out of memory");
        t->tok_len[i] = (uint32_t)lens[i];
        if (map_put(t, i)) return lm_fail(err, "tokenizer: duplicate token %d (same bytes as an earlier token)", i);
        if (lens[i] == 1) t->byte_id[pieces[i][0]] = i;
    }
    return 0;
}

/* the special tokens at their ids, then sorted by text; 0 or -1 (err set) */
static int build_specials(lm_tokenizer *t, const char *const *specials, const size_t *special_lens,
                          const int32_t *special_ids, int n_specials, lm_err *err) {
    if (n_specials) {
        t->specials = calloc((size_t)n_specials, sizeof *t->specials);
        if (!t->specials) return lm_fail(err, "tokenizer: out of memory");
    }
    for (int i = 0; i < n_specials; i++) {
        int32_t id = special_ids[i];
        if (t->tok_len[id] != LM_TOK_NO_PIECE) return lm_fail(err, "tokenizer: duplicate special token id %d", id);
        for (int j = 0; j < i; j++)
            if (t->specials[j].len == special_lens[i] &&
                memcmp(t->specials[j].text, specials[i], special_lens[i]) == 0)
                return lm_fail(err, "tokenizer: duplicate special token text (id %d)", id);
        if (arena_add(t, (const uint8_t *)specials[i], special_lens[i], &t->tok_off[id]))
            return lm_fail(err, "tokenizer: out of memory");
        t->tok_len[id] = (uint32_t)special_lens[i];
        t->specials[i].text = malloc(special_lens[i]);
        if (!t->specials[i].text) return lm_fail(err, "tokenizer: out of memory");
        memcpy(t->specials[i].text, specials[i], special_lens[i]);
        t->specials[i].len = special_lens[i];
        t->specials[i].id = id;
        t->n_specials = i + 1;
    }
    if (t->n_specials > 1) qsort(t->specials, (size_t)t->n_specials, sizeof *t->specials, cmp_special);
    return 0;
}

lm_tokenizer *lm_tok_build(lm_tok_kind kind, const char *name,
                           const uint8_t *const *pieces, const size_t *lens, int n,
                           const char *const *specials, const size_t *special_lens,
                           const int32_t *special_ids, int n_specials, lm_err *err) {
    int64_t vocab = build_vocab_size(n, special_lens, special_ids, n_specials, err);
    if (vocab < 0) return NULL;
    lm_tokenizer *t = calloc(1, sizeof *t);
    if (!t) {
        lm_fail(err, "tokenizer: out of memory");
        return NULL;
    }
    t->kind = kind;
    snprintf(t->name, sizeof t->name, "%s", name ? name : "");
    t->vocab_size = (int)vocab;
    t->n_pieces = n;
    t->unk_id = -1;
    for (int b = 0; b < 256; b++) t->byte_id[b] = -1;
    size_t total = 0;
    for (int i = 0; i < n; i++) total += lens[i];
    if (build_tables(t, vocab, n, total)) {
        lm_fail(err, "tokenizer: out of memory");
        goto fail;
    }
    if (build_pieces(t, pieces, lens, n, err) ||
        build_specials(t, specials, special_lens, special_ids, n_specials, err))
        goto fail;
    return t;
fail:
    lm_tok_free(t);
    return NULL;
}

int lm_tok_set_extra(lm_tokenizer *t, int32_t id, const uint8_t *p, size_t n, lm_err *err) {
    if (id < 0 || id > t->vocab_size) return lm_fail(err, "tokenizer: extra id %d out of range", id);
    if (id == t->vocab_size) {   /* tok_off/tok_len have one spare entry */
        t->vocab_size++;
    }
    if (arena_add(t, p, n, &t->tok_off[id])) return lm_fail(err, "tokenizer: out of memory");
    t->tok_len[id] = (uint32_t)n;
    return 0;
}

void lm_tok_free(lm_tokenizer *t) {
    if (!t) return;
    free(t->arena);
    free(t->tok_off);
    free(t->tok_len);
    free(t->map.slot_id);
    free(t->map.slot_hash);
    for (int i = 0; i < t->n_specials; i++) free(t->specials[i].text);
    free(t->specials);
    lm_pretok_free(t->pretok);
    free(t);
}

/* ---- the byte tokenizer ---- */

lm_tokenizer *lm_tok_byte_new(void) {
    uint8_t bytes[256];
    const uint8_t *pieces[256];
    size_t lens[256];
    for (int i = 0; i < 256; i++) {
        bytes[i] = (uint8_t)i;
        pieces[i] = &bytes[i];
        lens[i] = 1;
    }
    return lm_tok_build(LM_TOK_BYTE, "char", pieces, lens, 256, NULL, NULL, NULL, 0, NULL);
}

/* ---- queries ---- */

lm_tok_kind lm_tok_kind_of(const lm_tokenizer *t) { return t->kind; }
const char *lm_tok_name(const lm_tokenizer *t) { return t->name; }
int lm_tok_vocab_size(const lm_tokenizer *t) { return t->vocab_size; }
int lm_tok_n_pieces(const lm_tokenizer *t) { return t->n_pieces; }
const char *lm_tok_pattern(const lm_tokenizer *t) { return t->pretok ? lm_pretok_pattern(t->pretok) : NULL; }
int32_t lm_tok_unk_id(const lm_tokenizer *t) { return t->unk_id; }

const uint8_t *lm_tok_piece(const lm_tokenizer *t, int32_t id, size_t *len) {
    if (id < 0 || id >= t->vocab_size || t->tok_len[id] == LM_TOK_NO_PIECE) return NULL;
    if (len) *len = t->tok_len[id];
    return t->arena + t->tok_off[id];
}

int32_t lm_tok_special_id(const lm_tokenizer *t, const char *text) {
    size_t n = strlen(text);
    for (int i = 0; i < t->n_specials; i++)
        if (t->specials[i].len == n && memcmp(t->specials[i].text, text, n) == 0) return t->specials[i].id;
    return -1;
}

int lm_tok_is_special(const lm_tokenizer *t, int32_t id) {
    for (int i = 0; i < t->n_specials; i++)
        if (t->specials[i].id == id) return 1;
    return 0;
}

/* ---- encode / decode ---- */

static int encode_ordinary(const lm_tokenizer *t, const uint8_t *text, size_t len,
                           lm_ids *out, lm_err *err) {
    switch (t->kind) {
    case LM_TOK_BYTE:
        if (lm_ids_reserve(out, len)) return lm_fail(err, "tokenizer: out of memory");
        for (size_t i = 0; i < len; i++) out->ids[out->n++] = t->byte_id[text[i]];
        return 0;
    case LM_TOK_WORD:
        return lm_tok_word_encode(t, text, len, out, err);
    case LM_TOK_BPE:
        return lm_tok_bpe_encode_ordinary(t, text, len, out, err);
    }
    return lm_fail(err, "tokenizer: unknown kind");
}

/* the leftmost special marker in text; on a tie the longest (specials are
 * sorted longest first) */
static const lm_tok_special *find_special(const lm_tokenizer *t, const uint8_t *text, size_t len,
                                          size_t *at) {
    const lm_tok_special *best = NULL;
    size_t best_at = len;
    for (int i = 0; i < t->n_specials; i++) {
        const lm_tok_special *s = &t->specials[i];
        /* search only where a match would start before the best so far */
        size_t window = best_at + s->len - 1;
        if (window > len) window = len;
        const uint8_t *q = memmem(text, window, s->text, s->len);
        if (q && (size_t)(q - text) < best_at) { best = s; best_at = (size_t)(q - text); }
    }
    *at = best_at;
    return best;
}

int lm_tok_encode(const lm_tokenizer *t, const uint8_t *text, size_t len,
                  int allow_special, lm_ids *out, lm_err *err) {
    if (!t) return lm_fail(err, "tokenizer: none given");
    if (len && !text) return lm_fail(err, "tokenizer: no text");
    if (!allow_special || t->n_specials == 0) return encode_ordinary(t, text, len, out, err);
    while (len) {
        size_t at;
        const lm_tok_special *s = find_special(t, text, len, &at);
        if (!s) return encode_ordinary(t, text, len, out, err);
        if (at && encode_ordinary(t, text, at, out, err)) return -1;
        if (lm_ids_push(out, s->id)) return lm_fail(err, "tokenizer: out of memory");
        text += at + s->len;
        len -= at + s->len;
    }
    return 0;
}

int lm_tok_decode(const lm_tokenizer *t, const int32_t *ids, size_t n,
                  uint8_t **buf, size_t *len, lm_err *err) {
    if (t->kind == LM_TOK_WORD) return lm_tok_word_decode(t, ids, n, buf, len, err);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t id = ids[i];
        if (id < 0 || id >= t->vocab_size || t->tok_len[id] == LM_TOK_NO_PIECE)
            return lm_fail(err, "decode: invalid token id %d (vocabulary size %d)", id, t->vocab_size);
        total += t->tok_len[id];
    }
    uint8_t *p = realloc(*buf, *len + total + 1);
    if (!p) return lm_fail(err, "decode: out of memory");
    *buf = p;
    size_t at = *len;
    for (size_t i = 0; i < n; i++) {
        uint32_t l = t->tok_len[ids[i]];
        memcpy(p + at, t->arena + t->tok_off[ids[i]], l);
        at += l;
    }
    p[at] = 0;   /* convenience; not counted in len */
    *len = at;
    return 0;
}

/* ---- lm_tok_open ---- */

static int file_exists(const char *p) {
    FILE *f = fopen(p, "rb");
    if (!f) return 0;
    fclose(f);
    return 1;
}

/* finds NAME.tiktoken: $LLMLAB_DATA/tiktoken, $LLMLAB_DATA, data/tiktoken
 * next to the executable (or one or two levels up: build/tools, build/tests),
 * then data/tiktoken under the working directory */
static int find_tiktoken(const char *name, char *out, size_t cap) {
    const char *env = getenv("LLMLAB_DATA");
    if (env && *env) {
        snprintf(out, cap, "%s/tiktoken/%s.tiktoken", env, name);
        if (file_exists(out)) return 0;
        snprintf(out, cap, "%s/%s.tiktoken", env, name);
        if (file_exists(out)) return 0;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) *slash = 0;
        static const char *const ups[] = {"", "/..", "/../.."};
        for (int i = 0; i < 3; i++) {
            snprintf(out, cap, "%s%s/data/tiktoken/%s.tiktoken", exe, ups[i], name);
            if (file_exists(out)) return 0;
        }
    }
    snprintf(out, cap, "data/tiktoken/%s.tiktoken", name);
    if (file_exists(out)) return 0;
    return -1;
}

lm_tokenizer *lm_tok_open(const char *spec, lm_err *err) {
    if (!spec || !*spec) { lm_fail(err, "tokenizer: empty name"); return NULL; }
    if (strcmp(spec, "char") == 0 || strcmp(spec, "byte") == 0) {
        lm_tokenizer *t = lm_tok_byte_new();
        if (!t) lm_fail(err, "tokenizer: out of memory");
        return t;
    }
    static const char *const known[] = {"gpt2", "r50k_base", "p50k_base", "cl100k_base", "o200k_base"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(spec, known[i]) != 0) continue;
        const char *file = strcmp(spec, "gpt2") == 0 ? "r50k_base" : spec;
        char path[4200];
        if (find_tiktoken(file, path, sizeof path)) {
            lm_fail(err, "%s.tiktoken not found (looked in $LLMLAB_DATA/tiktoken and data/tiktoken; run `make tiktoken`)",
                    file);
            return NULL;
        }
        return lm_tok_tiktoken_load(path, spec, err);
    }
    if (strchr(spec, '/') || strstr(spec, ".tiktoken")) return lm_tok_tiktoken_load(spec, NULL, err);
    lm_fail(err, "unknown tokenizer '%s' (char, word, bpe, gpt2, r50k_base, cl100k_base, o200k_base, or a path)", spec);
    return NULL;
}

int lm_tok_decode_cstr(const lm_tokenizer *t, const int32_t *ids, size_t n, char **text, lm_err *err) {
    uint8_t *buf = NULL;
    size_t len = 0;
    if (n && lm_tok_decode(t, ids, n, &buf, &len, err)) {
        free(buf);
        return -1;
    }
    char *s = malloc(len + 1);
    if (!s) {
        free(buf);
        return lm_fail(err, "out of memory");
    }
    if (len) memcpy(s, buf, len);
    s[len] = '\0';
    free(buf);
    *text = s;
    return 0;
}
