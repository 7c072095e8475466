/* dataset.c - token streams, random and fixed batches, SFT examples (see dataset.h). */
#include "data/dataset.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/infile.h"
#include "data/jsonl.h"
#include "tok/chat.h"

#define SEP "<|endoftext|>"

/* ---- pretraining stream ---- */

static int append_doc(lm_token_stream *s, lm_ids *acc, const lm_tokenizer *t, int32_t eot,
                      const uint8_t *doc, size_t len, lm_err *err) {
    (void)s;
    if (len == 0) return 0;
    if (eot >= 0 && lm_ids_push(acc, eot)) return lm_fail(err, "out of memory");
    s->n_docs++;
    return lm_tok_encode(t, doc, len, 0, acc, err);
}

int lm_stream_from_text(lm_token_stream *s, const lm_tokenizer *t, const uint8_t *text, size_t len,
                        lm_err *err) {
    memset(s, 0, sizeof *s);
    int32_t eot = lm_tok_special_id(t, SEP);
    lm_ids acc = {0};
    size_t doc_start = 0, pos = 0;
    const size_t seplen = strlen(SEP);
    while (pos <= len) {
        /* [pos, eol) is one line */
        const uint8_t *nl = pos < len ? memchr(text + pos, '\n', len - pos) : NULL;
        size_t eol = nl ? (size_t)(nl - text) : len;
        size_t l = eol - pos;
        if (l > 0 && text[pos + l - 1] == '\r') l--;
        if (l == seplen && memcmp(text + pos, SEP, seplen) == 0) {
            size_t end = pos > doc_start ? pos - 1 : doc_start;   /* drop the '\n' before */
            if (end > doc_start && text[end - 1] == '\r') end--;
            if (append_doc(s, &acc, t, eot, text + doc_start, end - doc_start, err)) goto fail;
            doc_start = nl ? eol + 1 : len;
        }
        if (!nl) break;
        pos = eol + 1;
    }
    if (doc_start < len) {
        size_t end = len;
        while (end > doc_start && text[end - 1] == '\n') end--;
        if (append_doc(s, &acc, t, eot, text + doc_start, end - doc_start, err)) goto fail;
    }
    s->ids = acc.ids;
    s->n = acc.n;
    return 0;
fail:
    free(acc.ids);
    memset(s, 0, sizeof *s);
    return -1;
}

/* reads the whole file, or its first max bytes when max > 0 (a regular file
 * of at most LM_TEXT_MAX_BYTES, base/infile.h) */
static int read_all(const char *path, size_t max, uint8_t **data, size_t *len, lm_err *err) {
    lm_infile f;
    if (lm_infile_open(&f, path, "text", LM_TEXT_MAX_BYTES, err)) return -1;
    size_t n = max > 0 && max < f.size ? max : (size_t)f.size;
    uint8_t *buf = malloc(n + 1);
    if (!buf) {
        lm_infile_close(&f);
        return lm_fail(err, "out of memory reading %s", path);
    }
    int rc = lm_infile_read(&f, buf, n, err);
    lm_infile_close(&f);
    if (rc) {
        free(buf);
        return -1;
    }
    buf[n] = 0;
    *data = buf;
    *len = n;
    return 0;
}

int lm_stream_load(lm_token_stream *s, const lm_tokenizer *t, const char *path, lm_err *err) {
    return lm_stream_load_head(s, t, path, 0, err);
}

int lm_stream_load_head(lm_token_stream *s, const lm_tokenizer *t, const char *path, size_t max_bytes,
                        lm_err *err) {
    uint8_t *data = NULL;
    size_t len = 0;
    if (read_all(path, max_bytes, &data, &len, err)) return -1;
    int rc = lm_stream_from_text(s, t, data, len, err);
    free(data);
    if (rc) return -1;
    return 0;
}

void lm_stream_free(lm_token_stream *s) {
    free(s->ids);
    memset(s, 0, sizeof *s);
}

