/* chat.c - the chat template (see chat.h). */
#include "tok/chat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const lm_chat_specials[] = {
    LM_CHAT_EOT, LM_CHAT_SYSTEM, LM_CHAT_USER, LM_CHAT_ASSISTANT, LM_CHAT_END,
    LM_CHAT_TOOL,     LM_CHAT_RESULT, LM_CHAT_RESULT_END, NULL,
};

static const char *const role_names[] = {"system", "user", "assistant"};
static const char *const role_markers[] = {LM_CHAT_SYSTEM, LM_CHAT_USER, LM_CHAT_ASSISTANT};

const char *lm_chat_role_name(lm_chat_role r) {
    return (r >= LM_ROLE_SYSTEM && r <= LM_ROLE_ASSISTANT) ? role_names[r] : "?";
}

int lm_chat_role_parse(const char *s, lm_chat_role *out) {
    for (int i = 0; i < 3; i++)
        if (strcmp(s, role_names[i]) == 0) {
            *out = (lm_chat_role)i;
            return 0;
        }
    return -1;
}

static int get_one(const lm_tokenizer *t, const char *marker, int32_t *id, lm_err *err) {
    *id = lm_tok_special_id(t, marker);
    if (*id < 0)
        return lm_fail(err, "the tokeniser has no special token %s (the chat template needs it; "
                            "train the BPE with the chat specials)", marker);
    return 0;
}

int lm_chat_ids_get(const lm_tokenizer *t, lm_chat_ids *ids, lm_err *err) {
    if (get_one(t, LM_CHAT_EOT, &ids->eot, err) || get_one(t, LM_CHAT_SYSTEM, &ids->system, err) ||
        get_one(t, LM_CHAT_USER, &ids->user, err) ||
        get_one(t, LM_CHAT_ASSISTANT, &ids->assistant, err) || get_one(t, LM_CHAT_END, &ids->end, err))
        return -1;
    return 0;
}

static int push_id(lm_ids *v, int32_t id, lm_err *err) {
    return lm_ids_push(v, id) ? lm_fail(err, "out of memory") : 0;
}

/* grows *mask to n bytes, zero-filling from old_n */
static int mask_grow(uint8_t **mask, size_t *mask_n, size_t n, uint8_t value, lm_err *err) {
    if (n <= *mask_n) return 0;
    uint8_t *p = realloc(*mask, n);
    if (!p) return lm_fail(err, "out of memory");
    memset(p + *mask_n, value, n - *mask_n);
    *mask = p;
    *mask_n = n;
    return 0;
}

int lm_chat_encode(const lm_tokenizer *t, const lm_chat_msg *msgs, int n, int gen_prompt,
                   lm_ids *out, uint8_t **mask, lm_err *err) {
    lm_chat_ids ids;
    if (lm_chat_ids_get(t, &ids, err)) return -1;
    const int32_t role_ids[3] = {ids.system, ids.user, ids.assistant};
    size_t mask_n = 0;
    uint8_t *m = NULL;
    if (mask) {
        free(*mask);
        *mask = NULL;
        if (mask_grow(&m, &mask_n, out->n + 1, 0, err)) return -1;
        mask_n = out->n;
    }
#define MASK_TO(value)                                                            \
    do {                                                                          \
        if (mask && mask_grow(&m, &mask_n, out->n, (value), err)) goto fail;      \
    } while (0)
    if (push_id(out, ids.eot, err)) goto fail;
    MASK_TO(0);
    for (int i = 0; i < n; i++) {
        lm_chat_role r = msgs[i].role;
        if (r < LM_ROLE_SYSTEM || r > LM_ROLE_ASSISTANT) {
            lm_fail(err, "message %d has an unknown role", i);
            goto fail;
        }
        uint8_t trained = r == LM_ROLE_ASSISTANT;
        if (push_id(out, role_ids[r], err)) goto fail;
        MASK_TO(0);
        if (msgs[i].len &&
            lm_tok_encode(t, (const uint8_t *)msgs[i].content, msgs[i].len, 0, out, err))
            goto fail;
        MASK_TO(trained);
        if (push_id(out, ids.end, err)) goto fail;
        MASK_TO(trained);
    }
    if (gen_prompt) {
        if (push_id(out, ids.assistant, err)) goto fail;
        MASK_TO(0);
    }
#undef MASK_TO
    if (mask) *mask = m;
    return 0;
fail:
    free(m);
    return -1;
}

char *lm_chat_render_text(const lm_chat_msg *msgs, int n, int gen_prompt, size_t *len) {
    size_t cap = strlen(LM_CHAT_EOT) + strlen(LM_CHAT_ASSISTANT) + 1;
    for (int i = 0; i < n; i++) cap += msgs[i].len + 32;
    char *s = malloc(cap), *p = s;
    if (!s) return NULL;
    p += sprintf(p, "%s", LM_CHAT_EOT);
    for (int i = 0; i < n; i++) {
        int r = msgs[i].role >= 0 && msgs[i].role <= 2 ? msgs[i].role : 1;
        p += sprintf(p, "%s", role_markers[r]);
        memcpy(p, msgs[i].content, msgs[i].len);
        p += msgs[i].len;
        p += sprintf(p, "%s", LM_CHAT_END);
    }
    if (gen_prompt) p += sprintf(p, "%s", LM_CHAT_ASSISTANT);
    *p = '\0';
    if (len) *len = (size_t)(p - s);
    return s;
}

int lm_chat_stop_ids(const lm_tokenizer *t, int32_t stop[2], lm_err *err) {
    if (get_one(t, LM_CHAT_END, &stop[0], err) || get_one(t, LM_CHAT_EOT, &stop[1], err)) return -1;
    return 2;
}
