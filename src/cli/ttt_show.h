/* ttt_show.h - how tic-tac-toe looks in text (`llmlab tictactoe`): boards
 * side by side, the Q values of a board as a 3 x 3 grid, one TD update
 * written out as a teacher would, a game's moves. Cells are numbered 1..9
 * in reading order for people (0..8 inside the core):
 *      1 2 3
 *      4 5 6
 *      7 8 9
 * Plain ASCII, so lessons match on every terminal; colour (x, o, the cell
 * just played, the best Q) only when `color` is set. */
#ifndef LM_CLI_TTT_SHOW_H
#define LM_CLI_TTT_SHOW_H

#include <stdio.h>

#include "rl/qlearn.h"

/* n boards in a row, each under its label (at most `width` - 2 columns),
 * `width` columns apart, cut into rows of `per_row` boards; mark[i] (-1 for
 * none) is a cell to show in colour on board i. */
void ttt_show_boards(FILE *f, int color, int n, const ttt_board *boards, const char *const *labels,
                     const int *mark, int width, int per_row);
/* The Q values of the free cells of b as a grid (taken cells show their
 * mark); the best value in colour. */
void ttt_show_q_grid(FILE *f, int color, const ttt_board *b, const float *q);
/* Update number k of a game, with the settings that made it. */
void ttt_show_update(FILE *f, int color, int k, const ttt_update *u, const ttt_learning *L);
/* "x5 o1 x9* ..." (* = a random, exploring move) and the result. */
void ttt_show_moves(FILE *f, const ttt_game *g);
/* "x wins (row 1)", "o wins (diagonal)", "a draw" */
void ttt_result_text(const ttt_board *final, char *out, size_t cap);
/* "+0.500", "-0.250", "0.000" (below 0.0005 either way) */
void ttt_q_text(float q, char *out, size_t cap);

#endif
