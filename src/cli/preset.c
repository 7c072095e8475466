/* preset.c - the preset file (see preset.h): a strict line parser and its
 * writer. */
#include "cli/preset.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void (*cli_preset_capture)(cli_ctx *ctx, cli_preset *p) = NULL;

static int fail_line(lm_err *err, int lineno, const char *what) {
    lm_fail(err, "line %d: %s", lineno, what);
    return -1;
}

static int parse_long(const char *v, long long lo, long long hi, long long *out) {
    char *end;
    errno = 0;
    if (!*v || *v == ' ' || *v == '+') return -1;
    long long x = strtoll(v, &end, 10);
    if (errno || *end || x < lo || x > hi) return -1;
    *out = x;
    return 0;
}

static int parse_float(const char *v, float lo, float hi, int lo_open, float *out) {
    char *end;
    errno = 0;
    if (!*v || *v == ' ' || *v == '+') return -1;
    double x = strtod(v, &end);
    if (errno || *end || !isfinite(x) || x < lo || x > hi || (lo_open && x <= lo)) return -1;
    *out = (float)x;
    return 0;
}

/* the prompt's escapes: \n \t \\ only */
static int unescape(const char *v, char *out, size_t cap) {
    size_t n = 0;
    for (; *v; v++) {
        char c = *v;
        if (c == '\\') {
            v++;
            c = *v == 'n' ? '\n' : *v == 't' ? '\t' : *v == '\\' ? '\\' : 0;
            if (!c) return -1;
        }
        if (n + 1 >= cap) return -1;
        out[n++] = c;
    }
    out[n] = 0;
    return 0;
}

int cli_preset_line(cli_preset *p, const char *line, int lineno, lm_err *err) {
    for (const unsigned char *c = (const unsigned char *)line; *c; c++)
        if (*c < 0x20 || *c == 0x7f) return fail_line(err, lineno, "a control character (escape a tab in a prompt as \\t)");
    const char *sp = strchr(line, ' ');
    if (!sp) return fail_line(err, lineno, "expected 'NAME VALUE'");
    size_t kl = (size_t)(sp - line);
    const char *v = sp + 1;
    static const struct { const char *name; unsigned bit; } names[] = {
        {"model", PRESET_MODEL}, {"instruct", PRESET_INSTRUCT}, {"view", PRESET_VIEW}, {"prompt", PRESET_PROMPT},
        {"chat", PRESET_CHAT},   {"greedy", PRESET_GREEDY},     {"temperature", PRESET_TEMP},
        {"top_k", PRESET_TOPK},  {"top_p", PRESET_TOPP},        {"seed", PRESET_SEED},
        {"context", PRESET_CONTEXT}};
    unsigned bit = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == kl && strncmp(line, names[i].name, kl) == 0) bit = names[i].bit;
    if (!bit) {
        lm_fail(err, "line %d: unknown setting '%.*s'", lineno, (int)(kl < 40 ? kl : 40), line);
        return -1;
    }
    if (p->has & bit) {
        lm_fail(err, "line %d: '%.*s' given twice", lineno, (int)kl, line);
        return -1;
    }
    long long x = 0;
    int bad = 0;
    switch (bit) {
    case PRESET_MODEL: case PRESET_INSTRUCT: {
        char *dst = bit == PRESET_MODEL ? p->model : p->instruct;
        if (!*v || strlen(v) >= LM_PATH_MAX) return fail_line(err, lineno, "a path must be non-empty and shorter than 4096 bytes");
        memcpy(dst, v, strlen(v) + 1);
        break;
    }
    case PRESET_VIEW: bad = parse_long(v, 1, 99, &x); p->view = (int)x; break;
    case PRESET_PROMPT:
        if (unescape(v, p->prompt, sizeof p->prompt))
            return fail_line(err, lineno, "prompt: too long, or a backslash not in \\n \\t \\\\");
        break;
    case PRESET_CHAT: bad = parse_long(v, 0, 1, &x); p->chat = (int)x; break;
    case PRESET_GREEDY: bad = parse_long(v, 0, 1, &x); p->greedy = (int)x; break;
    case PRESET_TOPK: bad = parse_long(v, 0, 1000000, &x); p->top_k = (int)x; break;
    case PRESET_TEMP: bad = parse_float(v, 0, 100, 0, &p->temperature); break;
    case PRESET_TOPP: bad = parse_float(v, 0, 1, 1, &p->top_p); break;
    case PRESET_CONTEXT:
        bad = strcmp(v, "stop") != 0 && strcmp(v, "slide") != 0;
        p->slide = strcmp(v, "slide") == 0;
        break;
    case PRESET_SEED: {
        char *end;
        errno = 0;
        if (*v < '0' || *v > '9') { bad = 1; break; }
        unsigned long long s = strtoull(v, &end, 10);
        bad = errno || *end;
        p->seed = s;
        break;
    }
    }
    if (bad) {
        lm_fail(err, "line %d: bad value for '%.*s': '%.40s'", lineno, (int)kl, line, v);
        return -1;
    }
    p->has |= bit;
    return 0;
}