/* ---- batches ---- */

int lm_batch_alloc(lm_batch *b, int B, int T, int with_mask, lm_err *err) {
    memset(b, 0, sizeof *b);
    if (B <= 0 || T <= 0) return lm_fail(err, "batch shape %d x %d must be positive", B, T);
    size_t n = (size_t)B * T;
    b->B = B;
    b->T = T;
    b->tokens = malloc(n * sizeof *b->tokens);
    b->targets = malloc(n * sizeof *b->targets);
    b->mask = with_mask ? malloc(n * sizeof *b->mask) : NULL;
    if (!b->tokens || !b->targets || (with_mask && !b->mask)) {
        lm_batch_free(b);
        return lm_fail(err, "out of memory for a %d x %d batch", B, T);
    }
    return 0;
}

void lm_batch_free(lm_batch *b) {
    free(b->tokens);
    free(b->targets);
    free(b->mask);
    memset(b, 0, sizeof *b);
}

long lm_batch_tokens(const lm_batch *b) {
    long c = 0;
    for (size_t i = 0; i < (size_t)b->B * b->T; i++)
        if (b->targets[i] >= 0 && (!b->mask || b->mask[i] > 0)) c++;
    return c;
}

static void fill_row(lm_batch *b, int r, const int32_t *win) {
    /* win [T+1]: tokens = win[0..T), targets = win[1..T] */
    int T = b->T;
    memcpy(b->tokens + (size_t)r * T, win, (size_t)T * sizeof *win);
    memcpy(b->targets + (size_t)r * T, win + 1, (size_t)T * sizeof *win);
    if (b->mask)
        for (int j = 0; j < T; j++) b->mask[(size_t)r * T + j] = 1.0f;
}

int lm_stream_sample(const lm_token_stream *s, lm_rng *rng, lm_batch *b, lm_err *err) {
    if (s->n < (size_t)b->T + 1)
        return lm_fail(err, "the data has %zu tokens, fewer than one window of %d", s->n, b->T + 1);
    size_t span = s->n - (size_t)b->T;   /* starts in [0, span) */
    for (int r = 0; r < b->B; r++) {
        size_t start = span > 0xffffffffu ? (size_t)(((uint64_t)lm_rng_u32(rng) << 32 | lm_rng_u32(rng)) % span)
                                          : lm_rng_below(rng, (uint32_t)span);
        fill_row(b, r, s->ids + start);
    }
    return 0;
}

int lm_stream_batch_at(const lm_token_stream *s, size_t index, lm_batch *b, lm_err *err) {
    if (s->n < (size_t)b->T + 1)
        return lm_fail(err, "the data has %zu tokens, fewer than one window of %d", s->n, b->T + 1);
    size_t span = s->n - (size_t)b->T;
    for (int r = 0; r < b->B; r++) {
        size_t start = ((index * b->B + r) * (size_t)b->T) % span;
        fill_row(b, r, s->ids + start);
    }
    return 0;
}

size_t lm_stream_n_batches(const lm_token_stream *s, int B, int T) {
    if (s->n < (size_t)T + 1) return 0;
    size_t k = (s->n - 1) / ((size_t)B * T);
    return k ? k : 1;
}

void lm_batches_free(lm_batch *b, int n) {
    if (!b) return;
    for (int i = 0; i < n; i++) lm_batch_free(&b[i]);
    free(b);
}

