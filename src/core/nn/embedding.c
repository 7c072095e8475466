/* embedding.c - cosine neighbours, analogies and PCA over an embedding
 * table (see embedding.h). */
#include "nn/embedding.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int lm_emb_open(lm_emb_space *s, const float *E, int V, int C, lm_emb_label_fn label,
                const void *label_ctx, lm_err *err) {
    memset(s, 0, sizeof *s);
    if (!E || V < 1 || C < 1) return lm_fail(err, "embedding table: empty (%d x %d)", V, C);
    s->norm = malloc(sizeof(float) * (size_t)V);
    if (!s->norm) return lm_fail(err, "out of memory");
    s->E = E; s->V = V; s->C = C;
    s->label = label; s->label_ctx = label_ctx;
    for (int i = 0; i < V; i++) {
        const float *r = E + (size_t)i * C;
        double ss = 0.0;
        for (int j = 0; j < C; j++) ss += (double)r[j] * r[j];
        s->norm[i] = (float)sqrt(ss);
    }
    return 0;
}

void lm_emb_close(lm_emb_space *s) {
    if (!s) return;
    free(s->norm);
    memset(s, 0, sizeof *s);
}

const uint8_t *lm_emb_label(const lm_emb_space *s, int32_t id, size_t *len) {
    *len = 0;
    if (!s->label || id < 0 || id >= s->V) return NULL;
    return s->label(s->label_ctx, id, len);
}

int32_t lm_emb_find(const lm_emb_space *s, const uint8_t *text, size_t len) {
    for (int32_t i = 0; i < s->V; i++) {
        size_t n;
        const uint8_t *b = lm_emb_label(s, i, &n);
        if (b && n == len && memcmp(b, text, len) == 0) return i;
    }
    return -1;
}

float lm_emb_cosine(const lm_emb_space *s, int32_t a, int32_t b) {
    const float *x = s->E + (size_t)a * s->C, *y = s->E + (size_t)b * s->C;
    double d = 0.0;
    for (int j = 0; j < s->C; j++) d += (double)x[j] * y[j];
    double nn = (double)s->norm[a] * s->norm[b];
    return nn > 0 ? (float)(d / nn) : 0.0f;
}

void lm_emb_hits_free(lm_emb_hits *h) {
    if (!h) return;
    free(h->id);
    free(h->sim);
    memset(h, 0, sizeof *h);
}

static int check_id(const lm_emb_space *s, int32_t id, lm_err *err) {
    if (id < 0 || id >= s->V) return lm_fail(err, "id %d outside the table (0..%d)", id, s->V - 1);
    return 0;
}

int lm_emb_nearest(const lm_emb_space *s, const float *q, const int32_t *exclude, int n_ex, int k,
                   lm_emb_hits *out, lm_err *err) {
    memset(out, 0, sizeof *out);
    const int V = s->V, C = s->C;
    float *dot = malloc(sizeof(float) * (size_t)V);   /* E q: [V] */
    if (!dot) return lm_fail(err, "out of memory");
    cblas_sgemv(CblasRowMajor, CblasNoTrans, V, C, 1.0f, s->E, C, q, 1, 0.0f, dot, 1);
    double qq = 0.0;
    for (int j = 0; j < C; j++) qq += (double)q[j] * q[j];
    double qn = sqrt(qq);
    if (k > V) k = V;
    out->id = malloc(sizeof(int32_t) * (size_t)(k > 0 ? k : 1));
    out->sim = malloc(sizeof(float) * (size_t)(k > 0 ? k : 1));
    if (!out->id || !out->sim) {
        free(dot);
        lm_emb_hits_free(out);
        return lm_fail(err, "out of memory");
    }
    int n = 0;   /* kept so far, sorted: highest cosine first, ties to the lower id */
    for (int32_t v = 0; v < V && k > 0; v++) {
        int skip = 0;
        for (int e = 0; e < n_ex; e++) skip |= exclude[e] == v;
        if (skip) continue;
        double nn = qn * s->norm[v];
        float c = nn > 0 ? (float)(dot[v] / nn) : 0.0f;
        if (n == k && c <= out->sim[k - 1]) continue;
        int j = n < k ? n++ : k - 1;
        while (j > 0 && c > out->sim[j - 1]) {
            out->id[j] = out->id[j - 1];
            out->sim[j] = out->sim[j - 1];
            j--;
        }
        out->id[j] = v;
        out->sim[j] = c;
    }
    out->k = n;
    free(dot);
    return 0;
}

int lm_emb_neighbours(const lm_emb_space *s, int32_t id, int k, lm_emb_hits *out, lm_err *err) {
    memset(out, 0, sizeof *out);
    if (check_id(s, id, err)) return -1;
    return lm_emb_nearest(s, s->E + (size_t)id * s->C, &id, 1, k, out, err);
}

int lm_emb_analogy(const lm_emb_space *s, int32_t a, int32_t b, int32_t c, int k, lm_emb_hits *out,
                   lm_err *err) {
    memset(out, 0, sizeof *out);
    if (check_id(s, a, err) || check_id(s, b, err) || check_id(s, c, err)) return -1;
    const int C = s->C;
    float *t = malloc(sizeof(float) * (size_t)C);
    if (!t) return lm_fail(err, "out of memory");
    const float *ea = s->E + (size_t)a * C, *eb = s->E + (size_t)b * C, *ec = s->E + (size_t)c * C;
    double ia = s->norm[a] > 0 ? 1.0 / s->norm[a] : 0, ib = s->norm[b] > 0 ? 1.0 / s->norm[b] : 0,
           ic = s->norm[c] > 0 ? 1.0 / s->norm[c] : 0;
    for (int j = 0; j < C; j++) t[j] = (float)(eb[j] * ib - ea[j] * ia + ec[j] * ic);
    int32_t ex[3] = {a, b, c};
    int rc = lm_emb_nearest(s, t, ex, 3, k, out, err);
    free(t);
    return rc;
}

