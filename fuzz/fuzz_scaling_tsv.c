/* fuzz_scaling_tsv.c - libFuzzer target: the scaling results reader on
 * arbitrary bytes, from memory (lm_scaling_tsv_parse, scaling/results.h:
 * the very code lm_scaling_tsv_load runs on a file's bytes). A failure must
 * say why and leave the table empty; a table that loads must hold rows the
 * sweep could have made (counts of their config, tokens = steps x batch x
 * seq, finite positive losses), write back to text that reads back to the
 * same rows, and fit both laws without failing. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scaling/laws.h"
#include "scaling/results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lm_scaling_table t = {0}, back = {0};
    lm_err err = {{0}};
    if (lm_scaling_tsv_parse(&t, (const char *)data, size, "fuzz", &err) != 0) {
        if (!err.msg[0] || t.n != 0 || t.rows) abort();   /* a failure says why, keeps nothing */
        return 0;
    }
    for (int i = 0; i < t.n; i++) {
        const lm_scaling_row *r = &t.rows[i];
        if (r->tokens != (long long)r->steps * r->batch * r->seq || r->seq > r->n_ctx) abort();
        if (!(isfinite(r->val_loss) && r->val_loss > 0 && isfinite(r->train_loss) && r->train_loss > 0)) abort();
        if (r->params <= r->params_nonembed || !(lm_scaling_compute(r) >= 0)) abort();
    }
    size_t len;
    char *text = lm_scaling_tsv_format(&t, &len, &err);
    if (!text) abort();
    if (lm_scaling_tsv_parse(&back, text, len, "again", &err) != 0 || back.n != t.n) abort();
    for (int i = 0; i < t.n; i++)
        if (!lm_scaling_same_run(&back.rows[i], &t.rows[i])) abort();
    free(text);
    if (t.n > 0) {
        lm_scaling_laws l;
        if (lm_scaling_laws_fit(&t, &l, &err) != 0) abort();
        if (l.by_params.n < 1 || l.by_compute.n < 1 || l.n_sizes < 1) abort();
        lm_scaling_laws_free(&l);
    }
    lm_scaling_table_free(&back);
    lm_scaling_table_free(&t);
    return 0;
}
