/* chat.c - the chat template (see chat.h). */
#include "tok/chat.h"

#include <stdlib.h>
#include <string.h>

const char *const lm_chat_specials[] = {
    LM_CHAT_EOT, LM_CHAT_SYSTEM, LM_CHAT_USER, LM_CHAT_ASSISTANT, LM_CHAT_END,
    LM_CHAT_TOOL,     LM_CHAT_RESULT, LM_CHAT_RESULT_END, NULL,
};

/* the markers by index: lm_chat_specials' order, which lm_chat_ids follows */
enum { MK_EOT, MK_SYSTEM, MK_USER, MK_ASSISTANT, MK_END, MK_TOOL, MK_RESULT, MK_RESULT_END, MK_N, MK_TEXT = -1 };

static const char *const role_names[] = {"system", "user", "assistant", "tool"};
static const int role_markers[] = {MK_SYSTEM, MK_USER, MK_ASSISTANT};

const char *lm_chat_role_name(lm_chat_role r) {
    return (r >= LM_ROLE_SYSTEM && r <= LM_ROLE_TOOL) ? role_names[r] : "?";
}

int lm_chat_role_parse(const char *s, lm_chat_role *out) {
    for (int i = 0; i < 4; i++)
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
    ids->tool = lm_tok_special_id(t, LM_CHAT_TOOL);
    ids->result = lm_tok_special_id(t, LM_CHAT_RESULT);
    ids->result_end = lm_tok_special_id(t, LM_CHAT_RESULT_END);
    return 0;
}

int lm_chat_tools_check(const lm_tokenizer *t, lm_err *err) {
    for (int k = MK_TOOL; k <= MK_RESULT_END; k++)
        if (lm_tok_special_id(t, lm_chat_specials[k]) < 0)
            return lm_fail(err, "the tokeniser has no special token %s (tool use needs %s %s %s; "
                                "`llmlab bpe-train` adds them)", lm_chat_specials[k], LM_CHAT_TOOL,
                           LM_CHAT_RESULT, LM_CHAT_RESULT_END);
    return 0;
}

int lm_chat_has_tools(const lm_tokenizer *t) {
    lm_chat_ids ids;
    return lm_chat_ids_get(t, &ids, NULL) == 0 && lm_chat_tools_check(t, NULL) == 0;
}

static int uses_tools(const lm_chat_msg *msgs, int n) {
    for (int i = 0; i < n; i++)
        if (msgs[i].role == LM_ROLE_TOOL || msgs[i].tool_call) return 1;
    return 0;
}

int lm_chat_check(const lm_chat_msg *msgs, int n, lm_err *err) {
    for (int i = 0; i < n; i++) {
        lm_chat_role r = msgs[i].role;
        if (r < LM_ROLE_SYSTEM || r > LM_ROLE_TOOL) return lm_fail(err, "message %d has an unknown role", i + 1);
        if (msgs[i].tool_call && r != LM_ROLE_ASSISTANT)
            return lm_fail(err, "message %d (%s) has a tool_call: only assistant messages call the tool", i + 1,
                           role_names[r]);
        int after_call = i > 0 && msgs[i - 1].role == LM_ROLE_ASSISTANT && msgs[i - 1].tool_call;
        if (r == LM_ROLE_TOOL && !after_call)
            return lm_fail(err, "message %d (tool) does not follow an assistant message with a tool_call", i + 1);
        if (after_call && r != LM_ROLE_TOOL)
            return lm_fail(err, "message %d has a tool_call, but message %d (%s) is not its result (role tool)", i,
                           i + 1, role_names[r]);
    }
    return 0;
}

/* The template, piece by piece: fn gets each marker (MK_*, text NULL) or
 * text (MK_TEXT) in order, with 1 when the piece is trained (the mask).
 * THE layout, which the ids and the text form both follow. */
typedef int (*piece_fn)(void *user, int marker, const char *text, size_t len, uint8_t trained);

