/* show.h - how tokens and numbers look on a terminal: whitespace made
 * visible, bars, colours. Shared by the commands and the TUI so a token looks
 * the same everywhere. */
#ifndef LM_CLI_SHOW_H
#define LM_CLI_SHOW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* 1 when the terminal can show UTF-8 (the locale's codeset is UTF-8 and
 * LLMLAB_ASCII is not set), else 0. Decided once per process. Colour is a
 * separate matter: NO_COLOR or a pipe turn colour off, not Unicode. */
int show_unicode_ok(void);

/* Writes a printable UTF-8 form of a token's bytes into out (always
 * NUL-terminated): space -> "·", newline -> "↵", tab -> "→", other control
 * bytes and invalid UTF-8 -> "<0xNN>". With ascii=1 uses "_", "\n", "\t"
 * instead of the Unicode signs, writes a literal underscore as "\_" so it
 * cannot be mistaken for a space, and escapes every non-ASCII byte.
 * Returns the number of terminal columns. */
int show_piece(const uint8_t *bytes, size_t len, int ascii, char *out, size_t cap);

/* THE way text from outside llmlab reaches a terminal: lesson prose and
 * commands, a model's metadata, prompts and generated tokens. The bytes are
 * written unchanged except what could control the terminal, which is written
 * as "<0xNN>" per byte: C0 controls other than newline and tab (ESC, BEL, CR,
 * ...), DEL, the C1 controls U+0080..U+009F (e.g. U+009B, a one-character
 * CSI), and invalid UTF-8. When the terminal cannot show UTF-8
 * (show_unicode_ok() is 0) every byte from 0x80 up is escaped too. So no
 * escape sequence (window title, clearing the screen, OSC 52 clipboard
 * writes) can pass. Text that arrives in pieces (tokens that split a UTF-8
 * character) goes through a show_writer, which holds an unfinished character
 * until its next bytes arrive; show_writer_end escapes one left unfinished. */
typedef struct {
    FILE *f;
    uint8_t pend[4];
    int n_pend, need;
    int ascii;
} show_writer;
void show_writer_init(show_writer *w, FILE *f);
void show_writer_put(show_writer *w, const void *bytes, size_t len);
void show_writer_end(show_writer *w);
/* the whole of text in one go (init, put, end) */
void show_text(FILE *f, const void *bytes, size_t len);
void show_str(FILE *f, const char *s);

/* A horizontal bar of `width` columns filled to fraction f in [0,1], with
 * eighth-blocks (or '#' when ascii). Writes into out. */
void show_bar(double f, int width, int ascii, char *out, size_t cap);

/* ANSI colour helpers: nothing is written when color is 0. */
void show_color(FILE *f, int color, const char *sgr);   /* e.g. "1;32" */
void show_reset(FILE *f, int color);
/* a background colour (256-colour index) for the i-th token of a strip */
int  show_token_color(int i);

#endif