int cli_preset_parse(cli_preset *p, const char *text, size_t len, lm_err *err) {
    memset(p, 0, sizeof *p);
    if (len > CLI_PRESET_MAX_BYTES) { lm_fail(err, "a preset is at most %d bytes", CLI_PRESET_MAX_BYTES); return -1; }
    if (memchr(text, 0, len)) { lm_fail(err, "a preset is text (it has a NUL byte)"); return -1; }
    char *buf = malloc(len + 1);
    if (!buf) { lm_fail(err, "out of memory"); return -1; }
    memcpy(buf, text, len);
    buf[len] = 0;
    int lineno = 0, rc = 0;
    for (char *s = buf, *nl; s && rc == 0; s = nl ? nl + 1 : NULL) {
        nl = strchr(s, '\n');
        if (nl) *nl = 0;
        if (!nl && !*s) break;
        lineno++;
        size_t l = strlen(s);
        if (l && s[l - 1] == '\r') s[--l] = 0;
        if (lineno == 1) {
            if (strcmp(s, "llmlab-preset 1") != 0) { lm_fail(err, "line 1: not a preset (expected 'llmlab-preset 1')"); rc = -1; }
            continue;
        }
        if (!*s || *s == '#') continue;
        rc = cli_preset_line(p, s, lineno, err);
    }
    if (rc == 0 && lineno == 0) { lm_fail(err, "empty file: not a preset"); rc = -1; }
    free(buf);
    return rc;
}

int cli_preset_load(const char *path, cli_preset *p, lm_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) { lm_fail(err, "%s: %s", path, strerror(errno)); return -1; }
    char *buf = malloc(CLI_PRESET_MAX_BYTES + 1);
    if (!buf) { fclose(f); lm_fail(err, "out of memory"); return -1; }
    size_t n = fread(buf, 1, CLI_PRESET_MAX_BYTES + 1, f);
    int rd_err = ferror(f);
    fclose(f);
    int rc = rd_err ? (lm_fail(err, "%s: read error", path), -1) : cli_preset_parse(p, buf, n, err);
    free(buf);
    return rc;
}

static void write_escaped(FILE *f, const char *s) {
    for (; *s; s++) {
        if (*s == '\n') fputs("\\n", f);
        else if (*s == '\t') fputs("\\t", f);
        else if (*s == '\\') fputs("\\\\", f);
        else if ((unsigned char)*s < 0x20 || *s == 0x7f) continue;   /* not representable: dropped */
        else fputc(*s, f);
    }
}

void cli_preset_write(FILE *f, const cli_preset *p) {
    if (p->has & PRESET_MODEL) fprintf(f, "model %s\n", p->model);
    if (p->has & PRESET_INSTRUCT) fprintf(f, "instruct %s\n", p->instruct);
    if (p->has & PRESET_VIEW) fprintf(f, "view %d\n", p->view);
    if (p->has & PRESET_PROMPT) { fputs("prompt ", f); write_escaped(f, p->prompt); fputc('\n', f); }
    if (p->has & PRESET_CHAT) fprintf(f, "chat %d\n", p->chat);
    if (p->has & PRESET_GREEDY) fprintf(f, "greedy %d\n", p->greedy);
    if (p->has & PRESET_TEMP) fprintf(f, "temperature %.9g\n", p->temperature);
    if (p->has & PRESET_TOPK) fprintf(f, "top_k %d\n", p->top_k);
    if (p->has & PRESET_TOPP) fprintf(f, "top_p %.9g\n", p->top_p);
    if (p->has & PRESET_SEED) fprintf(f, "seed %llu\n", (unsigned long long)p->seed);
    if (p->has & PRESET_CONTEXT) fprintf(f, "context %s\n", p->slide ? "slide" : "stop");
}

static int is_name(const char *s) {
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9') ||
              s[n] == '-' || s[n] == '_'))
            return 0;
    return n > 0 && n <= 64;
}

int cli_preset_path(const char *arg, char *out, size_t cap, int mk, lm_err *err) {
    size_t al = strlen(arg);
    if (strchr(arg, '/') || (al > 7 && strcmp(arg + al - 7, ".preset") == 0)) {
        if ((size_t)snprintf(out, cap, "%s", arg) >= cap) { lm_fail(err, "path too long"); return -1; }
        return 0;
    }
    if (!is_name(arg)) { lm_fail(err, "a preset NAME is 1-64 letters, digits, '-' or '_' (or give a path)"); return -1; }
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    char dir[LM_PATH_MAX];
    int n;
    if (xdg && xdg[0] == '/') n = snprintf(dir, sizeof dir, "%s/llmlab", xdg);
    else if (home && home[0]) n = snprintf(dir, sizeof dir, "%s/.config/llmlab", home);
    else { lm_fail(err, "neither XDG_CONFIG_HOME nor HOME is set: give a path"); return -1; }
    if (n < 0 || (size_t)n + 20 >= sizeof dir) { lm_fail(err, "config folder path too long"); return -1; }
    if (mk) {
        char parent[LM_PATH_MAX];
        snprintf(parent, sizeof parent, "%.*s", (int)(strrchr(dir, '/') - dir), dir);
        mkdir(parent, 0755);   /* ~/.config may be missing; errors show at the write */
        mkdir(dir, 0755);
    }
    strcat(dir, "/presets");
    if (mk) mkdir(dir, 0755);
    if ((size_t)snprintf(out, cap, "%s/%s.preset", dir, arg) >= cap) { lm_fail(err, "path too long"); return -1; }
    return 0;
}

void cli_preset_from_ctx(cli_preset *p, const cli_ctx *ctx) {
    memset(p, 0, sizeof *p);
    char *abs = realpath(ctx->model_path, NULL);   /* a preset opens from any folder */
    snprintf(p->model, sizeof p->model, "%s", abs && strlen(abs) < sizeof p->model ? abs : ctx->model_path);
    free(abs);
    p->greedy = ctx->sampling.greedy;
    p->temperature = ctx->sampling.temperature;
    p->top_k = ctx->sampling.top_k;
    p->top_p = ctx->sampling.top_p;
    p->seed = ctx->seed;
    p->slide = ctx->slide;
    p->has = PRESET_MODEL | PRESET_GREEDY | PRESET_TEMP | PRESET_TOPK | PRESET_TOPP | PRESET_SEED | PRESET_CONTEXT;
}