int lm_stream_val_batches(const lm_token_stream *s, int B, int T, int max_batches, lm_batch **out,
                          int *n_out, lm_err *err) {
    *out = NULL;
    *n_out = 0;
    if (B <= 0 || T <= 0) return lm_fail(err, "batch shape %d x %d must be positive", B, T);
    size_t nb = lm_stream_n_batches(s, B, T);
    if (nb == 0)
        return lm_fail(err, "the validation text has %zu tokens, fewer than one window of %d", s->n, T + 1);
    if (max_batches > 0 && nb > (size_t)max_batches) nb = (size_t)max_batches;
    if (nb > 0x7fffffff) nb = 0x7fffffff;
    lm_batch *bs = calloc(nb, sizeof *bs);
    if (!bs) return lm_fail(err, "out of memory");
    const uint64_t last = s->n - (size_t)T - 1;       /* the last valid window start */
    const uint64_t n_win = (uint64_t)nb * (uint64_t)B;
    for (size_t i = 0; i < nb; i++) {
        if (lm_batch_alloc(&bs[i], B, T, 0, err)) {
            lm_batches_free(bs, (int)i);
            return -1;
        }
        for (int r = 0; r < B; r++) {
            uint64_t w = (uint64_t)i * (uint64_t)B + (uint64_t)r;
            /* w * last / n_win without overflow: w < n_win */
            size_t start = (size_t)(w / n_win * last + (unsigned __int128)(w % n_win) * last / n_win);
            fill_row(&bs[i], r, s->ids + start);
        }
    }
    *out = bs;
    *n_out = (int)nb;
    return 0;
}

/* ---- SFT ---- */

/* {"text": T}: <|endoftext|> then T as plain text, every id of T trained. */
static int plain_doc(const lm_tokenizer *t, const char *text, lm_sft_example *ex, lm_err *err) {
    size_t len = strlen(text);
    if (len == 0) return lm_fail(err, "\"text\" is empty");
    int32_t eot = lm_tok_special_id(t, LM_CHAT_EOT);
    if (eot < 0) return lm_fail(err, "the tokeniser has no %s (a document needs it)", LM_CHAT_EOT);
    lm_ids ids = {0};
    if (lm_ids_push(&ids, eot)) return lm_fail(err, "out of memory");
    if (lm_tok_encode(t, (const uint8_t *)text, len, 0, &ids, err)) {
        free(ids.ids);
        return -1;
    }
    ex->mask = malloc(ids.n);
    if (!ex->mask) {
        free(ids.ids);
        return lm_fail(err, "out of memory");
    }
    memset(ex->mask, 1, ids.n);
    ex->mask[0] = 0;
    ex->ids = ids.ids;
    ex->n = (int)ids.n;
    return 0;
}

int lm_sft_parse_line(const lm_tokenizer *t, const char *text, size_t len, lm_sft_example *ex,
                      lm_err *err) {
    memset(ex, 0, sizeof *ex);
    if (lm_jsonl_check_text(text, len, err)) return -1;
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root) return lm_fail(err, "not valid JSON");
    int rc = -1;
    lm_chat_msg *msgs = NULL;
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "messages");
    cJSON *doc = cJSON_GetObjectItemCaseSensitive(root, "text");
    if (!arr && cJSON_IsString(doc)) {   /* a plain document, trained like pretraining */
        rc = plain_doc(t, doc->valuestring, ex, err);
        goto done;
    }
    if (!cJSON_IsArray(arr)) {
        lm_fail(err, "no \"messages\" array (nor a \"text\" document)");
        goto done;
    }
    int n = cJSON_GetArraySize(arr);
    if (n == 0) {
        lm_fail(err, "\"messages\" is empty");
        goto done;
    }
    msgs = calloc((size_t)n, sizeof *msgs);
    if (!msgs) {
        lm_fail(err, "out of memory");
        goto done;
    }
    int i = 0, has_assistant = 0;
    cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        cJSON *role = cJSON_GetObjectItemCaseSensitive(it, "role");
        cJSON *content = cJSON_GetObjectItemCaseSensitive(it, "content");
        if (!cJSON_IsString(role) || !cJSON_IsString(content)) {
            lm_fail(err, "message %d needs string \"role\" and \"content\"", i + 1);
            goto done;
        }
        if (lm_chat_role_parse(role->valuestring, &msgs[i].role)) {
            lm_fail(err, "message %d has unknown role \"%.40s\" (system, user, assistant or tool)", i + 1,
                    role->valuestring);
            goto done;
        }
        has_assistant |= msgs[i].role == LM_ROLE_ASSISTANT;
        msgs[i].content = content->valuestring;
        msgs[i].len = strlen(content->valuestring);
        cJSON *call = cJSON_GetObjectItemCaseSensitive(it, "tool_call");
        if (call && (!cJSON_IsString(call) || !call->valuestring[0])) {
            lm_fail(err, "message %d: \"tool_call\" must be a non-empty string (the expression)", i + 1);
            goto done;
        }
        if (call) {
            msgs[i].tool_call = call->valuestring;
            msgs[i].tool_len = strlen(call->valuestring);
        }
        i++;
    }
    if (!has_assistant) {
        lm_fail(err, "no assistant message (nothing to train on)");
        goto done;
    }
    /* the tool rules (chat.h) before the tokeniser's markers, so that a bad
     * conversation is named as such whatever the model */
    if (lm_chat_check(msgs, n, err)) goto done;
    lm_ids ids = {0};
    if (lm_chat_encode(t, msgs, n, 0, &ids, &ex->mask, err)) {
        free(ids.ids);
        goto done;
    }
    ex->ids = ids.ids;
    ex->n = (int)ids.n;
    rc = 0;
