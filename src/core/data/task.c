/* task.c - reading a prompting task and writing its prompts (see task.h). */
#include "data/task.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/infile.h"
#include "data/holdout.h"
#include "data/jsonl.h"

#define MAX_INSTRUCTION 1000
#define MAX_SEPARATOR 32
#define MAX_INPUT 1000
#define MAX_ANSWER 200

static char *dup_str(const char *s) {
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

/* obj[key] as a string of min..max bytes (a newline allowed or not) */
static int get_text(cJSON *obj, const char *key, size_t min, size_t max, int newline_ok, const char **out,
                    lm_err *err) {
    cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) return lm_fail(err, "no \"%s\"", key);
    if (!cJSON_IsString(v)) return lm_fail(err, "\"%s\" must be a string", key);
    size_t n = strlen(v->valuestring);
    if (n < min) return lm_fail(err, "\"%s\" is empty", key);
    if (n > max) return lm_fail(err, "\"%s\" is %zu bytes; at most %zu", key, n, max);
    if (!newline_ok && strpbrk(v->valuestring, "\r\n"))
        return lm_fail(err, "\"%s\" holds a line break (a line break ends an answer)", key);
    *out = v->valuestring;
    return 0;
}

static int read_header(lm_task *t, cJSON *root, lm_err *err) {
    const char *name, *instr, *sep;
    if (!cJSON_GetObjectItemCaseSensitive(root, "task"))
        return lm_fail(err, "the first line must name the task: {\"task\": NAME, \"instruction\": TEXT, "
                            "\"separator\": TEXT}");
    if (get_text(root, "task", 1, sizeof t->name - 1, 0, &name, err) ||
        get_text(root, "instruction", 0, MAX_INSTRUCTION, 1, &instr, err) ||
        get_text(root, "separator", 1, MAX_SEPARATOR, 0, &sep, err))
        return -1;
    for (const char *p = name; *p; p++)
        if (*p < 0x20 || *p > 0x7e) return lm_fail(err, "\"task\" must be printable ASCII");
    snprintf(t->name, sizeof t->name, "%s", name);
    t->instruction = dup_str(instr);
    t->separator = dup_str(sep);
    if (!t->instruction || !t->separator) return lm_fail(err, "out of memory");
    return 0;
}

static int read_item(lm_task *t, cJSON *root, lm_err *err) {
    const char *in, *ans;
    if (cJSON_GetObjectItemCaseSensitive(root, "task")) return lm_fail(err, "a second task line");
    if (get_text(root, "input", 1, MAX_INPUT, 0, &in, err) || get_text(root, "answer", 1, MAX_ANSWER, 0, &ans, err))
        return -1;
    if (ans[0] == ' ' || ans[0] == '\t')
        return lm_fail(err, "\"answer\" starts with a space (the separator and one space come before it)");
    if (t->n == LM_TASK_MAX_ITEMS) return lm_fail(err, "more than %d items", LM_TASK_MAX_ITEMS);
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 64;
        lm_task_item *p = realloc(t->items, (size_t)cap * sizeof *p);
        if (!p) return lm_fail(err, "out of memory");
        t->items = p;
        t->cap = cap;
    }
    lm_task_item *it = &t->items[t->n];
    it->input = dup_str(in);
    it->answer = dup_str(ans);
    t->n++;
    if (!it->input || !it->answer) return lm_fail(err, "out of memory");
    return 0;
}

static int task_line(void *user, const char *text, size_t len, int line, lm_err *err) {
    (void)line;
    lm_task *t = user;
    if (lm_jsonl_check_text(text, len, err)) return -1;
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root) return lm_fail(err, "not valid JSON");
    int rc = !cJSON_IsObject(root) ? lm_fail(err, "not a JSON object")
             : t->separator        ? read_item(t, root, err)
                                   : read_header(t, root, err);
    cJSON_Delete(root);
    return rc;
}

int lm_task_parse_buf(lm_task *t, const uint8_t *buf, size_t len, const char *name, lm_err *err) {
    memset(t, 0, sizeof *t);
    if (!name) name = "the task";
    if (lm_jsonl_each(buf, len, name, task_line, t, err)) {
        lm_task_free(t);
        return -1;
    }
    if (t->n < 2) {
        lm_task_free(t);
        return lm_fail(err, "%s: a task needs at least 2 items (one to train on, one held out)", name);
    }
    t->n_train = t->n - (int)lm_holdout_size((size_t)t->n, 1);
    return 0;
}

