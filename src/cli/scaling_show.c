/* scaling_show.c - the table of runs and `llmlab scaling plot` (see
 * scaling_show.h). */
#include "cli/scaling_show.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opts.h"
#include "cli/sandbox.h"
#include "cli/show.h"
#include "io/atomic.h"
#include "scaling/laws.h"
#include "scaling/results.h"
#include "ui/export.h"
#include "ui/scaling_draw.h"

#define PLOT_H 14   /* rows of each plot */

void cli_scaling_header(FILE *f, const char *lead) {
    fprintf(f, "%-5s %-7s %6s %6s %6s %8s %9s %6s %6s %7s\n", lead, "size", "N", "params", "D", "D/params", "C",
            "train", "val", "time");
}

char *cli_scaling_row_text(char *buf, size_t cap, const char *lead, const lm_scaling_row *r) {
    char size[32], n[16], p[16], d[16];
    double tpp = lm_scaling_tokens_per_param(r);
    snprintf(buf, cap, "%-5s %-7s %6s %6s %6s %8.*f %9.2e %6.3f %6.3f %6.1fs", lead,
            lm_scaling_size_format(&r->size, size, sizeof size), scaling_si((double)r->params_nonembed, n, sizeof n),
            scaling_si((double)r->params, p, sizeof p), scaling_si((double)r->tokens, d, sizeof d), tpp < 10 ? 1 : 0,
            tpp, lm_scaling_compute(r), r->train_loss, r->val_loss, r->seconds);
    return buf;
}

/* the runs of the compute frontier with their tokens per parameter, in
 * lines of at most 78 columns */
static void print_frontier(FILE *f, const lm_scaling_table *t, const lm_scaling_laws *l) {
    fputs("the compute frontier, cheapest first (size on D tokens: tokens per parameter):\n ", f);
    int col = 1;
    for (int k = 0; k < l->by_compute.n; k++) {
        const lm_scaling_row *r = &t->rows[l->by_compute.idx[k]];
        char size[32], d[16], item[80];
        int len = snprintf(item, sizeof item, " %c %s on %s: %.*f%s", scaling_mark(l->size_of[l->by_compute.idx[k]], 1),
                           lm_scaling_size_format(&r->size, size, sizeof size), scaling_si((double)r->tokens, d, sizeof d),
                           lm_scaling_tokens_per_param(r) < 10 ? 1 : 0, lm_scaling_tokens_per_param(r),
                           k + 1 < l->by_compute.n ? "," : "");
        if (col + len > 78) {
            fputs("\n ", f);
            col = 1;
        }
        fputs(item, f);
        col += len;
    }
    fputs("\nChinchilla (Hoffmann et al. 2022) found about 20 tokens per parameter compute-\n"
          "optimal, for models of 70M to 16B parameters; Kaplan et al. (2020) had put the\n"
          "optimum at fewer tokens.\n", f);
}

static int write_svg(FILE *f, void *user, lm_err *err) {
    (void)err;
    return canvas_export(user, EXPORT_SVG, f);
}

/* the picture on a canvas: printed as text, and written as SVG with --svg */
static int picture(cli_ctx *ctx, const lm_scaling_table *t, const lm_scaling_laws *l, int width, const char *svg) {
    ui_canvas cv = {0};
    cv.ascii = 1;
    cv.rich = 1;
    if (canvas_resize(&cv, scaling_draw_rows(PLOT_H), width)) {
        fprintf(ctx->err, "llmlab scaling plot: out of memory\n");
        return 1;
    }
    /* the canvas reads its text through the C library: ASCII in any locale,
     * but an SVG is UTF-8 */
    locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0), old = utf8 ? uselocale(utf8) : NULL;
    scaling_draw(&cv, 0, 0, cv.rows, cv.cols, t, l);
    char *text = canvas_to_text(&cv);
    int rc = 0;
    if (text) fputs(text, ctx->out);
    else rc = 1;
    free(text);
    if (rc == 0 && svg) {
        lm_err err = {{0}};
        const char *dst = cli_path_for_write(ctx, "scaling plot", svg);   /* a lesson's policy */
        if (!dst) rc = 1;
        else if (lm_atomic_write(dst, write_svg, &cv, &err)) {
            fprintf(ctx->err, "llmlab scaling plot: cannot write %s: %s\n", svg, err.msg[0] ? err.msg : strerror(errno));
            rc = 1;
        }
    }
    if (utf8) { uselocale(old); freelocale(utf8); }
    canvas_free(&cv);
    return rc;
}

