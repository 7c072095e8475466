/* embshow.c - an embedding space's neighbours and PCA as terminal tables, a
 * text scatter, or CSV (see embshow.h). */
#include "cli/embshow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/show.h"

void emb_show_name(const emb_show *s, int32_t id, char *out, size_t cap) {
    size_t len;
    const uint8_t *b = lm_emb_label(s->sp, id, &len);
    if (b) show_piece(b, len, !show_unicode_ok(), out, cap);
    else snprintf(out, cap, "<%d>", id);
}

void emb_show_csv_name(const emb_show *s, int32_t id) {
    char p[160];
    emb_show_name(s, id, p, sizeof p);
    FILE *f = s->ctx->out;
    fputc('"', f);
    for (const char *c = p; *c; c++) {
        if (*c == '"') fputc('"', f);
        fputc(*c, f);
    }
    fputc('"', f);
}

/* terminal columns of a UTF-8 string (one per code point) */
static int cols_of(const char *p) {
    int cols = 0;
    for (const char *c = p; *c; c++) cols += ((unsigned char)*c & 0xC0) != 0x80;
    return cols;
}

void emb_show_hits_head(const emb_show *s) {
    fprintf(s->ctx->out, "  %3s  %-16s %6s  %7s\n", "#", s->item, "id", "cosine");
}

void emb_show_hits(const emb_show *s, const char *kind, const lm_emb_hits *h) {
    FILE *f = s->ctx->out;
    char p[160], bar[200];
    for (int i = 0; i < h->k; i++) {
        if (s->csv) {
            fprintf(f, "%s,%d,%d,", kind, i + 1, h->id[i]);
            emb_show_csv_name(s, h->id[i]);
            fprintf(f, ",%.9g\n", h->sim[i]);
            continue;
        }
        emb_show_name(s, h->id[i], p, sizeof p);
        show_bar(h->sim[i] > 0 ? h->sim[i] : 0, 30, !show_unicode_ok(), bar, sizeof bar);
        int cols = cols_of(p);
        fprintf(f, "  %3d  %s%*s %6d  %7.4f  ", i + 1, p, cols < 16 ? 16 - cols : 0, "", h->id[i], h->sim[i]);
        show_color(f, s->ctx->color, "32");
        fputs(bar, f);
        show_reset(f, s->ctx->color);
        fputc('\n', f);
    }
}

int emb_show_near(const emb_show *s, int32_t id, int k, const char *rows, int blank_first) {
    FILE *f = s->ctx->out;
    lm_emb_hits h;
    lm_err err = {{0}};
    if (lm_emb_neighbours(s->sp, id, k, &h, &err)) {
        fprintf(s->ctx->err, "llmlab %s: %s\n", s->cmd, err.msg);
        return 1;
    }
    if (s->csv) {
        fprintf(f, "query,near,%d,", id);
        emb_show_csv_name(s, id);
        fputc('\n', f);
    } else {
        char p[160];
        if (blank_first) fputc('\n', f);
        emb_show_name(s, id, p, sizeof p);
        fprintf(f, "nearest to %s (id %d) by cosine similarity, among the %d %s [%d x %d]:\n", p, id, s->sp->V, rows,
                s->sp->V, s->sp->C);
        emb_show_hits_head(s);
    }
    emb_show_hits(s, "near", &h);
    lm_emb_hits_free(&h);
    return 0;
}

/* ------------------------------------------------------------ the scatter */

/* a grid of w x h cells, one UTF-8 glyph each ("" = blank) */
typedef struct { char g[8]; } cell;

/* writes s (one code point per column) at (y, x) when every cell it needs is
 * inside the row and blank; returns the columns written, -1 when it did not fit */
static int put_text(cell *grid, int w, int y, int x, const char *s) {
    int n = 0;
    for (const char *p = s; *p; n++) {
        if (x + n < 0 || x + n >= w || grid[y * w + x + n].g[0]) return -1;
        p++;
        while (((unsigned char)*p & 0xC0) == 0x80) p++;
    }
    n = 0;
    for (const char *p = s; *p; n++) {
        int len = 1;
        while (len < 4 && ((unsigned char)p[len] & 0xC0) == 0x80) len++;
        memcpy(grid[y * w + x + n].g, p, (size_t)len);
        grid[y * w + x + n].g[len] = 0;
        p += len;
    }
    return n;
}