int lm_task_load(lm_task *t, const char *path, lm_err *err) {
    memset(t, 0, sizeof *t);
    uint8_t *data = NULL;
    size_t len = 0;
    if (lm_infile_read_all(path, "JSONL", LM_JSONL_MAX_BYTES, &data, &len, err)) return -1;
    int rc = lm_task_parse_buf(t, data, len, path, err);
    free(data);
    return rc;
}

void lm_task_free(lm_task *t) {
    for (int i = 0; i < t->n; i++) {
        free(t->items[i].input);
        free(t->items[i].answer);
    }
    free(t->items);
    free(t->instruction);
    free(t->separator);
    memset(t, 0, sizeof *t);
}

/* ---- prompts ---- */

typedef struct {
    char *s;
    size_t n, cap;
    int failed;
} strbuf;

static void put(strbuf *b, const char *s) {
    size_t k = strlen(s);
    if (b->failed) return;
    if (b->n + k + 1 > b->cap) {
        size_t cap = (b->n + k + 1) * 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, k + 1);
    b->n += k;
}

static char *done(strbuf *b) {
    if (!b->failed && b->s) return b->s;
    free(b->s);
    return NULL;
}

char *lm_task_text(const lm_task *t, lm_task_prompt how, const lm_task_item *it, const lm_task_item *const *shots,
                   int n_shots) {
    strbuf b = {0};
    put(&b, "");
    if (how != LM_TASK_SOFT && t->instruction[0]) {
        put(&b, t->instruction);
        put(&b, "\n");
    }
    for (int i = 0; how == LM_TASK_FEW_SHOT && i < n_shots; i++) {
        put(&b, shots[i]->input);
        put(&b, t->separator);
        put(&b, " ");
        put(&b, shots[i]->answer);
        put(&b, "\n");
    }
    put(&b, it->input);
    put(&b, t->separator);
    return done(&b);
}

char *lm_task_target(const lm_task_item *it) {
    strbuf b = {0};
    put(&b, " ");
    put(&b, it->answer);
    put(&b, "\n");
    return done(&b);
}

int lm_task_shots(const lm_task *t, int i, int k, uint64_t seed, const lm_task_item **shots) {
    if (k > t->n_train) k = t->n_train;
    lm_rng r;
    lm_rng_seed(&r, seed * 0x9E3779B97F4A7C15ULL + (uint64_t)i);
    int got = 0;
    while (got < k) {   /* k is small: draw again on a repeat */
        const lm_task_item *c = &t->items[lm_rng_below(&r, (uint32_t)t->n_train)];
        int seen = 0;
        for (int j = 0; j < got; j++) seen |= shots[j] == c;
        if (!seen) shots[got++] = c;
    }
    return k;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int alnum(int c) { return (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'z'); }

int lm_task_correct(const char *reply, const char *answer) {
    const char *p = reply;
    while (*p == ' ' || *p == '\t') p++;
    size_t i = 0;
    for (; answer[i]; i++)
        if (!p[i] || p[i] == '\n' || lower((unsigned char)p[i]) != lower((unsigned char)answer[i])) return 0;
    return !alnum((unsigned char)p[i]);
}

/* a training item's answer and place, sorted by answer, then by place */
typedef struct {
    const char *answer;
    int at;
} answer_at;
static int by_answer(const void *a, const void *b) {
    const answer_at *x = a, *y = b;
    int c = strcmp(x->answer, y->answer);
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

const char *lm_task_majority(const lm_task *t, int *n_held_right) {
    int n = t->n_train;
    answer_at *s = malloc((size_t)(n ? n : 1) * sizeof *s);
    if (!s) return NULL;
    for (int i = 0; i < n; i++) s[i] = (answer_at){t->items[i].answer, i};
    qsort(s, (size_t)n, sizeof *s, by_answer);
    const char *best = NULL;
    int best_n = 0, best_at = 0;
    for (int r = 0; r < n;) {   /* one run of equal answers; its first entry is the earliest item */
        int e = r;
        while (e < n && strcmp(s[e].answer, s[r].answer) == 0) e++;
        if (e - r > best_n || (e - r == best_n && s[r].at < best_at)) {
            best = s[r].answer;
            best_n = e - r;
            best_at = s[r].at;
        }
        r = e;
    }
    free(s);
    int right = 0;
    for (int i = t->n_train; best && i < t->n; i++) right += strcmp(t->items[i].answer, best) == 0;
    if (n_held_right) *n_held_right = right;
    return best;
}
