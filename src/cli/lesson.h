/* lesson.h - lessons: Markdown files whose fenced ```llmlab blocks hold
 * commands that run step by step.
 *
 * Format
 *   - The first "# " heading is the title.
 *   - Prose outside llmlab blocks is shown in the lesson panel; each llmlab
 *     block starts a new section whose prose is the text before it.
 *   - Inside a block, each line is one command (the REPL's language). Blank
 *     lines and lines starting with "# " are comments.
 *   - A line "#> TEXT" states an expectation about the command before it: its
 *     output (stdout and stderr) contains TEXT. "#! TEXT": it must NOT contain
 *     TEXT. "#fails": the command is expected to fail (non-zero status).
 *   - Other fenced blocks (```sh, ```) are prose.
 * Parsing never fails on odd Markdown; it fails only on an expectation with no
 * command before it, an unclosed llmlab block, or limits (lines over 4096
 * bytes, more than 10000 steps), and says on which line.
 */
#ifndef LM_LESSON_H
#define LM_LESSON_H

#include <stddef.h>

#include "base/err.h"

typedef enum { LM_EXPECT_CONTAINS = 0, LM_EXPECT_ABSENT = 1 } lm_expect_kind;

typedef struct {
    lm_expect_kind kind;
    char *text;
} lm_expect;

typedef struct {
    char *command;       /* one command line */
    int line;            /* 1-based line in the file */
    int expect_fail;     /* "#fails" */
    lm_expect *expects;
    int n_expects;
} lm_lesson_step;

typedef struct {
    char *prose;         /* Markdown text before the block (may be "") */
    lm_lesson_step *steps;
    int n_steps;
} lm_lesson_section;

typedef struct {
    char *title;         /* "" when the file has no "# " heading */
    lm_lesson_section *sections;
    int n_sections;
    char *tail;          /* prose after the last block */
} lm_lesson;

int  lm_lesson_parse(const char *text, size_t len, lm_lesson *out, lm_err *err);
void lm_lesson_free(lm_lesson *l);

#endif