done:
    free(msgs);
    cJSON_Delete(root);
    return rc;
}

void lm_sft_free(lm_sft_set *set) {
    for (int i = 0; i < set->n; i++) {
        free(set->ex[i].ids);
        free(set->ex[i].mask);
    }
    free(set->ex);
    memset(set, 0, sizeof *set);
}

typedef struct {
    lm_sft_set *set;
    const lm_tokenizer *t;
    int max_len;
} sft_reader;

static int sft_line(void *user, const char *text, size_t len, int line, lm_err *err) {
    (void)line;
    sft_reader *r = user;
    lm_sft_set *set = r->set;
    lm_sft_example ex;
    if (lm_sft_parse_line(r->t, text, len, &ex, err)) return -1;
    if (r->max_len > 0 && ex.n > r->max_len) {
        ex.n = r->max_len;
        set->n_cut++;
    }
    if (set->n == set->cap) {
        int cap = set->cap ? set->cap * 2 : 256;
        lm_sft_example *p = realloc(set->ex, (size_t)cap * sizeof *p);
        if (!p) {
            free(ex.ids);
            free(ex.mask);
            return lm_fail(err, "out of memory");
        }
        set->ex = p;
        set->cap = cap;
    }
    set->ex[set->n++] = ex;
    return 0;
}

int lm_sft_parse_buf(lm_sft_set *set, const lm_tokenizer *t, const uint8_t *buf, size_t len, int max_len,
                     const char *name, lm_err *err) {
    memset(set, 0, sizeof *set);
    sft_reader r = {set, t, max_len};
    if (lm_jsonl_each(buf, len, name, sft_line, &r, err)) {
        lm_sft_free(set);
        return -1;
    }
    if (set->n == 0) {
        lm_sft_free(set);
        return lm_fail(err, "%s has no examples", name ? name : "the data");
    }
    return 0;
}

int lm_sft_load(lm_sft_set *set, const lm_tokenizer *t, const char *path, int max_len, lm_err *err) {
    memset(set, 0, sizeof *set);
    uint8_t *data = NULL;
    size_t len = 0;
    if (lm_infile_read_all(path, "JSONL", LM_JSONL_MAX_BYTES, &data, &len, err)) return -1;
    int rc = lm_sft_parse_buf(set, t, data, len, max_len, path, err);
    free(data);
    return rc;
}