/* ------------------------------------------------------------ PCA */

void lm_emb_pca_free(lm_emb_pca *p) {
    if (!p) return;
    free(p->id);
    free(p->xy);
    memset(p, 0, sizeof *p);
}

/* Eigen-decomposition of the symmetric A [n, n] (destroyed: its diagonal
 * ends as the eigenvalues) by cyclic Jacobi rotations; U [n, n] receives the
 * eigenvectors as columns. Each rotation in the plane (p, q) zeroes A[p][q];
 * sweeps repeat until the off-diagonal part is negligible. */
static void jacobi_eigen(double *A, double *U, int n) {
#define AT(M, i, j) (M)[(size_t)(i) * n + (j)]
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) AT(U, i, j) = i == j;
    double scale = 0.0;
    for (int i = 0; i < n * n; i++) scale += A[i] * A[i];
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0.0;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++) off += AT(A, p, q) * AT(A, p, q);
        if (off <= 1e-30 * scale || off == 0.0) break;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++) {
                double apq = AT(A, p, q);
                if (fabs(apq) < 1e-300) continue;
                double theta = (AT(A, q, q) - AT(A, p, p)) / (2.0 * apq);
                double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
                double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
                for (int k = 0; k < n; k++) {   /* A J */
                    double akp = AT(A, k, p), akq = AT(A, k, q);
                    AT(A, k, p) = c * akp - s * akq;
                    AT(A, k, q) = s * akp + c * akq;
                }
                for (int k = 0; k < n; k++) {   /* J^T (A J) */
                    double apk = AT(A, p, k), aqk = AT(A, q, k);
                    AT(A, p, k) = c * apk - s * aqk;
                    AT(A, q, k) = s * apk + c * aqk;
                }
                for (int k = 0; k < n; k++) {   /* U J */
                    double ukp = AT(U, k, p), ukq = AT(U, k, q);
                    AT(U, k, p) = c * ukp - s * ukq;
                    AT(U, k, q) = s * ukp + c * ukq;
                }
            }
    }
#undef AT
}

int lm_emb_pca2(const lm_emb_space *s, const int32_t *ids, int n, lm_emb_pca *out, lm_err *err) {
    memset(out, 0, sizeof *out);
    if (n < 2) return lm_fail(err, "PCA needs at least 2 rows, got %d", n);
    if (n > LM_EMB_PCA_MAX) return lm_fail(err, "PCA of at most %d rows, got %d", LM_EMB_PCA_MAX, n);
    for (int i = 0; i < n; i++)
        if (check_id(s, ids[i], err)) return -1;
    const int C = s->C;
    double *X = malloc(sizeof(double) * (size_t)n * C);   /* centred rows [n, C] */
    double *G = malloc(sizeof(double) * (size_t)n * n);   /* Gram X X^T [n, n] */
    double *U = malloc(sizeof(double) * (size_t)n * n);
    double *mean = calloc((size_t)C, sizeof(double));
    out->id = malloc(sizeof(int32_t) * (size_t)n);
    out->xy = malloc(sizeof(float) * (size_t)n * 2);
    if (!X || !G || !U || !mean || !out->id || !out->xy) {
        free(X); free(G); free(U); free(mean);
        lm_emb_pca_free(out);
        return lm_fail(err, "out of memory");
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < C; j++) mean[j] += s->E[(size_t)ids[i] * C + j];
    for (int j = 0; j < C; j++) mean[j] /= n;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < C; j++) X[(size_t)i * C + j] = s->E[(size_t)ids[i] * C + j] - mean[j];
    double trace = 0.0;
    for (int i = 0; i < n; i++)
        for (int k = i; k < n; k++) {
            double d = 0.0;
            for (int j = 0; j < C; j++) d += X[(size_t)i * C + j] * X[(size_t)k * C + j];
            G[(size_t)i * n + k] = G[(size_t)k * n + i] = d;
            if (i == k) trace += d;
        }
    jacobi_eigen(G, U, n);
    /* the two largest eigenvalues (lower index first on a tie) */
    int best[2] = {-1, -1};
    for (int a = 0; a < 2; a++)
        for (int i = 0; i < n; i++) {
            if (i == best[0]) continue;
            if (best[a] < 0 || G[(size_t)i * n + i] > G[(size_t)best[a] * n + best[a]]) best[a] = i;
        }
    out->n = n;
    memcpy(out->id, ids, sizeof(int32_t) * (size_t)n);
    for (int a = 0; a < 2; a++) {
        int e = best[a];
        double lam = G[(size_t)e * n + e];
        if (lam < 0) lam = 0;   /* rounding: G is positive semi-definite */
        double sl = sqrt(lam);
        out->var[a] = trace > 0 ? lam / trace : 0.0;
        int far = 0;   /* the sign: the point farthest along the axis is positive */
        for (int i = 1; i < n; i++)
            if (fabs(U[(size_t)i * n + e]) > fabs(U[(size_t)far * n + e]) + 1e-12) far = i;
        double sign = U[(size_t)far * n + e] < 0 ? -1.0 : 1.0;
        for (int i = 0; i < n; i++) out->xy[(size_t)i * 2 + a] = (float)(sign * U[(size_t)i * n + e] * sl);
    }
    free(X); free(G); free(U); free(mean);
    return 0;
}
