/* view_tictactoe.c - the Q-learning panel: a tic-tac-toe agent (rl/qlearn.h)
 * learning live. A board you set up with the arrow keys, its free cells
 * coloured by the agent's Q value for the player to move (a heat map from
 * -1, a sure loss, to +1, a sure win); the win-rate curve of test games as
 * training goes on; the TD updates of the latest training game.
 *
 * Training runs in poll, one round of ROUND_GAMES games at most every
 * ROUND_MS (so the curve rises over seconds, not milliseconds), each round
 * followed by test games (greedy, learning nothing) against the random and
 * the perfect player, and pauses by itself every PAUSE_EVERY games. The
 * run is the one `llmlab tictactoe train` makes with the same settings and
 * seed (the session's seed): the same games in the same order, so after
 * 20,000 games the table is the one `train --episodes 20000` saves. Drawing
 * only reads what poll left. */
#include "ui/app.h"

#include "cli/ttt_show.h"
#include "rl/qlearn.h"
#include "ui/curses_inc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ROUND_GAMES 200
#define ROUND_MS 40.0
#define PAUSE_EVERY 20000
#define TEST_GAMES 250      /* per side and opponent, after every round */
#define MAX_POINTS 400      /* the curve keeps every other point when full */

typedef struct {
    ttt_agent agent;
    int ok;
    char err[200];
    ttt_learning L;
    ttt_opponent opp;
    ttt_solver solver;
    lm_rng rng, test_rng, play_rng;   /* training games, test games, the agent's mark (a) */
    int running;
    double last_round;
    /* the curve: test results after rounds, every `every` games */
    float win_random[MAX_POINTS], loss_perfect[MAX_POINTS];
    int n_points, every, last_point_games;
    ttt_tally last_random, last_perfect;   /* the newest test, both sides */
    /* the latest training game and its updates */
    ttt_game game;
    int have_game;
    /* the board shown: marks set by hand, the cursor */
    ttt_board board;
    int history[TTT_CELLS], n_history;
    int cursor;
} ttt_view;

static void reset_agent(ttt_view *t, ui_app *a) {
    ttt_agent_free(&t->agent);
    lm_err err = {{0}};
    t->ok = ttt_agent_init(&t->agent, &err) == 0;
    if (!t->ok) snprintf(t->err, sizeof t->err, "%.190s", err.msg);
    lm_rng_seed(&t->rng, a->ctx->seed);
    lm_rng_seed(&t->test_rng, a->ctx->seed + 1);
    lm_rng_seed(&t->play_rng, a->ctx->seed + 2);
    t->running = 0;
    t->n_points = 0;
    t->every = ROUND_GAMES;
    t->last_point_games = 0;
    t->have_game = 0;
    memset(&t->last_random, 0, sizeof t->last_random);
    memset(&t->last_perfect, 0, sizeof t->last_perfect);
}

static void test_point(ttt_view *t);

static void *ttt_create(ui_app *a) {
    ttt_view *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->L = (ttt_learning){.alpha = 0.5f, .gamma = 0.9f, .epsilon = 0.1f, .rule = TTT_Q_LEARNING};
    t->opp = TTT_VS_RANDOM;
    ttt_solver_init(&t->solver);
    ttt_board empty;
    ttt_clear(&empty);
    ttt_solver_value(&t->solver, &empty);   /* solves every board a game can reach: drawing only reads it */
    t->cursor = 4;
    reset_agent(t, a);
    if (t->ok) test_point(t);   /* the untrained agent's point */
    return t;
}

static void ttt_free_st(void *st, ui_app *a) {
    (void)a;
    ttt_view *t = st;
    if (t) ttt_agent_free(&t->agent);
    free(t);
}

