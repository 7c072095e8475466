/* embed.c - wte as an embedding space, and words to token ids (see embed.h). */
#include "models/gpt/embed.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t *tok_label(const void *ctx, int32_t id, size_t *len) {
    return lm_tok_piece((const lm_tokenizer *)ctx, id, len);
}

int lm_gpt_embed_space(const lm_model *m, const lm_tokenizer *tok, lm_emb_space *out, lm_err *err) {
    memset(out, 0, sizeof *out);
    const lm_tensor_view *w = lm_find_tensor(m, "wte");
    if (!w || w->ndim != 2) return lm_fail(err, "the model has no token embedding table wte");
    return lm_emb_open(out, m->params + w->offset, w->shape[0], w->shape[1], tok ? tok_label : NULL, tok, err);
}

/* \n, \t and \\ as escapes (as the CLI's -e reads them) */
static size_t unescape(char *s, size_t n) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && (s[i + 1] == 'n' || s[i + 1] == 't' || s[i + 1] == '\\')) {
            s[o++] = s[i + 1] == 'n' ? '\n' : s[i + 1] == 't' ? '\t' : '\\';
            i++;
        } else {
            s[o++] = s[i];
        }
    }
    return o;
}

/* encodes text[0..len) into *ids (cleared first); 0 or -1 */
static int encode(const lm_tokenizer *tok, const char *text, size_t len, lm_ids *ids, lm_err *err) {
    ids->n = 0;
    return lm_tok_encode(tok, (const uint8_t *)text, len, 0, ids, err);
}

int lm_embed_word(const lm_tokenizer *tok, int V, const char *word, int32_t *id, lm_ids *pieces,
                  lm_err *err) {
    *id = -1;
    if (strncmp(word, "id:", 3) == 0) {
        char *end;
        long v = strtol(word + 3, &end, 10);
        if (!word[3] || *end || v < 0 || v >= V)
            return lm_fail(err, "'%.40s': id:N wants N in 0..%d", word, V - 1);
        *id = (int32_t)v;
        return 0;
    }
    size_t len = strlen(word);
    char *buf = malloc(len + 2);
    if (!buf) return lm_fail(err, "out of memory");
    buf[0] = ' ';
    memcpy(buf + 1, word, len + 1);
    len = unescape(buf + 1, len);
    if (len == 0) { free(buf); return lm_fail(err, "an empty word names no token"); }
    int lead = buf[1] == ' ' || buf[1] == '\t' || buf[1] == '\n';
    lm_ids ids = {0};
    int rc = 0;
    /* the forms tried, in order: " WORD" then "WORD"; text with leading whitespace as it is */
    const char *forms[2] = {lead ? buf + 1 : buf, lead ? NULL : buf + 1};
    size_t lens[2] = {lead ? len : len + 1, len};
    int first_n = -1;
    for (int f = 0; f < 2 && forms[f]; f++) {
        if (encode(tok, forms[f], lens[f], &ids, err)) { rc = -1; break; }
        if (ids.n == 1) { *id = ids.ids[0]; break; }
        if (f == 0) {   /* keep the first form's pieces for the message */
            first_n = (int)ids.n;
            if (pieces) {
                pieces->n = 0;
                for (size_t i = 0; i < ids.n && rc == 0; i++)
                    if (lm_ids_push(pieces, ids.ids[i])) rc = lm_fail(err, "out of memory");
            }
        }
    }
    if (rc == 0 && *id < 0) rc = first_n == 0 ? lm_fail(err, "'%.40s' encodes to no token", word) : 1;
    lm_ids_free(&ids);
    free(buf);
    return rc;
}
