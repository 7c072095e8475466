/* qlearn.c - the tabular Q-learning / SARSA agent for tic-tac-toe (see
 * qlearn.h). */
#include "rl/qlearn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int ttt_learning_check(const ttt_learning *L, lm_err *err) {
    if (!L) return lm_fail(err, "missing learning settings");
    if (!(L->alpha > 0 && L->alpha <= 1))
        return lm_fail(err, "alpha (the learning rate) must be above 0 and at most 1, not %g", (double)L->alpha);
    if (!(L->gamma >= 0 && L->gamma <= 1))
        return lm_fail(err, "gamma (the discount) must be from 0 to 1, not %g", (double)L->gamma);
    if (!(L->epsilon >= 0 && L->epsilon <= 1))
        return lm_fail(err, "epsilon (the exploration rate) must be from 0 to 1, not %g", (double)L->epsilon);
    if (L->rule != TTT_Q_LEARNING && L->rule != TTT_SARSA) return lm_fail(err, "unknown update rule %d", (int)L->rule);
    return 0;
}

const char *ttt_rule_name(ttt_rule r) { return r == TTT_SARSA ? "SARSA" : "Q-learning"; }

const char *ttt_opponent_name(ttt_opponent o) {
    return o == TTT_VS_SELF ? "self" : o == TTT_VS_PERFECT ? "perfect" : "random";
}

int ttt_agent_init(ttt_agent *a, lm_err *err) {
    a->episodes = 0;
    a->q = calloc((size_t)TTT_STATES * TTT_CELLS, sizeof(float));
    return a->q ? 0 : lm_fail(err, "out of memory for a Q table");
}

void ttt_agent_free(ttt_agent *a) {
    free(a->q);
    a->q = NULL;
}

float *ttt_agent_q(const ttt_agent *a, const ttt_board *s) {
    return a->q + (size_t)ttt_state_index(s) * TTT_CELLS;
}

int ttt_agent_states_learned(const ttt_agent *a) {
    int n = 0;
    for (size_t s = 0; s < TTT_STATES; s++) {
        const float *row = a->q + s * TTT_CELLS;
        for (int c = 0; c < TTT_CELLS; c++)
            if (row[c] != 0.0f) {
                n++;
                break;
            }
    }
    return n;
}

int ttt_best_move(const ttt_agent *a, const ttt_board *s, float *q_out) {
    int moves[TTT_CELLS], n = ttt_legal_moves(s, moves), best = -1;
    const float *q = ttt_agent_q(a, s);
    for (int k = 0; k < n; k++)
        if (best < 0 || q[moves[k]] > q[best]) best = moves[k];
    if (q_out) *q_out = best < 0 ? 0.0f : q[best];
    return best;
}

int ttt_choose(const ttt_agent *a, const ttt_board *s, float epsilon, lm_rng *rng, int *explored) {
    int moves[TTT_CELLS], n = ttt_legal_moves(s, moves);
    if (explored) *explored = 0;
    if (n == 0) return -1;
    if (epsilon > 0 && lm_rng_uniform(rng) < epsilon) {
        if (explored) *explored = 1;
        return moves[lm_rng_below(rng, (uint32_t)n)];
    }
    const float *q = ttt_agent_q(a, s);
    float best;
    ttt_best_move(a, s, &best);
    int ties[TTT_CELLS], nt = 0;
    for (int k = 0; k < n; k++)
        if (q[moves[k]] == best) ties[nt++] = moves[k];
    return nt == 1 ? ties[0] : ties[lm_rng_below(rng, (uint32_t)nt)];
}

void ttt_td_update(ttt_agent *a, const ttt_learning *L, const ttt_board *s, int action, float reward,
                   const ttt_board *next, int terminal, int next_action, ttt_update *rec) {
    float next_q = 0.0f;
    int a_next = -1;
    if (!terminal) {
        if (L->rule == TTT_SARSA) {
            a_next = next_action;
            next_q = ttt_agent_q(a, next)[a_next];
        } else {
            a_next = ttt_best_move(a, next, &next_q);
        }
    }
    float *q = &ttt_agent_q(a, s)[action];
    float old = *q;
    float target = reward + L->gamma * next_q;
    *q = old + L->alpha * (target - old);
    if (rec) {
        rec->player = ttt_to_move(s);
        rec->state = *s;
        rec->action = action;
        rec->reward = reward;
        rec->next = *next;
        rec->terminal = terminal;
        rec->next_action = a_next;
        rec->next_q = next_q;
        rec->old_q = old;
        rec->target = target;
        rec->new_q = *q;
    }
}

/* ---- games ---- */

/* One game. With learner non-NULL (== a) and L, the agent learns; without,
 * it plays with `epsilon` and changes nothing. */