/* test games now; a point on the curve when `every` games have passed since the last */
static void test_point(ttt_view *t) {
    ttt_eval e[2];
    lm_err err = {{0}};
    if (ttt_evaluate(&t->agent, TTT_VS_RANDOM, TEST_GAMES, &t->solver, &t->test_rng, &e[0], &err) ||
        ttt_evaluate(&t->agent, TTT_VS_PERFECT, TEST_GAMES, &t->solver, &t->test_rng, &e[1], &err)) {
        t->ok = 0;
        snprintf(t->err, sizeof t->err, "%.190s", err.msg);
        return;
    }
    t->last_random = ttt_eval_total(&e[0]);
    t->last_perfect = ttt_eval_total(&e[1]);
    if (t->n_points > 0 && t->agent.episodes - t->last_point_games < t->every) return;
    if (t->n_points == MAX_POINTS) {   /* keep every other point, twice as far apart */
        for (int i = 0; i < MAX_POINTS / 2; i++) {
            t->win_random[i] = t->win_random[2 * i];
            t->loss_perfect[i] = t->loss_perfect[2 * i];
        }
        t->n_points = MAX_POINTS / 2;
        t->every *= 2;
    }
    t->win_random[t->n_points] = t->last_random.win / (2.0f * TEST_GAMES);
    t->loss_perfect[t->n_points] = t->last_perfect.loss / (2.0f * TEST_GAMES);
    t->n_points++;
    t->last_point_games = t->agent.episodes;
}

/* n training games (stopping at a multiple of PAUSE_EVERY); 0 ok */
static int train_games(ttt_view *t, int n) {
    lm_err err = {{0}};
    for (int i = 0; i < n; i++) {
        if (ttt_train_next_game(&t->agent, &t->L, t->opp, &t->solver, &t->rng, &t->game, &err)) {
            t->ok = 0;
            t->running = 0;
            snprintf(t->err, sizeof t->err, "%.190s", err.msg);
            return -1;
        }
        t->have_game = 1;
        if (t->agent.episodes % PAUSE_EVERY == 0) {
            t->running = 0;
            break;
        }
    }
    return 0;
}

static int ttt_poll(void *st, ui_app *a, int active) {
    (void)a;
    ttt_view *t = st;
    if (!t || !active || !t->running || !t->ok) return 0;
    double now = app_now_ms();
    if (now - t->last_round < ROUND_MS) return UI_POLL_CHANGED;   /* come back at the next frame */
    t->last_round = now;
    if (train_games(t, ROUND_GAMES) == 0) test_point(t);
    return UI_POLL_CHANGED;
}

/* ------------------------------------------------------------ drawing */

#define CELL_W 8
#define CELL_H 3

/* the board at (y, x): 3 x 3 cells of CELL_W x CELL_H with rules between */
static void draw_board(const ttt_view *t, ui_canvas *cv, int y, int x) {
    const float *q = ttt_agent_q(&t->agent, &t->board);
    int moves[TTT_CELLS], n = ttt_legal_moves(&t->board, moves), best = -1;
    for (int k = 0; k < n; k++)
        if (best < 0 || q[moves[k]] > q[best]) best = moves[k];
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 3; c++) {
            int cell = 3 * r + c, cy = y + r * (CELL_H + 1), cx = x + c * (CELL_W + 1);
            int v = t->board.cell[cell], mid = cy + CELL_H / 2;
            if (v != TTT_EMPTY) {
                draw_textf(cv, mid, cx + CELL_W / 2 - 1, 2, C_TITLE, "%c", ttt_mark(v));
            } else if (n > 0) {
                double heat = (q[cell] + 1.0) / 2.0;
                for (int k = 0; k < CELL_H; k++) draw_heat(cv, cy + k, cx, CELL_W, heat);
                char txt[16];
                ttt_q_text(q[cell], txt, sizeof txt);
                int lv = (int)(heat * (UI_HEAT - 1) + 0.5);
                draw_text(cv, mid, cx + 1, CELL_W - 2, cell == best ? C_OK : cv->mono ? C_NORMAL : C_HEAT0 + lv, txt);
            }
            draw_textf(cv, cy, cx, 1, C_DIM, "%d", cell + 1);
            if (cell == t->cursor) {
                draw_text(cv, mid, cx, 1, C_PICK, "[");
                draw_text(cv, mid, cx + CELL_W - 1, 1, C_PICK, "]");
            }
            if (c < 2)
                for (int k = 0; k < CELL_H; k++) draw_text(cv, cy + k, cx + CELL_W, 1, C_DIM, "|");
            if (r < 2) draw_hline(cv, cy + CELL_H, cx, c < 2 ? CELL_W + 1 : CELL_W, C_DIM);
        }
}

