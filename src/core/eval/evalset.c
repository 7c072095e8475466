/* evalset.c - reading evaluation items from JSONL (see evals.h). */
#include "eval/evals.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/infile.h"
#include "data/jsonl.h"
#include "eval/prompting.h"

static char *dup_str(const char *s) {
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

static void strings_free(char **v, int n) {
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

static void item_free(lm_eval_item *it) {
    free(it->question);
    strings_free(it->answers, it->n_answers);
    strings_free(it->wrong, it->n_wrong);
    free(it->name);
    free(it->format);
    free(it->tmpl);
    for (int i = 0; i < it->n_shots; i++) {
        free(it->shots[i].question);
        free(it->shots[i].answer);
    }
    free(it->shots);
    memset(it, 0, sizeof *it);
}

/* one string or number, as text, appended to v[*n] (room made by the caller) */
static int add_string(char **v, int *n, const cJSON *a, const char *key, lm_err *err) {
    char num[40];
    const char *s = NULL;
    if (cJSON_IsString(a)) s = a->valuestring;
    else if (cJSON_IsNumber(a)) {
        double d = a->valuedouble;
        /* integers as integers ("1879", not "1.879e+03") */
        if (d == floor(d) && fabs(d) < 1e15) snprintf(num, sizeof num, "%.0f", d);
        else snprintf(num, sizeof num, "%.17g", d);
        s = num;
    } else
        return lm_fail(err, "\"%s\" must hold strings or numbers", key);
    if (!s[0]) return lm_fail(err, "\"%s\" holds an empty %s", key, strcmp(key, "wrong") ? "answer" : "string");
    if (!(v[(*n)++] = dup_str(s))) return lm_fail(err, "out of memory");
    return 0;
}

/* obj[key]: a list of strings/numbers, or one string or number, into *v, *n */
static int read_strings(const cJSON *val, const char *key, char ***v, int *n, lm_err *err) {
    if (!cJSON_IsArray(val) && !cJSON_IsString(val) && !cJSON_IsNumber(val))
        return lm_fail(err, "\"%s\" must be a list of strings (or one string)", key);
    int cnt = cJSON_IsArray(val) ? cJSON_GetArraySize(val) : 1;
    *v = calloc((size_t)(cnt ? cnt : 1), sizeof **v);
    if (!*v) return lm_fail(err, "out of memory");
    if (!cJSON_IsArray(val)) return add_string(*v, n, val, key, err);
    const cJSON *a;
    cJSON_ArrayForEach(a, val)
        if (add_string(*v, n, a, key, err)) return -1;
    return 0;
}

/* "answers": [..] (or a single string or number), or "answer": "..";
 * "wrong": [..] */
static int read_answers(cJSON *obj, lm_eval_item *it, lm_err *err) {
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "answers");
    cJSON *one = cJSON_GetObjectItemCaseSensitive(obj, "answer");
    cJSON *wrong = cJSON_GetObjectItemCaseSensitive(obj, "wrong");
    if (arr && one) return lm_fail(err, "give \"answers\" or \"answer\", not both");
    if ((arr || one) && read_strings(arr ? arr : one, arr ? "answers" : "answer", &it->answers, &it->n_answers, err))
        return -1;
    return wrong ? read_strings(wrong, "wrong", &it->wrong, &it->n_wrong, err) : 0;
}

/* an optional non-empty string field into *out (NULL when absent) */
static int read_opt_string(cJSON *obj, const char *key, char **out, lm_err *err) {
    cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v)) return 0;
    if (!cJSON_IsString(v)) return lm_fail(err, "\"%s\" must be a string", key);
    if (!v->valuestring[0]) return lm_fail(err, "\"%s\" is empty", key);
    if (!(*out = dup_str(v->valuestring))) return lm_fail(err, "out of memory");
    return 0;
}

#define MAX_FORMAT 64

/* "name", "format" (kept without its white space: it names rows, one word
 * each), "template" */
static int read_labels(cJSON *obj, lm_eval_item *it, lm_err *err) {
    if (read_opt_string(obj, "name", &it->name, err) || read_opt_string(obj, "format", &it->format, err) ||
        read_opt_string(obj, "template", &it->tmpl, err))
        return -1;
    if (it->format) {
        size_t n = strlen(it->format), k = 0;
        if (n > MAX_FORMAT) return lm_fail(err, "\"format\" is %zu bytes (at most %d)", n, MAX_FORMAT);
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)it->format[i];
            if (c == ' ' || c == '\t') continue;
            if (c < 0x20 || c == 0x7f) return lm_fail(err, "\"format\" holds a control character");
            it->format[k++] = (char)c;
        }
        it->format[k] = 0;
        if (k == 0) return lm_fail(err, "\"format\" is only white space");
    }
    return it->tmpl ? lm_prompting_template_check(it->tmpl, err) : 0;
}

/* the expected number of a numeric kind: "count", else the first number
 * of the first answer ("3", 3, "3 r's") */
static int read_expect(cJSON *obj, lm_eval_item *it, lm_err *err) {
    cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, "count");
    if (c) {
        if (!cJSON_IsNumber(c) || c->valuedouble != floor(c->valuedouble) || c->valuedouble < 0 ||
            c->valuedouble > 1e9)
            return lm_fail(err, "\"count\" must be a whole number from 0 to 1000000000");
        it->expect = c->valuedouble;
        return 0;
    }
    if (!lm_eval_kind_numeric(it->kind)) return 0;
    if (!it->n_answers || !lm_eval_first_number(it->answers[0], &it->expect) || !isfinite(it->expect))
        return lm_fail(err, "a %s item needs a number: %s", lm_eval_kind_name(it->kind),
                       it->kind == LM_EVAL_LETTERS || it->kind == LM_EVAL_LETTERS_DIRECT
                           ? "\"count\", or a numeric \"answer\"" : "a numeric \"answer\"");
    return 0;
}

