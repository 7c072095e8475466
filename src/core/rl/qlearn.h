/* qlearn.h - a tabular agent that learns tic-tac-toe by temporal-difference
 * learning: the lecture's Q-learning (and SARSA) on a Q table.
 *
 * The words of the lecture
 *   state s        a board on which the agent is to move (rl/tictactoe.h)
 *   action a       the cell it marks
 *   reward r       +1 when its side wins, -1 when it loses, 0 for a draw and
 *                  for every move after which the game goes on
 *   Q(s, a)        the agent's estimate of the future reward after playing a
 *                  on s; the table starts at 0 everywhere
 *   the opponent   is the environment: after the agent's move the opponent
 *                  replies, and s' is the board on which the agent moves
 *                  next (or the final board: then there is no Q' term)
 *   TD update      Q(s,a) <- Q(s,a) + alpha * (target - Q(s,a)) with
 *                    Q-learning  target = r + gamma * max_a' Q(s', a')
 *                    SARSA       target = r + gamma * Q(s', a'), a' the move
 *                                the agent then actually makes at s'
 *                  (at the end of a game target = r)
 *   epsilon-greedy with probability epsilon a random legal move (explore),
 *                  else a move with the largest Q (exploit); equal Q values
 *                  are broken by a fair draw, so the untrained agent (all Q
 *                  = 0) plays like the random player.
 * One table serves both sides: whose turn it is follows from the board, so
 * the boards x moves on and the boards o moves on are different states, and
 * Q is always from the point of view of the player to move.
 *
 * Contract
 * - Games are step functions: one call plays one game and returns its moves
 *   and every TD update it made as plain records (ttt_update), so the CLI and
 *   a UI can show the updates one by one; loops belong to the caller.
 * - All randomness comes from the caller's lm_rng: a seed replays a run
 *   exactly.
 * - Nothing prints or exits; bad settings return -1 with a message.
 */
#ifndef LM_RL_QLEARN_H
#define LM_RL_QLEARN_H

#include <stdint.h>

#include "base/err.h"
#include "base/rng.h"
#include "rl/tictactoe.h"

typedef enum { TTT_Q_LEARNING = 0, TTT_SARSA = 1 } ttt_rule;
/* who the agent plays against: a random player, itself (self-play: it plays
 * both sides and learns from both), or the perfect player (minimax) */
typedef enum { TTT_VS_RANDOM = 0, TTT_VS_SELF = 1, TTT_VS_PERFECT = 2 } ttt_opponent;

typedef struct {
    float alpha;     /* learning rate (the lecture's eta), in (0, 1] */
    float gamma;     /* discount of the next state's value, in [0, 1] */
    float epsilon;   /* probability of a random move while learning, in [0, 1] */
    ttt_rule rule;
} ttt_learning;

/* 0 when the settings are in range, else -1 naming the one that is not. */
int ttt_learning_check(const ttt_learning *L, lm_err *err);
const char *ttt_rule_name(ttt_rule r);          /* "Q-learning", "SARSA" */
const char *ttt_opponent_name(ttt_opponent o);  /* "random", "self", "perfect" */

typedef struct {
    float  *q;          /* Q(s, a) = q[s * TTT_CELLS + a], TTT_STATES x TTT_CELLS */
    int32_t episodes;   /* training games played */
} ttt_agent;

/* A fresh agent: every Q(s, a) = 0. */
int    ttt_agent_init(ttt_agent *a, lm_err *err);
void   ttt_agent_free(ttt_agent *a);
/* The row Q(s, .) of board s (9 values, one per cell; taken cells stay 0). */
float *ttt_agent_q(const ttt_agent *a, const ttt_board *s);
/* How many states have a non-zero Q value for some move. */
int    ttt_agent_states_learned(const ttt_agent *a);
/* The legal move with the largest Q(s, .) (the first one on ties) and that
 * value in *q_out; -1 (and *q_out = 0) when the game is over. */
