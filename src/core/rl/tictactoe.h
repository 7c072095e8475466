/* tictactoe.h - the game of the lecture's Q-learning example: the board, the
 * legal moves, the winner, the state index a Q table is addressed by, and a
 * perfect (minimax) player to measure an agent against.
 *
 * Contract
 * - A board is 9 cells in reading order (0 top-left .. 8 bottom-right), each
 *   TTT_EMPTY, TTT_X or TTT_O. x moves first, so whose turn it is follows from
 *   the board: x when both have as many marks, o when x has one more.
 * - The text form is 9 characters in reading order, '.' empty, 'x', 'o'
 *   ("x.o......"), or the same in three rows split by '/' ("x.o/.../...").
 *   ttt_parse accepts only boards a game can reach (counts, at most one
 *   winner, no move after a win) and says exactly what is wrong otherwise.
 * - The state index reads the text form as a base-3 number ('.' = 0, 'x' = 1,
 *   'o' = 2, the first cell the highest digit): 0 .. TTT_STATES-1, one index
 *   per board, so a Q table is a TTT_STATES x TTT_CELLS array.
 * - Nothing here prints, allocates or uses randomness except the perfect
 *   player's tie-break, which takes the caller's lm_rng.
 */
#ifndef LM_RL_TICTACTOE_H
#define LM_RL_TICTACTOE_H

#include <stdint.h>

#include "base/err.h"
#include "base/rng.h"

#define TTT_CELLS 9
#define TTT_STATES 19683   /* 3^9 */

enum { TTT_EMPTY = 0, TTT_X = 1, TTT_O = 2 };

typedef struct {
    uint8_t cell[TTT_CELLS];
} ttt_board;

void ttt_clear(ttt_board *b);
/* the other player: TTT_X <-> TTT_O */
int  ttt_other(int player);
/* 'x', 'o' or '.' */
char ttt_mark(int cell_value);
/* TTT_X or TTT_O: whose turn it is on b (by the counts of marks) */
int  ttt_to_move(const ttt_board *b);
/* TTT_X or TTT_O when that player has three in a row, else TTT_EMPTY. With
 * line non-NULL, the winning line's cells (the first one found). */
int  ttt_winner(const ttt_board *b, int line[3]);
/* 1 when every cell is taken */
int  ttt_full(const ttt_board *b);
/* 1 when the game is over: a winner or a full board */
int  ttt_over(const ttt_board *b);
/* The legal moves (empty cells, in order) into moves[]; 0 when the game is over. */
int  ttt_legal_moves(const ttt_board *b, int moves[TTT_CELLS]);
/* Puts the mark of the player to move on cell (0..8). Refuses a cell out of
 * range, a taken cell and any move after the game is over: -1 with a
 * message, b unchanged. */
int  ttt_play(ttt_board *b, int cell, lm_err *err);

/* The state index (see above) and back. */
int  ttt_state_index(const ttt_board *b);
void ttt_from_index(int index, ttt_board *b);
/* text form: 9 characters and a NUL */
void ttt_format(const ttt_board *b, char out[TTT_CELLS + 1]);
/* Parses a text form (see above); -1 with a message on anything else. */
int  ttt_parse(const char *text, ttt_board *b, lm_err *err);
/* "top-left", "top", ..., "centre", ..., "bottom-right" */
const char *ttt_cell_name(int cell);
/* "row 1".."row 3", "column 1".."column 3", "diagonal", "anti-diagonal" for
 * the line a winner made (ttt_winner's line) */
const char *ttt_line_name(const int line[3]);

/* ---- the perfect player (minimax) ----
 * value of a board for the player to move under perfect play by both:
 * > 0 a win, 0 a draw, < 0 a loss; the size is 1 + the empty cells left when
 * the game ends, so a perfect player wins as fast and loses as slowly as it
 * can. Solved on demand and remembered (about 5,500 reachable boards). */
typedef struct {
    int8_t value[TTT_STATES];   /* TTT_UNSOLVED until asked */
} ttt_solver;
#define TTT_UNSOLVED INT8_MIN

void ttt_solver_init(ttt_solver *s);
int  ttt_solver_value(ttt_solver *s, const ttt_board *b);
/* The perfect moves on b (all moves of the best value), in order; 0 when the
 * game is over. */
int  ttt_perfect_moves(ttt_solver *s, const ttt_board *b, int moves[TTT_CELLS]);
/* One of the perfect moves, chosen uniformly with rng; -1 when over. */
int  ttt_perfect_move(ttt_solver *s, const ttt_board *b, lm_rng *rng);
/* A uniformly random legal move; -1 when over. */
int  ttt_random_move(const ttt_board *b, lm_rng *rng);

#endif
