/* ngram_dump.c - counts a token stream with the n-gram core and prints what
 * tests/ngram_ref_test.py recomputes on its own: the rows as a model file
 * stores them, the discounts, whole next-token distributions and the nll of
 * a held-out sequence, under every smoothing and every order.
 *
 * usage: ngram_dump ORDER VOCAB CHUNKS IDS QUERIES
 *   IDS      token ids separated by white space (the stream counted, cut
 *            into CHUNKS equal parts counted one after another)
 *   QUERIES  lines "ctx ID ..." (a context, maybe empty) or "nll ID ..."
 * Output lines (numbers with %.17g):
 *   rows LEVEL CTXROW ID COUNT     (the file's order: lm_ngram_serialize)
 *   disc SMOOTH ORDER LEVEL D1 D2 D3
 *   dist SMOOTH ORDER Q P0 .. P(V-1)     (Q = the query's line number)
 *   nll SMOOTH ORDER Q NATS
 * SMOOTH is one of addk1 (k = 1), addk0.5, kn, mkn, kn0.75 (fixed discount).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/ngram/ngram.h"

static int32_t *read_ids(FILE *f, size_t *n) {
    size_t cap = 1024;
    int32_t *ids = malloc(cap * sizeof *ids);
    long v;
    *n = 0;
    while (ids && fscanf(f, "%ld", &v) == 1) {
        if (*n == cap) ids = realloc(ids, (cap *= 2) * sizeof *ids);
        if (ids) ids[(*n)++] = (int32_t)v;
    }
    return ids;
}

/* the ids of one query line after its first word */
static size_t parse_line(char *line, int32_t *ids, size_t cap) {
    size_t n = 0;
    strtok(line, " \t\n");
    for (char *w = strtok(NULL, " \t\n"); w && n < cap; w = strtok(NULL, " \t\n")) ids[n++] = (int32_t)atol(w);
    return n;
}

static const struct {
    const char *name;
    lm_ngram_smoothing s;
    float k, d;
} SMOOTH[] = {
    {"addk1", LM_NGRAM_ADDK, 1.0f, 0}, {"addk0.5", LM_NGRAM_ADDK, 0.5f, 0}, {"kn", LM_NGRAM_KN, 1, 0},
    {"mkn", LM_NGRAM_MKN, 1, 0},       {"kn0.75", LM_NGRAM_KN, 1, 0.75f},
};

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: ngram_dump ORDER VOCAB CHUNKS IDS QUERIES\n");
        return 2;
    }
    int N = atoi(argv[1]), V = atoi(argv[2]), chunks = atoi(argv[3]);
    lm_err err = {{0}};
    FILE *f = fopen(argv[4], "r");
    if (!f || chunks < 1) return 2;
    size_t n;
    int32_t *ids = read_ids(f, &n);
    fclose(f);
    lm_ngram_config cfg = {N, LM_NGRAM_KN, 1, 0};
    lm_ngram *g = lm_ngram_new(&cfg, V, &err);
    if (!g || !ids) {
        fprintf(stderr, "ngram_dump: %s\n", err.msg);
        return 1;
    }
    for (int c = 0; c < chunks; c++) {
        size_t a = n * (size_t)c / (size_t)chunks, b = n * (size_t)(c + 1) / (size_t)chunks;
        if (lm_ngram_count(g, ids + a, b - a, &err)) {
            fprintf(stderr, "ngram_dump: %s\n", err.msg);
            return 1;
        }
    }
    uint8_t config[LM_NGRAM_CONFIG_BYTES];
    float *rows;
    uint64_t np;
    if (lm_ngram_serialize(g, config, &rows, &np, &err)) return 1;
    size_t at = 0;
    for (int lev = 1; lev <= N; lev++)
        for (uint32_t r = 0; r < lm_ngram_rows(g, lev); r++, at += 3)
            printf("rows %d %.17g %.17g %.17g\n", lev, rows[at], rows[at + 1], rows[at + 2]);
    free(rows);
    double *p = malloc((size_t)V * sizeof *p);
    int32_t q[4096];
    char line[65536];
    for (size_t s = 0; s < sizeof SMOOTH / sizeof SMOOTH[0]; s++)
        for (int order = 1; order <= N; order++) {
            if (lm_ngram_set_query(g, order, SMOOTH[s].s, SMOOTH[s].k, SMOOTH[s].d, &err)) {
                fprintf(stderr, "ngram_dump: %s\n", err.msg);
                return 1;
            }
            for (int lev = 1; lev <= order; lev++) {
                double d[3];
                lm_ngram_discounts(g, lev, d);
                printf("disc %s %d %d %.17g %.17g %.17g\n", SMOOTH[s].name, order, lev, d[0], d[1], d[2]);
            }
            FILE *qf = fopen(argv[5], "r");
            if (!qf) return 2;
            for (int qi = 0; fgets(line, sizeof line, qf); qi++) {
                int is_nll = strncmp(line, "nll", 3) == 0;
                size_t m = parse_line(line, q, sizeof q / sizeof q[0]);
                if (is_nll) {
                    printf("nll %s %d %d %.17g\n", SMOOTH[s].name, order, qi, lm_ngram_nll(g, q, m));
                    continue;
                }
                lm_ngram_dist(g, q, m, p);
                printf("dist %s %d %d", SMOOTH[s].name, order, qi);
                for (int i = 0; i < V; i++) printf(" %.17g", p[i]);
                printf("\n");
            }
            fclose(qf);
        }
    free(p);
    free(ids);
    lm_ngram_free(g);
    return 0;
}