int    ttt_best_move(const ttt_agent *a, const ttt_board *s, float *q_out);
/* epsilon-greedy (see above); *explored (may be NULL) = 1 when the move was
 * the random one. -1 when the game is over. */
int    ttt_choose(const ttt_agent *a, const ttt_board *s, float epsilon, lm_rng *rng, int *explored);

/* One TD update, as a teacher writes it on the board. */
typedef struct {
    int       player;       /* TTT_X or TTT_O: the side that moved */
    ttt_board state;        /* s */
    int       action;       /* a: the cell, 0..8 */
    float     reward;       /* r */
    ttt_board next;         /* s': the board the side moves on next, or the final board */
    int       terminal;     /* s' ends the game: target = r */
    int       next_action;  /* a' whose Q(s', a') went into the target; -1 when terminal */
    float     next_q;       /* max_a' Q(s', a') (Q-learning) or Q(s', a') (SARSA); 0 when terminal */
    float     old_q;        /* Q(s, a) before */
    float     target;       /* r + gamma * next_q */
    float     new_q;        /* Q(s, a) after: old_q + alpha * (target - old_q) */
} ttt_update;

/* Applies the TD update for the transition (s, a, r, s') to a's table and
 * describes it in *rec (may be NULL). terminal: s' is the final board.
 * next_action: for SARSA the move the agent makes at s' (ignored otherwise
 * and when terminal). L must pass ttt_learning_check. */
void ttt_td_update(ttt_agent *a, const ttt_learning *L, const ttt_board *s, int action, float reward,
                   const ttt_board *next, int terminal, int next_action, ttt_update *rec);

/* One game from the empty board. */
typedef struct {
    int        n_moves;
    int        moves[TTT_CELLS];      /* cells in the order played (x first) */
    uint8_t    explored[TTT_CELLS];   /* the agent's move was the random one */
    uint8_t    by_agent[TTT_CELLS];   /* the move was the agent's */
    ttt_board  final;
    int        winner;                /* TTT_X, TTT_O or TTT_EMPTY (a draw) */
    int        n_updates;             /* TD updates made (training games only) */
    ttt_update updates[TTT_CELLS];
} ttt_game;

/* A training game: the agent plays `side` (TTT_X or TTT_O; both sides
 * against TTT_VS_SELF) epsilon-greedily and makes one TD update per move of
 * its own, each when it is next to move or when the game ends (then for the
 * last mover first). solver is needed only against TTT_VS_PERFECT. Counts
 * the game in a->episodes. */
int ttt_train_game(ttt_agent *a, const ttt_learning *L, ttt_opponent opp, int side, ttt_solver *solver,
                   lm_rng *rng, ttt_game *g, lm_err *err);
/* The next game of a training run: ttt_train_game with the agent on x in
 * its even-numbered games (a->episodes) and o in its odd ones, so that x and
 * o take turns however a run is cut into batches, and a run replays from
 * its seed whoever drives it (the CLI, the UI, a test). */
int ttt_train_next_game(ttt_agent *a, const ttt_learning *L, ttt_opponent opp, ttt_solver *solver, lm_rng *rng,
                        ttt_game *g, lm_err *err);
/* A test game: the agent plays greedily (epsilon 0) and learns nothing. */
int ttt_test_game(const ttt_agent *a, ttt_opponent opp, int side, ttt_solver *solver, lm_rng *rng, ttt_game *g,
                  lm_err *err);

/* ---- evaluation: games the agent wins, draws and loses ---- */
typedef struct {
    int win, draw, loss;
} ttt_tally;
typedef struct {
    ttt_tally as_x, as_o;
} ttt_eval;

/* games_per_side test games as x and as o against opp (random or perfect). */
int ttt_evaluate(const ttt_agent *a, ttt_opponent opp, int games_per_side, ttt_solver *solver, lm_rng *rng,
                 ttt_eval *out, lm_err *err);
/* both sides together */
ttt_tally ttt_eval_total(const ttt_eval *e);

#endif
