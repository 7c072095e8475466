/* show.c - printable tokens, bars and colours (see show.h). */
#include "cli/show.h"

#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

int show_unicode_ok(void) {
    static int known = -1;
    if (known < 0) {
        const char *force = getenv("LLMLAB_ASCII");
        setlocale(LC_CTYPE, "");
        const char *cs = nl_langinfo(CODESET);
        known = !(force && force[0] && strcmp(force, "0") != 0) && cs && strcmp(cs, "UTF-8") == 0;
    }
    return known;
}

/* length of a valid UTF-8 sequence starting at s (1..4), or 0 if invalid */
static size_t utf8_len(const uint8_t *s, size_t n) {
    uint8_t c = s[0];
    size_t need;
    uint32_t cp;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) { need = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { need = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { need = 4; cp = c & 0x07; }
    else return 0;
    if (n < need) return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((need == 2 && cp < 0x80) || (need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

int show_piece(const uint8_t *b, size_t len, int ascii, char *out, size_t cap) {
    size_t o = 0;
    int cols = 0;
    if (cap == 0) return 0;
    for (size_t i = 0; i < len;) {
        const char *rep = NULL;
        char hex[8];
        size_t take = 1;
        if (b[i] == ' ') rep = ascii ? "_" : "\xc2\xb7";
        else if (b[i] == '_' && ascii) rep = "\\_";
        else if (b[i] == '\n') rep = ascii ? "\\n" : "\xe2\x86\xb5";
        else if (b[i] == '\t') rep = ascii ? "\\t" : "\xe2\x86\x92";
        else if (b[i] == '\r') rep = "\\r";
        else if (b[i] < 0x20 || b[i] == 0x7f) { snprintf(hex, sizeof hex, "<0x%02X>", b[i]); rep = hex; }
        else if (b[i] >= 0x80) {
            take = utf8_len(b + i, len - i);
            if (take == 0 || (ascii)) {
                take = 1;
                snprintf(hex, sizeof hex, "<0x%02X>", b[i]);
                rep = hex;
            }
        }
        size_t rl = rep ? strlen(rep) : take;
        if (o + rl + 1 > cap) break;
        memcpy(out + o, rep ? (const uint8_t *)rep : b + i, rl);
        o += rl;
        cols += rep ? (rep == hex || !(rep[0] & 0x80) ? (int)rl : 1) : 1;
        i += take;
    }
    out[o] = '\0';
    return cols;
}

void show_writer_init(show_writer *w, FILE *f) {
    memset(w, 0, sizeof *w);
    w->f = f;
    w->ascii = !show_unicode_ok();
}

static void escape_bytes(FILE *f, const uint8_t *b, size_t n) {
    for (size_t i = 0; i < n; i++) fprintf(f, "<0x%02X>", b[i]);
}

/* a complete sequence of w->need bytes in w->pend: written if it is valid
 * UTF-8 and not a C1 control (U+0080..U+009F = C2 80..C2 9F) */
static void finish_char(show_writer *w) {
    int c1 = w->pend[0] == 0xC2 && w->pend[1] < 0xA0;
    if (!c1 && utf8_len(w->pend, (size_t)w->n_pend) == (size_t)w->n_pend) fwrite(w->pend, 1, (size_t)w->n_pend, w->f);
    else escape_bytes(w->f, w->pend, (size_t)w->n_pend);
    w->n_pend = 0;
}

void show_writer_put(show_writer *w, const void *bytes, size_t len) {
    const uint8_t *b = bytes;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = b[i];
        if (w->n_pend) {
            if ((c & 0xC0) == 0x80) {
                w->pend[w->n_pend++] = c;
                if (w->n_pend == w->need) finish_char(w);
                continue;
            }
            escape_bytes(w->f, w->pend, (size_t)w->n_pend);   /* cut short */
            w->n_pend = 0;
        }
        if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) fputc(c, w->f);
        else if (c < 0x80 || w->ascii || c < 0xC2 || c > 0xF4) escape_bytes(w->f, &c, 1);
        else {
            w->need = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
            w->pend[w->n_pend++] = c;
        }
    }
}

void show_writer_end(show_writer *w) {
    if (w->n_pend) escape_bytes(w->f, w->pend, (size_t)w->n_pend);
    w->n_pend = 0;
}

void show_text(FILE *f, const void *bytes, size_t len) {
    show_writer w;
    show_writer_init(&w, f);
    show_writer_put(&w, bytes, len);
    show_writer_end(&w);
}

void show_str(FILE *f, const char *s) { show_text(f, s, strlen(s)); }

void show_bar(double f, int width, int ascii, char *out, size_t cap) {
    static const char *eighths[] = {"", "\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d", "\xe2\x96\x8c",
                                    "\xe2\x96\x8b", "\xe2\x96\x8a", "\xe2\x96\x89"};
    if (f < 0) f = 0;
    if (f > 1) f = 1;
    size_t o = 0;
    int units = (int)(f * width * 8 + 0.5);
    int full = units / 8, rest = units % 8;
    for (int i = 0; i < full && o + 4 < cap; i++) {
        if (ascii) out[o++] = '#';
        else { memcpy(out + o, "\xe2\x96\x88", 3); o += 3; }
    }
    if (rest && o + 4 < cap) {
        if (ascii) out[o++] = rest >= 4 ? '+' : '.';
        else { memcpy(out + o, eighths[rest], 3); o += 3; }
    }
    out[o < cap ? o : cap - 1] = '\0';
}

void show_color(FILE *f, int color, const char *sgr) {
    if (color) fprintf(f, "\x1b[%sm", sgr);
}

void show_reset(FILE *f, int color) {
    if (color) fputs("\x1b[0m", f);
}

int show_token_color(int i) {
    static const int palette[] = {153, 224, 194, 230, 189, 217, 158, 223};
    return palette[i % 8];
}