/* under the board: whose turn, the agent's move, the perfect player's */
static void draw_board_notes(const ttt_view *t, ttt_solver *solver, ui_canvas *cv, int y, int x, int w) {
    char txt[TTT_CELLS + 1], res[64];
    ttt_format(&t->board, txt);
    if (ttt_over(&t->board)) {
        ttt_result_text(&t->board, res, sizeof res);
        draw_textf(cv, y, x, w, C_NORMAL, "%s: %s", txt, res);
        draw_text(cv, y + 1, x, w, C_DIM, "BackSpace takes a mark back, x clears");
        return;
    }
    int me = ttt_to_move(&t->board);
    draw_textf(cv, y, x, w, C_NORMAL, "%s  state %d, %c to move", txt, ttt_state_index(&t->board), ttt_mark(me));
    float best;
    int mv = ttt_best_move(&t->agent, &t->board, &best), moves[TTT_CELLS], n = ttt_legal_moves(&t->board, moves);
    int ties = 0;
    const float *q = ttt_agent_q(&t->agent, &t->board);
    for (int k = 0; k < n; k++) ties += q[moves[k]] == best;
    char bt[16];
    ttt_q_text(best, bt, sizeof bt);
    if (ties == n && n > 1) draw_textf(cv, y + 1, x, w, C_OK, "agent: any (all %d Q equal)", n);
    else if (ties > 1) draw_textf(cv, y + 1, x, w, C_OK, "agent: one of %d, Q %s", ties, bt);
    else draw_textf(cv, y + 1, x, w, C_OK, "agent: %d (%s), Q %s", mv + 1, ttt_cell_name(mv), bt);
    int pm[TTT_CELLS], np = ttt_perfect_moves(solver, &t->board, pm), px = x;
    px += draw_text(cv, y + 2, px, w, C_DIM, "perfect:");
    for (int k = 0; k < np; k++) px += draw_textf(cv, y + 2, px, x + w - px, C_DIM, " %d", pm[k] + 1);
}

/* the test results as training went on: win rate against random (train
 * colour) and loss rate against perfect (validation colour), 0..100% */
static void draw_curve(const ttt_view *t, ui_canvas *cv, int y, int x, int h, int w) {
    int x0 = x + 5;
    draw_text(cv, y, x, 5, C_DIM, "100%");
    draw_text(cv, y + h - 1, x, 5, C_DIM, "  0%");
    for (int r = 0; r < h; r++) draw_text(cv, y + r, x0 - 1, 1, C_DIM, "|");
    draw_plot(cv, y, x0, h, w - 5, t->win_random, t->loss_perfect, (size_t)t->n_points, 0.0f, 1.0f, C_TRAIN, C_VAL);
    draw_textf(cv, y + h, x0, w - 5, C_DIM, "0 .. %d games (a point every %d)", t->last_point_games, t->every);
}

