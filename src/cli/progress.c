/* progress.c - progress bar or plain progress lines (see progress.h). */
#include "cli/progress.h"

#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void cli_format_duration(double s, char *out, size_t cap) {
    if (s < 0 || s != s) s = 0;
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(out, cap, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(out, cap, "%ld:%02ld", t / 60, t % 60);
}

void cli_progress_init(cli_progress *p, FILE *f, const char *label, long start, long total,
                       long every) {
    memset(p, 0, sizeof *p);
    p->f = f;
    p->tty = isatty(fileno(f));
    snprintf(p->label, sizeof p->label, "%s", label);
    p->start = start;
    p->total = total;
    p->last_plain = start;
    long span = total - start;
    p->every = every > 0 ? every : (span / 20 > 0 ? span / 20 : 1);
    p->t0 = now_s();
}

void cli_progress_update(cli_progress *p, long done, const char *extra, int force) {
    double t = now_s();
    int last = done >= p->total;
    if (p->tty) {
        if (!force && !last && t - p->last_draw < 0.1) return;   /* at most 10 redraws/s */
    } else if (!force && !last && done - p->last_plain < p->every) {
        return;
    }
    p->last_draw = t;
    p->last_plain = done;
    char eta[32] = "?";
    double el = t - p->t0;
    if (done > p->start && el > 0)
        cli_format_duration(el / (double)(done - p->start) * (double)(p->total - done), eta, sizeof eta);
    char bar[24] = "";
    if (p->tty) {
        int w = 20, fill = p->total > 0 ? (int)((double)done / p->total * w) : 0;
        if (fill > w) fill = w;
        bar[0] = '[';
        for (int i = 0; i < w; i++) bar[1 + i] = i < fill ? '#' : '-';
        bar[w + 1] = ']';
        bar[w + 2] = '\0';
        /* one screen line, however many figures the caller passes: a line
         * that wraps could not be redrawn in place */
        char line[640];
        int n = snprintf(line, sizeof line, "%s %ld/%ld %s %s ETA %s", p->label, done, p->total, bar,
                         extra ? extra : "", eta);
        struct winsize ws;
        if (ioctl(fileno(p->f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && n >= ws.ws_col)
            line[ws.ws_col - 1] = '\0';
        fprintf(p->f, "\r\033[K%s", line);
        p->drawn = 1;
    } else {
        fprintf(p->f, "%s %ld/%ld %s ETA %s\n", p->label, done, p->total, extra ? extra : "", eta);
    }
    fflush(p->f);
}

void cli_progress_note(cli_progress *p, const char *fmt, ...) {
    if (p->tty && p->drawn) fputs("\r\033[K", p->f);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(p->f, fmt, ap);
    va_end(ap);
    fputc('\n', p->f);
    p->drawn = 0;
    p->last_draw = 0;   /* redraw the bar at the next update */
    fflush(p->f);
}

void cli_progress_finish(cli_progress *p) {
    if (p->tty && p->drawn) fputc('\n', p->f);
    p->drawn = 0;
    fflush(p->f);
}