int cli_scaling_plot(cli_ctx *ctx, int argc, char **argv, const char *usage) {
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'}, {"svg", required_argument, 0, 's'},
                                              {"width", required_argument, 0, 'w'}, {0, 0, 0, 0}};
    const char *svg = NULL;
    int width = 78, c;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 's': svg = optarg; break;
        case 'w': if (cli_parse_int(ctx, "scaling plot", "--width", optarg, 60, 400, &width)) return 2; break;
        default: return cli_bad_option(ctx, "scaling plot", argc, argv, "h", longopts);
        }
    }
    if (argc - optind > 1) return cli_usage_error(ctx, "scaling plot", "give one results file");
    char shipped[LM_PATH_MAX];
    const char *name = optind < argc ? argv[optind] : NULL;
    if (!name) {   /* the shipped sweep: the cwd, else next to the binary */
        cli_find_shipped("data/scaling/sweep.tsv", shipped, sizeof shipped);
        name = shipped;
    }
    const char *src = cli_path_for_read(ctx, "scaling plot", name);
    if (!src) return 1;
    lm_scaling_table t = {0};
    lm_scaling_laws l = {0};
    lm_err err = {{0}};
    int bad = lm_scaling_tsv_load(&t, src, &err);
    if (!bad && t.n == 0) bad = lm_fail(&err, "%s has no runs yet", name);
    if (bad || lm_scaling_laws_fit(&t, &l, &err)) {
        fprintf(ctx->err, "llmlab scaling plot: %s\n", err.msg);
        lm_scaling_table_free(&t);
        return 1;
    }
    show_str(ctx->out, name);
    fprintf(ctx->out, ": %d runs\n", t.n);
    if (t.source[0]) {
        fputs("made from: ", ctx->out);
        show_str(ctx->out, t.source);
        fputs("\n", ctx->out);
    }
    cli_scaling_header(ctx->out, "");
    for (int s = 0; s < l.n_sizes; s++) {   /* size by size, each in order of tokens (then file order) */
        long long last = -1;
        for (;;) {
            int next = -1;
            for (int i = 0; i < t.n; i++)
                if (l.size_of[i] == s && t.rows[i].tokens > last &&
                    (next < 0 || t.rows[i].tokens < t.rows[next].tokens))
                    next = i;
            if (next < 0) break;
            last = t.rows[next].tokens;
            for (int i = next; i < t.n; i++)   /* every run of that size and budget (seeds, rates) */
                if (l.size_of[i] == s && t.rows[i].tokens == last) {
                    char lead[4] = {scaling_mark(s, 0), 0}, line[256];
                    fprintf(ctx->out, "%s\n", cli_scaling_row_text(line, sizeof line, lead, &t.rows[i]));
                }
        }
    }
    fputs("N: parameters without the embeddings, as Kaplan et al. (2020) count them (the\n"
          "x of the first plot, and the N of C = 6ND); D/params counts all parameters, as\n"
          "Chinchilla does.\n\n", ctx->out);
    int rc = picture(ctx, &t, &l, width, svg);
    if (rc == 0) {
        fputs("\n", ctx->out);
        print_frontier(ctx->out, &t, &l);
        if (svg) fprintf(ctx->out, "wrote %s (svg)\n", svg);
    }
    lm_scaling_laws_free(&l);
    lm_scaling_table_free(&t);
    return rc;
}