int lm_sft_pack(const lm_sft_set *set, const int *order, int n_order, int start, int use_mask,
                lm_batch *b, int *next, lm_err *err) {
    if (!b->mask) return lm_fail(err, "an SFT batch needs a mask buffer");
    if (n_order <= 0 || set->n <= 0) return lm_fail(err, "no SFT examples");
    int T = b->T, k = start % n_order;
    for (int r = 0; r < b->B; r++) {
        int32_t *tok = b->tokens + (size_t)r * T, *tgt = b->targets + (size_t)r * T;
        float *msk = b->mask + (size_t)r * T;
        int filled = 0;   /* ids placed in the window of T+1 */
        for (;;) {
            const lm_sft_example *ex = &set->ex[order[k]];
            int take = ex->n;
            if (filled + take > T + 1) {
                if (filled > 0) break;
                take = T + 1;   /* a lone long example is cut */
            }
            for (int j = 0; j < take; j++) {
                int p = filled + j;   /* position in the window */
                if (p < T) tok[p] = ex->ids[j];
                if (p > 0) {
                    tgt[p - 1] = ex->ids[j];
                    msk[p - 1] = use_mask ? (float)ex->mask[j] : 1.0f;
                }
            }
            filled += take;
            k = (k + 1) % n_order;
            if (filled >= T + 1 || k == start % n_order) break;
        }
        /* padding: inputs 0, targets ignored */
        for (int p = filled; p < T; p++) tok[p] = 0;
        for (int p = filled > 0 ? filled - 1 : 0; p < T; p++) {
            tgt[p] = -1;
            msk[p] = 0.0f;
        }
    }
    if (next) *next = k;
    return 0;
}

int lm_sft_val_batches(const lm_sft_set *set, int use_mask, int B, int T, int max_batches,
                       lm_batch **out, int *n_out, lm_err *err) {
    *out = NULL;
    *n_out = 0;
    if (set->n <= 0) return lm_fail(err, "no SFT examples");
    if (max_batches <= 0) return lm_fail(err, "need at least one validation batch");
    lm_batch *bs = calloc((size_t)max_batches, sizeof *bs);
    int *order = malloc((size_t)set->n * sizeof *order);
    if (!bs || !order) {
        free(bs);
        free(order);
        return lm_fail(err, "out of memory");
    }
    for (int i = 0; i < set->n; i++) order[i] = i;
    int n = 0, next = 0, all_in = 0;
    long packed = 0;   /* examples placed so far */
    for (; n < max_batches; n++) {   /* in order, while the whole set fits */
        int st = next;
        if (lm_batch_alloc(&bs[n], B, T, 1, err) ||
            lm_sft_pack(set, order, set->n, st, use_mask, &bs[n], &next, err))
            goto fail;
        int took = (next - st + set->n) % set->n;   /* 0 = it went all the way round */
        packed += took ? took : set->n;
        if (packed >= set->n) {
            all_in = 1;
            n++;
            break;
        }
    }
    if (!all_in)   /* too many examples: spread the batches' starts over the set */
        for (int i = 0; i < n; i++) {
            int start = (int)((int64_t)i * set->n / max_batches);
            if (lm_sft_pack(set, order, set->n, start, use_mask, &bs[i], NULL, err)) goto fail;
        }
    free(order);
    *out = bs;
    *n_out = n;
    return 0;
fail:
    free(order);
    lm_batches_free(bs, n < max_batches ? n + 1 : n);   /* bs[n]: calloc'd or freed, safe */
    return -1;
}

int lm_sft_sample(const lm_sft_set *set, lm_rng *rng, int use_mask, lm_batch *b, lm_err *err) {
    if (set->n <= 0) return lm_fail(err, "no SFT examples");
    int n_order = b->B * (b->T + 1) + 1;
    int *order = malloc((size_t)n_order * sizeof *order);
    if (!order) return lm_fail(err, "out of memory");
    for (int i = 0; i < n_order; i++) order[i] = (int)lm_rng_below(rng, (uint32_t)set->n);
    int rc = lm_sft_pack(set, order, n_order, 0, use_mask, b, NULL, err);
    free(order);
    return rc;
}
