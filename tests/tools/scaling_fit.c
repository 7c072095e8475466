/* scaling_fit.c - prints the scaling laws llmlab fits to a results file, at
 * full precision, for tests/scaling_fit_test.py to check against numpy.
 *
 * usage: scaling_fit RESULTS.tsv
 * Output, one line each (numbers with %.17g, row indices from 0):
 *   sizes S                      sizes found
 *   params A ALPHA R2 N i...     L(N): the fit and the rows it was fitted to
 *   compute A ALPHA R2 N i...    L(C): the same for the compute frontier
 *   params_offset C A ALPHA R2 SSE    L(N) with an offset (when fitted)
 *   compute_offset C A ALPHA R2 SSE   L(C) the same
 * A law that could not be fitted prints "nofit" for A ALPHA R2.
 * Exit 1 with the message on stderr when the file is refused. */
#include <stdio.h>

#include "scaling/laws.h"
#include "scaling/results.h"

static void print_law(const char *name, const lm_scaling_law *l) {
    printf("%s", name);
    if (l->fitted) printf(" %.17g %.17g %.17g", l->fit.a, l->fit.alpha, l->fit.r2);
    else printf(" nofit nofit nofit");
    printf(" %d", l->n);
    for (int k = 0; k < l->n; k++) printf(" %d", l->idx[k]);
    printf("\n");
    if (l->off_fitted)
        printf("%s_offset %.17g %.17g %.17g %.17g %.17g\n", name, l->off.c, l->off.a, l->off.alpha, l->off.r2,
               l->off.sse);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: scaling_fit RESULTS.tsv\n");
        return 2;
    }
    lm_scaling_table t = {0};
    lm_scaling_laws l;
    lm_err err = {{0}};
    if (lm_scaling_tsv_load(&t, argv[1], &err) || lm_scaling_laws_fit(&t, &l, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    printf("sizes %d\n", l.n_sizes);
    print_law("params", &l.by_params);
    print_law("compute", &l.by_compute);
    lm_scaling_laws_free(&l);
    lm_scaling_table_free(&t);
    return 0;
}