static int walk(const lm_chat_msg *msgs, int n, int gen_prompt, piece_fn fn, void *user) {
    if (fn(user, MK_EOT, NULL, 0, 0)) return -1;
    for (int i = 0; i < n; i++) {
        const lm_chat_msg *m = &msgs[i];
        int r = m->role >= LM_ROLE_SYSTEM && m->role <= LM_ROLE_TOOL ? (int)m->role : LM_ROLE_USER;
        int assistant = r == LM_ROLE_ASSISTANT;
        int continues = assistant && i > 0 && msgs[i - 1].role == LM_ROLE_TOOL;   /* the same turn */
        if (r != LM_ROLE_TOOL && !continues && fn(user, role_markers[r], NULL, 0, 0)) return -1;
        if (m->len && fn(user, MK_TEXT, m->content, m->len, (uint8_t)assistant)) return -1;
        if (r == LM_ROLE_TOOL) {
            if (fn(user, MK_RESULT_END, NULL, 0, 0)) return -1;
        } else if (assistant && m->tool_call) {
            if (fn(user, MK_TOOL, NULL, 0, 1) || (m->tool_len && fn(user, MK_TEXT, m->tool_call, m->tool_len, 1)) ||
                fn(user, MK_RESULT, NULL, 0, 1))
                return -1;
        } else if (fn(user, MK_END, NULL, 0, (uint8_t)assistant)) {
            return -1;
        }
    }
    if (gen_prompt && !(n > 0 && msgs[n - 1].role == LM_ROLE_TOOL) && fn(user, MK_ASSISTANT, NULL, 0, 0)) return -1;
    return 0;
}

/* ---- the template as ids ---- */

typedef struct {
    const lm_tokenizer *t;
    int32_t marker_id[MK_N];
    lm_ids *out;
    uint8_t *mask;   /* [mask_n], NULL when not wanted */
    size_t mask_n;
    int want_mask;
    lm_err *err;
} ids_writer;

static int put_ids(void *user, int marker, const char *text, size_t len, uint8_t trained) {
    ids_writer *w = user;
    if (marker == MK_TEXT) {
        if (lm_tok_encode(w->t, (const uint8_t *)text, len, 0, w->out, w->err)) return -1;
    } else if (lm_ids_push(w->out, w->marker_id[marker])) {
        return lm_fail(w->err, "out of memory");
    }
    if (!w->want_mask || w->out->n <= w->mask_n) return 0;
    uint8_t *p = realloc(w->mask, w->out->n);
    if (!p) return lm_fail(w->err, "out of memory");
    memset(p + w->mask_n, trained, w->out->n - w->mask_n);
    w->mask = p;
    w->mask_n = w->out->n;
    return 0;
}

int lm_chat_encode(const lm_tokenizer *t, const lm_chat_msg *msgs, int n, int gen_prompt,
                   lm_ids *out, uint8_t **mask, lm_err *err) {
    lm_chat_ids ids;
    if (lm_chat_ids_get(t, &ids, err) || lm_chat_check(msgs, n, err)) return -1;
    if (uses_tools(msgs, n) && lm_chat_tools_check(t, err)) return -1;
    if (gen_prompt && n > 0 && msgs[n - 1].tool_call)
        return lm_fail(err, "message %d has a tool_call whose result (a tool message) is missing", n);
    ids_writer w = {.t = t, .out = out, .want_mask = mask != NULL, .err = err,
                    .marker_id = {ids.eot, ids.system, ids.user, ids.assistant, ids.end, ids.tool, ids.result,
                                  ids.result_end}};
    if (mask) {
        free(*mask);
        *mask = NULL;
        /* ids already in out get 0 (one byte more so that the buffer is never empty) */
        w.mask = calloc(out->n + 1, 1);
        if (!w.mask) return lm_fail(err, "out of memory");
        w.mask_n = out->n;
    }
    if (walk(msgs, n, gen_prompt, put_ids, &w)) {
        free(w.mask);
        return -1;
    }
    if (mask) *mask = w.mask;
    return 0;
}

/* ---- the template as text ---- */

typedef struct {
    char *p;      /* NULL: only count */
    size_t len;
} text_writer;

static int put_text(void *user, int marker, const char *text, size_t len, uint8_t trained) {
    (void)trained;
    text_writer *w = user;
    if (marker != MK_TEXT) {
        text = lm_chat_specials[marker];
        len = strlen(text);
    }
    if (w->p) memcpy(w->p + w->len, text, len);
    w->len += len;
    return 0;
}

char *lm_chat_render_text(const lm_chat_msg *msgs, int n, int gen_prompt, size_t *len) {
    text_writer w = {NULL, 0};
    walk(msgs, n, gen_prompt, put_text, &w);
    char *s = malloc(w.len + 1);
    if (!s) return NULL;
    w.p = s;
    w.len = 0;
    walk(msgs, n, gen_prompt, put_text, &w);
    s[w.len] = '\0';
    if (len) *len = w.len;
    return s;
}

int lm_chat_stop_ids(const lm_tokenizer *t, int32_t stop[2], lm_err *err) {
    if (get_one(t, LM_CHAT_END, &stop[0], err) || get_one(t, LM_CHAT_EOT, &stop[1], err)) return -1;
    return 2;
}