static void draw_updates(const ttt_view *t, ui_canvas *cv, int y, int h, int W) {
    const ttt_game *g = &t->game;
    char moves[80] = "", res[64];
    size_t n = 0;
    ttt_board b;
    ttt_clear(&b);
    for (int i = 0; i < g->n_moves && n + 6 < sizeof moves; i++) {
        int p = ttt_to_move(&b);
        n += (size_t)snprintf(moves + n, sizeof moves - n, " %c%d%s", ttt_mark(p), g->moves[i] + 1,
                              g->explored[i] ? "*" : "");
        b.cell[g->moves[i]] = (uint8_t)p;
    }
    ttt_result_text(&g->final, res, sizeof res);
    draw_textf(cv, y, 1, W - 2, C_TITLE, "game %d:%s -> %s", t->agent.episodes, moves, res);
    for (int k = 0; k < g->n_updates && 1 + k < h; k++) {
        const ttt_update *u = &g->updates[k];
        char s[TTT_CELLS + 1], o[16], tg[16], nq[16], nx[16];
        ttt_format(&u->state, s);
        ttt_q_text(u->old_q, o, sizeof o);
        ttt_q_text(u->target, tg, sizeof tg);
        ttt_q_text(u->new_q, nq, sizeof nq);
        ttt_q_text(u->next_q, nx, sizeof nx);
        int x = 1 + draw_textf(cv, y + 1 + k, 1, W - 2, C_NORMAL, " %c%d on %s: ", ttt_mark(u->player), u->action + 1, s);
        if (u->terminal)
            x += draw_textf(cv, y + 1 + k, x, W - x, C_NORMAL, "the end, r = %+.0f, target = r = %s", (double)u->reward, tg);
        else
            x += draw_textf(cv, y + 1 + k, x, W - x, C_NORMAL, "target = 0 + %g * %s = %s", (double)t->L.gamma, nx, tg);
        draw_textf(cv, y + 1 + k, x, W - x, u->new_q != u->old_q ? C_HILITE : C_DIM, "   Q %s -> %s", o, nq);
    }
}

static void ttt_draw(const void *st, const ui_app *a, ui_canvas *cv, int y, int h) {
    (void)a;
    const ttt_view *t = st;
    int W = cv->cols;
    if (!t || !t->ok) {
        draw_text(cv, y + 1, 2, W - 4, C_ERR, t ? t->err : "out of memory");
        return;
    }
    int x = 1 + draw_text(cv, y, 1, W - 2, C_TITLE, " Q-learning on tic-tac-toe ");
    x += draw_text(cv, y, x, W - x, t->running ? C_OK : C_DIM, t->running ? " training " : " paused ");
    draw_textf(cv, y, x, W - x, C_NORMAL, " games %d against %s, alpha %g, gamma %g, epsilon %g", t->agent.episodes,
               ttt_opponent_name(t->opp), (double)t->L.alpha, (double)t->L.gamma, (double)t->L.epsilon);
    draw_text_fit(cv, y + 1, 1, W - 2, C_KEY,
                  " s: train/pause  .: one game  m: opponent  r: new agent  arrows, Enter: a mark  a: agent's mark  "
                  "BackSpace: back  x: clear",
                  " s . m r arrows Enter a BackSpace x");
    int by = y + 3, board_w = 3 * CELL_W + 2, board_h = 3 * CELL_H + 2;
    draw_text(cv, by - 1, 1, board_w, C_DIM, "Q of the player to move");
    draw_board(t, cv, by, 1);
    draw_board_notes(t, (ttt_solver *)&t->solver, cv, by + board_h, 1, board_w + 8);   /* solved at create: only read */
    int cx = board_w + 10, cw = W - cx - 1, ch = board_h - 1;
    if (cw >= 30) {
        int lx = cx + draw_textf(cv, by - 1, cx, cw, C_TRAIN, "win vs random %5.1f%%",
                                 100.0 * t->last_random.win / (2.0 * TEST_GAMES));
        draw_textf(cv, by - 1, lx, cx + cw - lx, C_VAL, "   loss vs perfect %5.1f%%",
                   100.0 * t->last_perfect.loss / (2.0 * TEST_GAMES));
        draw_curve(t, cv, by, cx, ch, cw);
    }
    int uy = by + board_h + 4;
    if (t->have_game && uy < y + h) draw_updates(t, cv, uy, y + h - uy, W);
    else if (uy < y + h) draw_text(cv, uy, 1, W - 2, C_DIM, "no training game yet: s trains, . plays one game");
}

/* ------------------------------------------------------------ keys */

static int act_run(ui_app *a, void *st, int k) {
    (void)a; (void)k;
    ttt_view *t = st;
    t->running = !t->running && t->ok;
    t->last_round = 0;
    return 1;
}

