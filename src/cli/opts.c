/* opts.c - option and input helpers shared by the commands (see opts.h). */
#include "cli/opts.h"
#include "cli/sandbox.h"

/* the largest file or stdin a command reads into memory */
#define CLI_MAX_INPUT ((size_t)1 << 30)

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/editdist.h"
#include "base/infile.h"

void cli_getopt_reset(void) {
    optind = 0;   /* GNU: 0 re-initialises the scanner completely */
    opterr = 0;
}

int cli_usage_error(cli_ctx *ctx, const char *cmd, const char *what) {
    fprintf(ctx->err, "llmlab %s: %s (see 'llmlab %s --help')\n", cmd, what, cmd);
    return 2;
}

/* the long option name[0..n) means, as getopt_long reads it (the exact name,
 * else the only one it starts), or NULL; *starts counts the options it starts */
static const struct option *long_named(const struct option *lo, const char *name, size_t n, int *starts) {
    const struct option *prefix = NULL;
    *starts = 0;
    for (; lo && lo->name; lo++) {
        if (strlen(lo->name) == n && strncmp(lo->name, name, n) == 0) return lo;
        if (strncmp(lo->name, name, n) == 0) {
            (*starts)++;
            prefix = lo;
        }
    }
    return *starts == 1 ? prefix : NULL;
}

/* the valid long option closest to typed by edit distance, if close */
static const char *closest(const struct option *lo, const char *typed) {
    const char *best = NULL;
    int best_d = 99, len = (int)strlen(typed);
    for (; lo && lo->name; lo++) {
        int d = lm_edit_distance(typed, lo->name);
        if (d < best_d) { best_d = d; best = lo->name; }
    }
    return best && lm_edit_close(best_d, len) ? best : NULL;
}

/* A long option word ("--name" or "--name=value") getopt refused. */
static void bad_long(const char *word, const struct option *lo, char *what, size_t cap) {
    const char *name = word + 2, *eq = strchr(name, '=');
    size_t n = eq ? (size_t)(eq - name) : strlen(name);
    int starts;
    const struct option *o = long_named(lo, name, n, &starts);
    char typed[64];
    snprintf(typed, sizeof typed, "%.*s", (int)(n < 60 ? n : 60), name);
    const char *near = o ? NULL : closest(lo, typed);
    if (o && o->has_arg == required_argument) snprintf(what, cap, "option --%s needs a value", o->name);
    else if (o && eq) snprintf(what, cap, "option --%s takes no value", o->name);
    else if (starts > 1) snprintf(what, cap, "option --%s is ambiguous (%d options start so)", typed, starts);
    else if (near) snprintf(what, cap, "unknown option --%s; did you mean --%s?", typed, near);
    else snprintf(what, cap, "unknown option --%s", typed);
}

int cli_bad_option(cli_ctx *ctx, const char *cmd, int argc, char **argv, const char *shortopts,
                   const struct option *longopts) {
    const char *word = optind > 0 && optind - 1 < argc ? argv[optind - 1] : NULL;
    char what[200];
    int starts;
    const struct option *o = NULL;
    int is_long = word && strncmp(word, "--", 2) == 0 && word[2];
    if (is_long) {
        const char *eq = strchr(word + 2, '=');
        o = long_named(longopts, word + 2, eq ? (size_t)(eq - word - 2) : strlen(word + 2), &starts);
    }
    /* getopt sets optopt 0 for an unknown long option, the option's val when
     * its value is missing or unwanted; anything else was a short option */
    if (is_long && (optopt == 0 || (o && !o->flag && o->val == optopt))) {
        bad_long(word, longopts, what, sizeof what);
        return cli_usage_error(ctx, cmd, what);
    }
    const char *at = optopt > ' ' && optopt < 127 && optopt != ':' ? strchr(shortopts, optopt) : NULL;
    if (at && at[1] == ':') snprintf(what, sizeof what, "option -%c needs a value", optopt);
    else if (optopt > ' ' && optopt < 127) snprintf(what, sizeof what, "unknown option -%c", optopt);
    else snprintf(what, sizeof what, "unknown option %s", word ? word : "");
    return cli_usage_error(ctx, cmd, what);
}