void emb_show_scatter(const emb_show *s, const lm_emb_pca *pc, FILE *f) {
    const int w = s->sw, h = s->sh;
    cell *grid = calloc((size_t)w * h, sizeof *grid);
    if (!grid) return;
    float lo[2] = {pc->xy[0], pc->xy[1]}, hi[2] = {pc->xy[0], pc->xy[1]};
    for (int i = 1; i < pc->n; i++)
        for (int a = 0; a < 2; a++) {
            float v = pc->xy[i * 2 + a];
            if (v < lo[a]) lo[a] = v;
            if (v > hi[a]) hi[a] = v;
        }
    int *cx = malloc(sizeof(int) * pc->n), *cy = malloc(sizeof(int) * pc->n);
    if (!cx || !cy) { free(grid); free(cx); free(cy); return; }
    const char *mark = show_unicode_ok() ? "\xe2\x80\xa2" : "*";
    /* the marks first (labels must not cover them), leaving room for labels on the right */
    int xw = w - 8 > 1 ? w - 8 : w;
    for (int i = 0; i < pc->n; i++) {
        double fx = hi[0] > lo[0] ? (pc->xy[i * 2] - lo[0]) / (hi[0] - lo[0]) : 0.5;
        double fy = hi[1] > lo[1] ? (pc->xy[i * 2 + 1] - lo[1]) / (hi[1] - lo[1]) : 0.5;
        cx[i] = (int)lround(fx * (xw - 1));
        cy[i] = (int)lround((1 - fy) * (h - 1));
        put_text(grid, w, cy[i], cx[i], mark);   /* a point on another's cell shows once */
    }
    char p[160], lab[160];
    for (int i = 0; i < pc->n; i++) {   /* each label right of its mark, else left, else left out */
        emb_show_name(s, pc->id[i], p, sizeof p);
        snprintf(lab, sizeof lab, "%s", p);
        int cols = 0;
        char *c = lab;
        for (; *c && cols < 12; c++) cols += ((unsigned char)*c & 0xC0) != 0x80;
        while (((unsigned char)*c & 0xC0) == 0x80) c++;
        *c = 0;
        cols = cols_of(lab);
        if (put_text(grid, w, cy[i], cx[i] + 1, lab) < 0) put_text(grid, w, cy[i], cx[i] - cols, lab);
    }
    const char *vbar = show_unicode_ok() ? "\xe2\x94\x82" : "|", *hbar = show_unicode_ok() ? "\xe2\x94\x80" : "-";
    fprintf(f, "  PC2 ^  (%.2f .. %.2f)\n", lo[1], hi[1]);
    for (int y = 0; y < h; y++) {
        fprintf(f, "      %s", vbar);
        for (int x = 0; x < w; x++) fputs(grid[y * w + x].g[0] ? grid[y * w + x].g : " ", f);
        fputc('\n', f);
    }
    fprintf(f, "      +");
    for (int x = 0; x < w; x++) fputs(hbar, f);
    fprintf(f, "> PC1  (%.2f .. %.2f)\n", lo[0], hi[0]);
    free(grid); free(cx); free(cy);
}

int emb_show_pca(const emb_show *s, const int32_t *ids, int n) {
    cli_ctx *ctx = s->ctx;
    lm_emb_pca pc;
    lm_err err = {{0}};
    if (lm_emb_pca2(s->sp, ids, n, &pc, &err)) {
        fprintf(ctx->err, "llmlab %s: %s\n", s->cmd, err.msg);
        return 1;
    }
    char p[160];
    if (s->csv) {
        fprintf(ctx->out, "pca_var,%.9g,%.9g\n", pc.var[0], pc.var[1]);
        for (int i = 0; i < n; i++) {
            fprintf(ctx->out, "pca,%d,%d,", i, pc.id[i]);
            emb_show_csv_name(s, pc.id[i]);
            fprintf(ctx->out, ",%.9g,%.9g\n", pc.xy[i * 2], pc.xy[i * 2 + 1]);
        }
    } else {
        fprintf(ctx->out, "PCA of %d %ss: their embeddings (%d numbers each) centred and projected on\n"
                          "their top two principal components. PC1 shows %.1f%% of their variance, PC2 %.1f%%.\n",
                n, s->item, s->sp->C, 100 * pc.var[0], 100 * pc.var[1]);
        fprintf(ctx->out, "  %-16s %6s  %8s  %8s\n", s->item, "id", "PC1", "PC2");
        for (int i = 0; i < n; i++) {
            emb_show_name(s, pc.id[i], p, sizeof p);
            int cols = cols_of(p);
            fprintf(ctx->out, "  %s%*s %6d  %8.4f  %8.4f\n", p, cols < 16 ? 16 - cols : 0, "", pc.id[i],
                    pc.xy[i * 2], pc.xy[i * 2 + 1]);
        }
        emb_show_scatter(s, &pc, ctx->out);
    }
    lm_emb_pca_free(&pc);
    return 0;
}
