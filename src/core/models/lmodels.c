/* lmodels.c - the table of language-model kinds lm_lmodel_open can open:
 * one line per kind (its model file's kind name and its opener). */
#include "models/lmodel.h"
#include "models/ngram/ngram.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *kind;
    lm_lmodel_opener open;
} table[] = {
    {"gpt", lm_gpt_lmodel_open},
    {LM_KIND_NGRAM, lm_ngram_lmodel_open},
    {"fflm", lm_nlm_lmodel_open},
    {"rnn", lm_nlm_lmodel_open},
};
enum { N_KINDS = sizeof table / sizeof table[0] };

lm_lmodel_opener lm_lmodel_opener_for(const char *kind) {
    for (int i = 0; i < N_KINDS; i++)
        if (strcmp(table[i].kind, kind) == 0) return table[i].open;
    return NULL;
}

char *lm_lmodel_kinds(char *buf, size_t cap) {
    if (cap == 0) return buf;
    buf[0] = 0;
    for (int i = 0; i < N_KINDS; i++)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", i ? ", " : "", table[i].kind);
    return buf;
}