static int play_game(const ttt_agent *a, ttt_agent *learner, const ttt_learning *L, float epsilon,
                     ttt_opponent opp, int side, ttt_solver *solver, lm_rng *rng, ttt_game *g, lm_err *err) {
    if (opp != TTT_VS_RANDOM && opp != TTT_VS_SELF && opp != TTT_VS_PERFECT)
        return lm_fail(err, "unknown opponent %d", (int)opp);
    if (opp == TTT_VS_PERFECT && !solver) return lm_fail(err, "the perfect opponent needs a solver");
    if (opp != TTT_VS_SELF && side != TTT_X && side != TTT_O) return lm_fail(err, "the agent plays x or o");
    memset(g, 0, sizeof *g);
    ttt_board b;
    ttt_clear(&b);
    /* each learning side's last (s, a), waiting for its s' */
    struct { int has, action; ttt_board s; } pending[3] = {{0}};
    while (!ttt_over(&b)) {
        int p = ttt_to_move(&b), cell, explored = 0, mine = opp == TTT_VS_SELF || p == side;
        if (mine) {
            cell = ttt_choose(a, &b, epsilon, rng, &explored);
            if (learner && pending[p].has)
                ttt_td_update(learner, L, &pending[p].s, pending[p].action, 0.0f, &b, 0, cell,
                              &g->updates[g->n_updates++]);
            pending[p].has = 1;
            pending[p].s = b;
            pending[p].action = cell;
        } else {
            cell = opp == TTT_VS_PERFECT ? ttt_perfect_move(solver, &b, rng) : ttt_random_move(&b, rng);
        }
        g->moves[g->n_moves] = cell;
        g->explored[g->n_moves] = (uint8_t)explored;
        g->by_agent[g->n_moves] = (uint8_t)mine;
        g->n_moves++;
        b.cell[cell] = (uint8_t)p;
    }
    g->final = b;
    g->winner = ttt_winner(&b, NULL);
    if (learner) {
        /* the end: the side that moved last first, then the other */
        int last = b.cell[g->moves[g->n_moves - 1]];
        int order[2] = {last, ttt_other(last)};
        for (int k = 0; k < 2; k++) {
            int p = order[k];
            if (!pending[p].has) continue;
            float r = g->winner == TTT_EMPTY ? 0.0f : g->winner == p ? 1.0f : -1.0f;
            ttt_td_update(learner, L, &pending[p].s, pending[p].action, r, &b, 1, -1, &g->updates[g->n_updates++]);
        }
        learner->episodes++;
    }
    return 0;
}

int ttt_train_game(ttt_agent *a, const ttt_learning *L, ttt_opponent opp, int side, ttt_solver *solver,
                   lm_rng *rng, ttt_game *g, lm_err *err) {
    if (ttt_learning_check(L, err) != 0) return -1;
    return play_game(a, a, L, L->epsilon, opp, side, solver, rng, g, err);
}

int ttt_train_next_game(ttt_agent *a, const ttt_learning *L, ttt_opponent opp, ttt_solver *solver, lm_rng *rng,
                        ttt_game *g, lm_err *err) {
    return ttt_train_game(a, L, opp, a->episodes % 2 == 0 ? TTT_X : TTT_O, solver, rng, g, err);
}

int ttt_test_game(const ttt_agent *a, ttt_opponent opp, int side, ttt_solver *solver, lm_rng *rng, ttt_game *g,
                  lm_err *err) {
    return play_game(a, NULL, NULL, 0.0f, opp, side, solver, rng, g, err);
}

int ttt_evaluate(const ttt_agent *a, ttt_opponent opp, int games_per_side, ttt_solver *solver, lm_rng *rng,
                 ttt_eval *out, lm_err *err) {
    memset(out, 0, sizeof *out);
    if (opp == TTT_VS_SELF) return lm_fail(err, "evaluate against random or perfect, not self");
    if (games_per_side < 0) return lm_fail(err, "a negative number of games");
    ttt_game g;
    for (int side = TTT_X; side <= TTT_O; side++) {
        ttt_tally *t = side == TTT_X ? &out->as_x : &out->as_o;
        for (int i = 0; i < games_per_side; i++) {
            if (ttt_test_game(a, opp, side, solver, rng, &g, err) != 0) return -1;
            if (g.winner == TTT_EMPTY) t->draw++;
            else if (g.winner == side) t->win++;
            else t->loss++;
        }
    }
    return 0;
}

ttt_tally ttt_eval_total(const ttt_eval *e) {
    ttt_tally t = {e->as_x.win + e->as_o.win, e->as_x.draw + e->as_o.draw, e->as_x.loss + e->as_o.loss};
    return t;
}
