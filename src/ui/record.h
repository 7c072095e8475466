/* record.h - a recorded UI session (`llmlab ui --record FILE`) and its
 * replay (`llmlab ui --replay FILE`).
 *
 * The file (text, one item per line, order is the only timing):
 *     llmlab-record 1        the first line, exactly
 *     size COLSxROWS         the screen when the recording started
 *     model PATH ...         the settings at the start: the setting lines of
 *     view N                 a preset (cli/preset.h), same names and checks
 *     prompt TEXT
 *     ...
 *     key c 97               a character key (its code point)
 *     key k 260              a curses KEY_ code (arrows, F-keys, Enter ...)
 * Mouse clicks and window resizes are not recorded. Replay applies the
 * settings, then feeds each key and lets the panels settle (poll until they
 * have nothing more to compute) before the next, as a person's pace does.
 * Timing-driven work (a running training worker, continuous generation)
 * does not replay exactly. The parser is strict (a preset's rules; a key
 * code must be 0 .. 0x10FFFF); at most REC_MAX_KEYS keys.
 */
#ifndef LM_UI_RECORD_H
#define LM_UI_RECORD_H

#include <stdio.h>

#include "base/err.h"
#include "cli/preset.h"

#define REC_MAX_KEYS 100000

typedef struct { int ch, is_key; } rec_key;

typedef struct {
    cli_preset settings;
    int cols, rows;              /* 0 = not given */
    rec_key *keys;
    int n_keys;
} rec_session;

/* the header and the settings; f stays open for rec_write_key */
void rec_write_start(FILE *f, int cols, int rows, const cli_preset *settings);
void rec_write_key(FILE *f, int ch, int is_key);
/* parses a recording; 0 ok, -1 with "line N: ..." in err. rec_free after. */
int  rec_load(const char *path, rec_session *r, lm_err *err);
void rec_free(rec_session *r);

#endif