static int act_one(ui_app *a, void *st, int k) {
    (void)a; (void)k;
    ttt_view *t = st;
    t->running = 0;
    if (t->ok && train_games(t, 1) == 0) test_point(t);
    return 1;
}

static int act_opp(ui_app *a, void *st, int k) {
    (void)a; (void)k;
    ttt_view *t = st;
    t->opp = t->opp == TTT_VS_RANDOM ? TTT_VS_SELF : t->opp == TTT_VS_SELF ? TTT_VS_PERFECT : TTT_VS_RANDOM;
    return 1;
}

static int act_reset(ui_app *a, void *st, int k) {
    (void)k;
    ttt_view *t = st;
    reset_agent(t, a);
    if (t->ok) test_point(t);
    return 1;
}

static int act_cursor(ui_app *a, void *st, int k) {
    (void)a;
    ttt_view *t = st;
    int r = t->cursor / 3, c = t->cursor % 3;
    if (k == KEY_UP) r = (r + 2) % 3;
    else if (k == KEY_DOWN) r = (r + 1) % 3;
    else if (k == KEY_LEFT) c = (c + 2) % 3;
    else c = (c + 1) % 3;
    t->cursor = 3 * r + c;
    return 1;
}

static void place(ttt_view *t, int cell) {
    if (cell < 0 || ttt_play(&t->board, cell, NULL) != 0) return;   /* a taken cell or a finished game: nothing */
    t->history[t->n_history++] = cell;
}

static int act_mark(ui_app *a, void *st, int k) {
    (void)a; (void)k;
    ttt_view *t = st;
    place(t, t->cursor);
    return 1;
}

static int act_agent_mark(ui_app *a, void *st, int k) {
    (void)a; (void)k;
    ttt_view *t = st;
    place(t, ttt_choose(&t->agent, &t->board, 0.0f, &t->play_rng, NULL));   /* greedy; equal Q: a fair draw */
    return 1;
}

static int act_back(ui_app *a, void *st, int k) {
    (void)a; (void)k;
    ttt_view *t = st;
    if (t->n_history > 0) t->board.cell[t->history[--t->n_history]] = TTT_EMPTY;
    return 1;
}

static int act_clear(ui_app *a, void *st, int k) {
    (void)a; (void)k;
    ttt_view *t = st;
    ttt_clear(&t->board);
    t->n_history = 0;
    return 1;
}

static const ui_binding ttt_keys[] = {
    {'s', 0, act_run, "train / pause (pauses by itself every 20,000 games)"},
    {' ', 0, act_run, "train / pause (pauses by itself every 20,000 games)"},
    {'.', 0, act_one, "one training game, its TD updates listed"},
    {'m', 0, act_opp, "next opponent to learn against: random, self, perfect"},
    {'r', 0, act_reset, "a new agent (every Q = 0, the session's seed)"},
    {KEY_UP, 0, act_cursor, "move the cursor over the board"},
    {KEY_DOWN, 0, act_cursor, "move the cursor over the board"},
    {KEY_LEFT, 0, act_cursor, "move the cursor over the board"},
    {KEY_RIGHT, 0, act_cursor, "move the cursor over the board"},
    {'\r', 0, act_mark, "put the next mark (x or o) on the cursor's cell"},
    {KEY_ENTER, 0, act_mark, "put the next mark (x or o) on the cursor's cell"},
    {'a', 0, act_agent_mark, "the agent's mark: its largest Q (equal ones: a fair draw)"},
    {KEY_BACKSPACE, 0, act_back, "take the last mark back"},
    {127, 0, act_back, "take the last mark back"},
    {8, 0, act_back, "take the last mark back"},
    {'x', 0, act_clear, "clear the board"},
    {0, 0, NULL, NULL},
};

const ui_panel panel_tictactoe = {
    .name = "Q-learning", .tab = "TTT", .keys = ttt_keys,
    .create = ttt_create, .poll = ttt_poll, .draw = ttt_draw, .free = ttt_free_st,
    .any_kind = 1,   /* it never uses the loaded model */
};