/* "kind" and "question" of the line's object into it */
static int read_kind_question(cJSON *root, lm_eval_item *it, lm_err *err) {
    cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "kind");
    cJSON *q = cJSON_GetObjectItemCaseSensitive(root, "question");
    if (!cJSON_IsString(kind)) return lm_fail(err, "no string \"kind\"");
    int k = lm_eval_kind_parse(kind->valuestring);
    if (k < 0) return lm_fail(err, "unknown kind \"%.40s\"", kind->valuestring);
    it->kind = (lm_eval_kind)k;
    if (!cJSON_IsString(q)) return lm_fail(err, q ? "\"question\" must be a string" : "no \"question\"");
    if (!q->valuestring[0]) return lm_fail(err, "\"question\" is empty");
    if (!(it->question = dup_str(q->valuestring))) return lm_fail(err, "out of memory");
    return 0;
}

/* "shots": [{"question": .., "answer": ..}, ...] (optional) */
static int read_shots(cJSON *root, lm_eval_item *it, lm_err *err) {
    cJSON *shots = cJSON_GetObjectItemCaseSensitive(root, "shots");
    if (!shots) return 0;
    if (!cJSON_IsArray(shots)) return lm_fail(err, "\"shots\" must be a list of {\"question\", \"answer\"}");
    int n = cJSON_GetArraySize(shots);
    it->shots = calloc((size_t)(n ? n : 1), sizeof *it->shots);
    if (!it->shots) return lm_fail(err, "out of memory");
    cJSON *s;
    cJSON_ArrayForEach(s, shots) {
        cJSON *sq = cJSON_GetObjectItemCaseSensitive(s, "question");
        cJSON *sa = cJSON_GetObjectItemCaseSensitive(s, "answer");
        if (!cJSON_IsString(sq) || !cJSON_IsString(sa) || !sq->valuestring[0] || !sa->valuestring[0])
            return lm_fail(err, "each shot needs a non-empty string \"question\" and \"answer\"");
        lm_eval_shot *sh = &it->shots[it->n_shots++];
        sh->question = dup_str(sq->valuestring);
        sh->answer = dup_str(sa->valuestring);
        if (!sh->question || !sh->answer) return lm_fail(err, "out of memory");
    }
    return 0;
}

static int set_push(lm_eval_set *set, lm_eval_item *it, lm_err *err) {
    if (set->n == set->cap) {
        int cap = set->cap ? set->cap * 2 : 64;
        lm_eval_item *p = realloc(set->items, (size_t)cap * sizeof *p);
        if (!p) return lm_fail(err, "out of memory");
        set->items = p;
        set->cap = cap;
    }
    set->items[set->n++] = *it;
    memset(it, 0, sizeof *it);
    return 0;
}

int lm_eval_set_parse_line(lm_eval_set *set, const char *line, size_t len, lm_err *err) {
    if (lm_jsonl_check_text(line, len, err)) return -1;
    cJSON *root = cJSON_ParseWithLength(line, len);
    if (!root) return lm_fail(err, "not valid JSON");
    lm_eval_item it = {0};
    int rc = -1;
    if (read_kind_question(root, &it, err) || read_answers(root, &it, err) || read_labels(root, &it, err) ||
        read_expect(root, &it, err))
        goto done;
    /* the refusal kinds judge "I don't know", the numeric ones a number */
    int needs_answers = it.kind != LM_EVAL_UNKNOWN && it.kind != LM_EVAL_UNKNOWN_ATTR &&
                        !lm_eval_kind_numeric(it.kind);
    if (it.n_answers == 0 && needs_answers) {
        lm_fail(err, "a %s item needs \"answers\" or \"answer\"", lm_eval_kind_name(it.kind));
        goto done;
    }
    if (read_shots(root, &it, err) || set_push(set, &it, err)) goto done;
    rc = 0;
done:
    item_free(&it);
    cJSON_Delete(root);
    return rc;
}

static int eval_line(void *user, const char *text, size_t len, int line, lm_err *err) {
    (void)line;
    return lm_eval_set_parse_line(user, text, len, err);
}

int lm_eval_set_parse_buf(lm_eval_set *set, const uint8_t *buf, size_t len, const char *name, lm_err *err) {
    memset(set, 0, sizeof *set);
    if (lm_jsonl_each(buf, len, name, eval_line, set, err)) {
        lm_eval_set_free(set);
        return -1;
    }
    if (set->n == 0)
        return lm_fail(err, "%s has no evaluation items (one JSON object per line)", name ? name : "the set");
    return 0;
}

int lm_eval_set_load(lm_eval_set *set, const char *path, lm_err *err) {
    memset(set, 0, sizeof *set);
    uint8_t *data = NULL;
    size_t len = 0;
    if (lm_infile_read_all(path, "JSONL", LM_JSONL_MAX_BYTES, &data, &len, err)) return -1;
    int rc = lm_eval_set_parse_buf(set, data, len, path, err);
    free(data);
    return rc;
}

void lm_eval_set_free(lm_eval_set *set) {
    for (int i = 0; i < set->n; i++) item_free(&set->items[i]);
    free(set->items);
    memset(set, 0, sizeof *set);
}

const char *lm_eval_item_format(const lm_eval_item *it) {
    return it->format ? it->format : "default";
}

int lm_eval_set_count(const lm_eval_set *set, lm_eval_kind k) {
    int c = 0;
    for (int i = 0; i < set->n; i++) c += set->items[i].kind == k;
    return c;
}

