/* evalset.c - reading evaluation items from JSONL (see evals.h). */
#include "eval/evals.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/infile.h"
#include "data/jsonl.h"

static char *dup_str(const char *s) {
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d) memcpy(d, s, n + 1);
    return d;
}

static void item_free(lm_eval_item *it) {
    free(it->question);
    for (int i = 0; i < it->n_answers; i++) free(it->answers[i]);
    free(it->answers);
    for (int i = 0; i < it->n_shots; i++) {
        free(it->shots[i].question);
        free(it->shots[i].answer);
    }
    free(it->shots);
    memset(it, 0, sizeof *it);
}

/* one answer: a string or a number, as text, into it->answers */
static int add_answer(lm_eval_item *it, const cJSON *a, const char *key, lm_err *err) {
    char num[32];
    const char *s = NULL;
    if (cJSON_IsString(a)) s = a->valuestring;
    else if (cJSON_IsNumber(a)) {
        snprintf(num, sizeof num, "%g", a->valuedouble);
        s = num;
    } else
        return lm_fail(err, "\"%s\" must be a string or a number", key);
    if (!s[0]) return lm_fail(err, "\"%s\" holds an empty answer", key);
    if (!(it->answers[it->n_answers++] = dup_str(s))) return lm_fail(err, "out of memory");
    return 0;
}

/* "answers": [..] (or a single string or number), or "answer": ".." */
static int read_answers(cJSON *obj, lm_eval_item *it, lm_err *err) {
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "answers");
    cJSON *one = cJSON_GetObjectItemCaseSensitive(obj, "answer");
    if (arr && one) return lm_fail(err, "give \"answers\" or \"answer\", not both");
    if (!arr && !one) return 0;
    if (arr && !cJSON_IsArray(arr) && !cJSON_IsString(arr) && !cJSON_IsNumber(arr))
        return lm_fail(err, "\"answers\" must be a list of strings (or one string)");
    int n = arr && cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 1;
    it->answers = calloc((size_t)(n ? n : 1), sizeof *it->answers);
    if (!it->answers) return lm_fail(err, "out of memory");
    if (!arr || !cJSON_IsArray(arr)) return add_answer(it, arr ? arr : one, arr ? "answers" : "answer", err);
    cJSON *a;
    cJSON_ArrayForEach(a, arr) {
        if (!cJSON_IsString(a) && !cJSON_IsNumber(a)) return lm_fail(err, "\"answers\" must hold strings");
        if (add_answer(it, a, "answers", err)) return -1;
    }
    return 0;
}

/* "kind" and "question" of the line's object into it */
static int read_kind_question(cJSON *root, lm_eval_item *it, lm_err *err) {
    cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "kind");
    cJSON *q = cJSON_GetObjectItemCaseSensitive(root, "question");
    if (!cJSON_IsString(kind)) return lm_fail(err, "no string \"kind\"");
    int k = -1;
    for (int i = 0; i < LM_EVAL_N_KINDS; i++)
        if (strcmp(kind->valuestring, lm_eval_kind_name((lm_eval_kind)i)) == 0) k = i;
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
    if (!cJSON_IsArray(shots)) return 0;
    int n = cJSON_GetArraySize(shots);
    it->shots = calloc((size_t)(n ? n : 1), sizeof *it->shots);
    if (!it->shots) return lm_fail(err, "out of memory");
    cJSON *s;
    cJSON_ArrayForEach(s, shots) {
        cJSON *sq = cJSON_GetObjectItemCaseSensitive(s, "question");
        cJSON *sa = cJSON_GetObjectItemCaseSensitive(s, "answer");
        if (!cJSON_IsString(sq) || !cJSON_IsString(sa))
            return lm_fail(err, "each shot needs string \"question\" and \"answer\"");
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
    if (read_kind_question(root, &it, err) || read_answers(root, &it, err)) goto done;
    if (it.n_answers == 0 && it.kind != LM_EVAL_UNKNOWN) {
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

int lm_eval_set_count(const lm_eval_set *set, lm_eval_kind k) {
    int c = 0;
    for (int i = 0; i < set->n; i++) c += set->items[i].kind == k;
    return c;
}