int cli_parse_int(cli_ctx *ctx, const char *cmd, const char *opt, const char *s,
                  long lo, long hi, int *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(ctx->err, "llmlab %s: %s wants a whole number from %ld to %ld, not '%s'\n",
                cmd, opt, lo, hi, s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

int cli_parse_u64(cli_ctx *ctx, const char *cmd, const char *opt, const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-') {
        fprintf(ctx->err, "llmlab %s: %s wants a non-negative whole number, not '%s'\n", cmd, opt, s);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

int cli_parse_context(cli_ctx *ctx, const char *cmd, const char *opt, const char *s, int *slide) {
    if (strcmp(s, "stop") == 0 || strcmp(s, "slide") == 0) {
        *slide = strcmp(s, "slide") == 0;
        return 0;
    }
    fprintf(ctx->err, "llmlab %s: %s is stop (refuse when the context is full) or slide (slide the "
                      "window), not '%s'\n", cmd, opt, s);
    return -1;
}

int cli_parse_float(cli_ctx *ctx, const char *cmd, const char *opt, const char *s,
                    double lo, double hi, float *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi) {
        fprintf(ctx->err, "llmlab %s: %s wants a number from %g to %g, not '%s'\n", cmd, opt, lo, hi, s);
        return -1;
    }
    *out = (float)v;
    return 0;
}

/* stdin, to EOF, at most CLI_MAX_INPUT bytes */
static int slurp_stdin(uint8_t **data, size_t *len) {
    FILE *f = stdin;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        if (cap >= CLI_MAX_INPUT) {   /* a runaway pipe: refuse, don't swap */
            free(buf);
            return EFBIG;
        }
        cap *= 2;
        uint8_t *nb = realloc(buf, cap + 1);
        if (!nb) { free(buf); buf = NULL; }
        buf = nb;
    }
    int e = !buf ? ENOMEM : ferror(f) ? EIO : 0;
    if (e) { free(buf); return e; }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

int cli_slurp(const char *path, uint8_t **data, size_t *len) {
    if (strcmp(path, "-") == 0) return slurp_stdin(data, len);
    struct stat st;
    if (stat(path, &st) != 0) return errno ? errno : EIO;
    if (!S_ISREG(st.st_mode)) return S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    lm_err err;
    return lm_infile_read_all(path, "input", CLI_MAX_INPUT, data, len, &err) ? EINVAL : 0;
}

int cli_read_file(cli_ctx *ctx, const char *path, uint8_t **data, size_t *len) {
    if (!(path = cli_path_for_read(ctx, "lesson", path))) return -1;   /* a lesson's policy (sandbox.h) */
    if (strcmp(path, "-") == 0) {
        int e = slurp_stdin(data, len);
        if (e) fprintf(ctx->err, "llmlab: cannot read stdin: %s\n", strerror(e));
        return e ? -1 : 0;
    }
    lm_err err;   /* a regular file only (base/infile.h), at most 1 GB */
    if (lm_infile_read_all(path, "input", CLI_MAX_INPUT, data, len, &err) == 0) return 0;
    fprintf(ctx->err, "llmlab: %s\n", err.msg);
    return -1;
}

size_t cli_unescape(uint8_t *t, size_t len) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (t[i] == '\\' && i + 1 < len && (t[i + 1] == 'n' || t[i + 1] == 't' || t[i + 1] == '\\')) {
            t[o++] = t[i + 1] == 'n' ? '\n' : t[i + 1] == 't' ? '\t' : '\\';
            i++;
        } else {
            t[o++] = t[i];
        }
    }
    if (o < len) t[o] = '\0';
    return o;
}

int cli_read_text(cli_ctx *ctx, const char *cmd, int argc, char **argv, int first,
                  uint8_t **text, size_t *len) {
    if (first >= argc) {
        cli_usage_error(ctx, cmd, "missing TEXT (or - to read stdin)");
        return -1;
    }
    if (first == argc - 1 && strcmp(argv[first], "-") == 0)
        return cli_read_file(ctx, "-", text, len);
    size_t total = 0;
    for (int i = first; i < argc; i++) total += strlen(argv[i]) + 1;
    char *buf = malloc(total + 1);
    if (!buf) return -1;
    size_t o = 0;
    for (int i = first; i < argc; i++) {
        if (i > first) buf[o++] = ' ';
        size_t l = strlen(argv[i]);
        memcpy(buf + o, argv[i], l);
        o += l;
    }
    buf[o] = '\0';
    *text = (uint8_t *)buf;
    *len = o;
    return 0;
}

int cli_sampling_describe(cli_ctx *ctx, size_t n_ids, int n_kept, int V) {
    const lm_sampling *s = &ctx->sampling;
    int greedy = s->greedy || s->temperature <= 0;
    fprintf(ctx->out, "after %zu token%s; %s", n_ids, n_ids == 1 ? "" : "s", greedy ? "greedy" : "sampled");
    if (!greedy) {
        char tk[16], tp[16];
        if (s->top_k > 0 && s->top_k < V) snprintf(tk, sizeof tk, "%d", s->top_k); else snprintf(tk, sizeof tk, "off");
        if (s->top_p < 1) snprintf(tp, sizeof tp, "%.2f", s->top_p); else snprintf(tp, sizeof tp, "off");
        fprintf(ctx->out, " (temperature %.2f, top-k %s, top-p %s, seed %llu)", s->temperature, tk, tp,
                (unsigned long long)ctx->seed);
    }
    fprintf(ctx->out, "; kept %d of %d tokens\n", n_kept, V);
    return greedy;
}

int cli_sampling_option(cli_ctx *ctx, const char *cmd, int opt, const char *arg) {
    lm_sampling *s = &ctx->sampling;
    switch (opt) {
    case 1001: s->greedy = 1; return 1;
    case 1002: return cli_parse_float(ctx, cmd, "--temperature", arg, 0, 100, &s->temperature) ? -1 : 1;
    case 1003: if (cli_parse_int(ctx, cmd, "--top-k", arg, 0, 10000000, &s->top_k)) return -1;
               return 1;
    case 1004: if (cli_parse_float(ctx, cmd, "--top-p", arg, 0, 1, &s->top_p)) return -1;
               return 1;
    case 1005: if (cli_parse_u64(ctx, cmd, "--seed", arg, &ctx->seed)) return -1;
               return 1;
    default: return 0;
    }
}
