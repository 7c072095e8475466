/* test_qlearn.c - the tabular tic-tac-toe agent (rl/qlearn.h, rl/qtable.h):
 * TD updates worked out by hand (Q-learning and SARSA, during and at the
 * end of a game), the records of a whole game against the formula, the
 * first self-play game of a fresh table, epsilon-greedy, replay from a seed,
 * that training raises the win rate (against random, and self-play to no
 * losses against the perfect player), and the qtable model file: round trip
 * and hostile files refused with a message. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "io/crc32.h"
#include "io/modelfile.h"
#include "rl/qtable.h"
#include "tmpdir_fixture.h"

#define NEAR(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-6)

static ttt_board board(const char *text) {
    ttt_board b;
    lm_err err = {{0}};
    if (ttt_parse(text, &b, &err) != 0) fail_msg("%s: %s", text, err.msg);
    return b;
}

static ttt_agent fresh(void) {
    ttt_agent a;
    assert_int_equal(ttt_agent_init(&a, NULL), 0);
    return a;
}

/* Q-learning in the middle of a game. x played the centre on the empty board
 * and o replied top-left, so s' = o...x.... with x to move. Q(s', .) holds
 * 0.95 at cell 0 (taken by o: not a legal move, so the max must skip it),
 * 0.6 at cell 2 and -0.2 at cell 8. Q(s, 4) = 0.1, alpha 0.5, gamma 0.9:
 *   max_a' Q(s', a') = 0.6 (a' = 2)
 *   target = 0 + 0.9 * 0.6 = 0.54
 *   Q(s, 4) = 0.1 + 0.5 * (0.54 - 0.1) = 0.1 + 0.22 = 0.32 */
static void test_q_learning_update_by_hand(void **state) {
    (void)state;
    ttt_agent a = fresh();
    ttt_board s = board("........."), s2 = board("o...x....");
    ttt_agent_q(&a, &s2)[0] = 0.95f;
    ttt_agent_q(&a, &s2)[2] = 0.6f;
    ttt_agent_q(&a, &s2)[8] = -0.2f;
    ttt_agent_q(&a, &s)[4] = 0.1f;
    ttt_learning L = {.alpha = 0.5f, .gamma = 0.9f, .epsilon = 0.1f, .rule = TTT_Q_LEARNING};
    ttt_update u;
    ttt_td_update(&a, &L, &s, 4, 0.0f, &s2, 0, -1, &u);
    assert_int_equal(u.player, TTT_X);
    assert_int_equal(u.action, 4);
    assert_int_equal(u.next_action, 2);
    NEAR(u.next_q, 0.6);
    NEAR(u.target, 0.54);
    NEAR(u.old_q, 0.1);
    NEAR(u.new_q, 0.32);
    NEAR(ttt_agent_q(&a, &s)[4], 0.32);
    /* once more from 0.32: 0.32 + 0.5 * (0.54 - 0.32) = 0.43 */
    ttt_td_update(&a, &L, &s, 4, 0.0f, &s2, 0, -1, &u);
    NEAR(u.new_q, 0.43);
    ttt_agent_free(&a);
}

/* SARSA on the same transition, where x then actually played cell 8
 * (Q(s', 8) = -0.2), not the best cell:
 *   target = 0 + 0.9 * (-0.2) = -0.18
 *   Q(s, 4) = 0.1 + 0.5 * (-0.18 - 0.1) = 0.1 - 0.14 = -0.04 */
static void test_sarsa_update_by_hand(void **state) {
    (void)state;
    ttt_agent a = fresh();
    ttt_board s = board("........."), s2 = board("o...x....");
    ttt_agent_q(&a, &s2)[2] = 0.6f;
    ttt_agent_q(&a, &s2)[8] = -0.2f;
    ttt_agent_q(&a, &s)[4] = 0.1f;
    ttt_learning L = {.alpha = 0.5f, .gamma = 0.9f, .epsilon = 0.1f, .rule = TTT_SARSA};
    ttt_update u;
    ttt_td_update(&a, &L, &s, 4, 0.0f, &s2, 0, 8, &u);
    assert_int_equal(u.next_action, 8);
    NEAR(u.next_q, -0.2);
    NEAR(u.target, -0.18);
    NEAR(u.new_q, -0.04);
    ttt_agent_free(&a);
}

/* The end of a game: no Q(s', .) term.
 *   x wins with cell 3 on xx.oo....: r = +1, Q = 0.3, alpha 0.25:
 *     target = 1;  Q = 0.3 + 0.25 * (1 - 0.3) = 0.3 + 0.175 = 0.475
 *   (the table's values on the final board are ignored, even if set)
 *   o's last move before x won: r = -1, Q = 0, alpha 0.25: Q = -0.25
 *   gamma = 0 and the game goes on: target = r = 0, Q = 0.4 -> 0.4 + 0.25 * (0 - 0.4) = 0.3 */
static void test_end_of_game_updates_by_hand(void **state) {
    (void)state;
    ttt_agent a = fresh();
    ttt_board s = board("xx.oo...."), end = board("xxxoo....");
    ttt_agent_q(&a, &s)[2] = 0.3f;
    ttt_agent_q(&a, &end)[5] = 0.9f;   /* must not be used */
    ttt_learning L = {.alpha = 0.25f, .gamma = 0.9f, .epsilon = 0, .rule = TTT_Q_LEARNING};
    ttt_update u;
    ttt_td_update(&a, &L, &s, 2, 1.0f, &end, 1, -1, &u);
    assert_int_equal(u.terminal, 1);
    assert_int_equal(u.next_action, -1);
    NEAR(u.next_q, 0);
    NEAR(u.target, 1);
    NEAR(u.new_q, 0.475);
    ttt_board so = board("xx..o....");   /* o played 4 here; then x won */
    ttt_td_update(&a, &L, &so, 3, -1.0f, &end, 1, -1, &u);
    assert_int_equal(u.player, TTT_O);
    NEAR(u.new_q, -0.25);
    L.gamma = 0;
    ttt_board s2 = board("x...o...."), n2 = board("x...o..ox");   /* x played 9, o replied 8 */
    ttt_agent_q(&a, &s2)[8] = 0.4f;
    ttt_agent_q(&a, &n2)[1] = 0.8f;
    ttt_td_update(&a, &L, &s2, 8, 0.0f, &n2, 0, -1, &u);
    NEAR(u.target, 0);
    NEAR(u.new_q, 0.3);
    ttt_agent_free(&a);
}

/* The first self-play game of a fresh table: every Q is 0, so every update
 * during the game has target 0 + gamma * 0 = 0 and leaves Q at 0; only the
 * two updates at the end move: the winner's last move to 0 + 0.5 * (1 - 0) =
 * 0.5, the loser's to 0.5 * (-1 - 0) = -0.5 (a draw: both stay 0), the last
 * mover first. One update per move: 9 moves at most, both sides. */
static void test_first_self_play_game(void **state) {
    (void)state;
    ttt_agent a = fresh();
    ttt_learning L = {.alpha = 0.5f, .gamma = 0.9f, .epsilon = 0.1f, .rule = TTT_Q_LEARNING};
    lm_rng rng;
    lm_rng_seed(&rng, 3);
    ttt_game g;
    assert_int_equal(ttt_train_game(&a, &L, TTT_VS_SELF, TTT_X, NULL, &rng, &g, NULL), 0);
    assert_int_equal(a.episodes, 1);
    assert_int_equal(g.n_updates, g.n_moves);
    for (int k = 0; k < g.n_updates - 2; k++) {
        assert_int_equal(g.updates[k].terminal, 0);
        NEAR(g.updates[k].target, 0);
        NEAR(g.updates[k].new_q, 0);
    }
    const ttt_update *last = &g.updates[g.n_updates - 2], *other = &g.updates[g.n_updates - 1];
    assert_true(last->terminal && other->terminal);
    int last_mover = g.final.cell[g.moves[g.n_moves - 1]];
    assert_int_equal(last->player, last_mover);
    assert_int_equal(other->player, ttt_other(last_mover));
    if (g.winner == TTT_EMPTY) {
        NEAR(last->new_q, 0);
        NEAR(other->new_q, 0);
    } else {
        assert_int_equal(g.winner, last_mover);   /* only the mover can complete a line */
        NEAR(last->reward, 1);
        NEAR(last->new_q, 0.5);
        NEAR(other->reward, -1);
        NEAR(other->new_q, -0.5);
    }
    ttt_agent_free(&a);
}

/* Every record of many games against random satisfies the update formula,
 * and the table holds each record's new value afterwards (a state is never
 * met twice in one game). */
static void test_records_follow_the_formula(void **state) {
    (void)state;
    ttt_agent a = fresh();
    ttt_learning L = {.alpha = 0.3f, .gamma = 0.8f, .epsilon = 0.2f, .rule = TTT_Q_LEARNING};
    lm_rng rng;
    lm_rng_seed(&rng, 11);
    ttt_game g;
    for (int i = 0; i < 3000; i++) {
        int side = i % 2 ? TTT_O : TTT_X;
        assert_int_equal(ttt_train_game(&a, &L, TTT_VS_RANDOM, side, NULL, &rng, &g, NULL), 0);
        int mine = 0;
        for (int m = 0; m < g.n_moves; m++) mine += g.by_agent[m];
        assert_int_equal(g.n_updates, mine);
        for (int k = 0; k < g.n_updates; k++) {
            const ttt_update *u = &g.updates[k];
            assert_int_equal(u->player, side);
            assert_true(fabsf(u->target - (u->reward + L.gamma * u->next_q)) < 1e-6f);
            assert_true(fabsf(u->new_q - (u->old_q + L.alpha * (u->target - u->old_q))) < 1e-6f);
            assert_true(u->new_q == ttt_agent_q(&a, &u->state)[u->action]);
            if (u->terminal) {
                assert_int_equal(k, g.n_updates - 1);
                float r = g.winner == TTT_EMPTY ? 0.0f : g.winner == side ? 1.0f : -1.0f;
                assert_true(u->reward == r);
            } else {
                assert_true(u->reward == 0.0f);
                assert_int_equal(ttt_to_move(&u->next), side);
            }
        }
    }
    assert_int_equal(a.episodes, 3000);
    ttt_agent_free(&a);
}

static void test_epsilon_greedy(void **state) {
    (void)state;
    ttt_agent a = fresh();
    ttt_board s = board("x...o....");
    ttt_agent_q(&a, &s)[8] = 0.7f;
    ttt_agent_q(&a, &s)[0] = 0.99f;   /* taken: never chosen */
    lm_rng rng;
    lm_rng_seed(&rng, 1);
    int best = 0, explored = 0, n = 10000;
    for (int i = 0; i < n; i++) {
        int ex, mv = ttt_choose(&a, &s, 0.2f, &rng, &ex);
        assert_true(mv != 0 && mv != 4);
        best += mv == 8;
        explored += ex;
    }
    /* P(explore) = 0.2; P(cell 8) = 0.8 + 0.2 / 7 = 0.8286 */
    assert_true(abs(explored - 2000) < 200);
    assert_true(abs(best - 8286) < 200);
    /* epsilon 0 and all Q equal: a fair draw among the 7 free cells */
    ttt_agent_q(&a, &s)[8] = 0;
    int count[TTT_CELLS] = {0};
    for (int i = 0; i < 7000; i++) count[ttt_choose(&a, &s, 0, &rng, NULL)]++;
    for (int c = 0; c < TTT_CELLS; c++) {
        if (c == 0 || c == 4) assert_int_equal(count[c], 0);
        else assert_true(abs(count[c] - 1000) < 150);
    }
    ttt_agent_free(&a);
}

static void test_settings_checked(void **state) {
    (void)state;
    lm_err err = {{0}};
    ttt_learning L = {.alpha = 0, .gamma = 0.9f, .epsilon = 0.1f};
    assert_int_equal(ttt_learning_check(&L, &err), -1);
    assert_non_null(strstr(err.msg, "alpha"));
    L.alpha = 1.5f;
    assert_int_equal(ttt_learning_check(&L, &err), -1);
    L.alpha = 1;
    L.gamma = NAN;
    assert_int_equal(ttt_learning_check(&L, &err), -1);
    assert_non_null(strstr(err.msg, "gamma"));
    L.gamma = 1;
    L.epsilon = -0.1f;
    assert_int_equal(ttt_learning_check(&L, &err), -1);
    assert_non_null(strstr(err.msg, "epsilon"));
    L.epsilon = 0;
    assert_int_equal(ttt_learning_check(&L, &err), 0);
    ttt_agent a = fresh();
    lm_rng rng;
    lm_rng_seed(&rng, 1);
    ttt_game g;
    assert_int_equal(ttt_train_game(&a, &L, TTT_VS_PERFECT, TTT_X, NULL, &rng, &g, &err), -1);
    assert_non_null(strstr(err.msg, "solver"));
    assert_int_equal(ttt_train_game(&a, &L, TTT_VS_RANDOM, 7, NULL, &rng, &g, &err), -1);
    ttt_eval e;
    assert_int_equal(ttt_evaluate(&a, TTT_VS_SELF, 10, NULL, &rng, &e, &err), -1);
    ttt_agent_free(&a);
}

/* trains n games (x and o in turn against random and perfect, both sides in self-play) */
static void train(ttt_agent *a, ttt_learning L, ttt_opponent opp, int n, float eps_end, uint64_t seed,
                  ttt_solver *solver) {
    lm_rng rng;
    lm_rng_seed(&rng, seed);
    ttt_game g;
    float eps0 = L.epsilon;
    for (int i = 0; i < n; i++) {
        L.epsilon = eps0 + (eps_end - eps0) * (float)i / (float)n;
        assert_int_equal(ttt_train_game(a, &L, opp, i % 2 ? TTT_O : TTT_X, solver, &rng, &g, NULL), 0);
    }
}

static ttt_eval evaluate(const ttt_agent *a, ttt_opponent opp, ttt_solver *solver) {
    lm_rng rng;
    lm_rng_seed(&rng, 99);
    ttt_eval e;
    assert_int_equal(ttt_evaluate(a, opp, 1000, solver, &rng, &e, NULL), 0);
    return e;
}

/* The measured figures (seed 42; 1000 test games per side, seed 99) are in
 * the comments; the asserts leave room. Untrained, the agent plays at random:
 * x wins about 58% against random, o about 29%. */
static void test_training_against_random_raises_the_win_rate(void **state) {
    (void)state;
    static ttt_solver solver;
    ttt_solver_init(&solver);
    ttt_agent a = fresh();
    ttt_eval before = evaluate(&a, TTT_VS_RANDOM, &solver);
    assert_true(before.as_x.win > 500 && before.as_x.win < 650);
    assert_true(before.as_o.win > 230 && before.as_o.win < 370);
    ttt_learning L = {.alpha = 0.5f, .gamma = 0.9f, .epsilon = 0.1f, .rule = TTT_Q_LEARNING};
    train(&a, L, TTT_VS_RANDOM, 20000, L.epsilon, 42, &solver);
    ttt_eval after = evaluate(&a, TTT_VS_RANDOM, &solver);
    print_message("against random, x: win %d/1000 before, %d after; o: %d before, %d after (losses %d, %d)\n",
                  before.as_x.win, after.as_x.win, before.as_o.win, after.as_o.win, after.as_x.loss,
                  after.as_o.loss);
    assert_true(after.as_x.win > 950);
    assert_true(after.as_o.win > 750);
    assert_true(after.as_x.loss + after.as_o.loss < 60);
    /* trained only against random, it has not learned to hold the perfect player */
    ttt_eval p = evaluate(&a, TTT_VS_PERFECT, &solver);
    assert_true(p.as_o.loss > 100);
    ttt_agent_free(&a);
}

/* SARSA learns too */
static void test_sarsa_learns(void **state) {
    (void)state;
    ttt_agent a = fresh();
    ttt_learning L = {.alpha = 0.5f, .gamma = 0.9f, .epsilon = 0.1f, .rule = TTT_SARSA};
    train(&a, L, TTT_VS_RANDOM, 20000, L.epsilon, 42, NULL);
    ttt_eval e = evaluate(&a, TTT_VS_RANDOM, NULL);
    print_message("SARSA against random: x wins %d/1000, o %d/1000\n", e.as_x.win, e.as_o.win);
    assert_true(e.as_x.win > 900 && e.as_o.win > 700);
    ttt_agent_free(&a);
}

/* Self-play, epsilon 0.3 lowered to 0 over 100,000 games: no test game lost,
 * against random or against the perfect player. */
static void test_self_play_never_loses(void **state) {
    (void)state;
    static ttt_solver solver;
    ttt_solver_init(&solver);
    ttt_agent a = fresh();
    ttt_learning L = {.alpha = 0.5f, .gamma = 0.9f, .epsilon = 0.3f, .rule = TTT_Q_LEARNING};
    train(&a, L, TTT_VS_SELF, 100000, 0.0f, 42, &solver);
    ttt_eval p = evaluate(&a, TTT_VS_PERFECT, &solver), r = evaluate(&a, TTT_VS_RANDOM, &solver);
    print_message("self-play: against perfect lost %d + %d of 2000; against random won %d + %d, lost %d + %d\n",
                  p.as_x.loss, p.as_o.loss, r.as_x.win, r.as_o.win, r.as_x.loss, r.as_o.loss);
    assert_int_equal(p.as_x.loss + p.as_o.loss, 0);
    assert_true(r.as_x.loss + r.as_o.loss < 10);
    assert_true(r.as_x.win > 950 && r.as_o.win > 750);
    ttt_agent_free(&a);
}

static void test_same_seed_same_agent(void **state) {
    (void)state;
    ttt_agent a = fresh(), b = fresh();
    ttt_learning L = {.alpha = 0.5f, .gamma = 0.9f, .epsilon = 0.1f, .rule = TTT_Q_LEARNING};
    train(&a, L, TTT_VS_RANDOM, 2000, L.epsilon, 7, NULL);
    train(&b, L, TTT_VS_RANDOM, 2000, L.epsilon, 7, NULL);
    assert_memory_equal(a.q, b.q, sizeof(float) * TTT_STATES * TTT_CELLS);
    train(&b, L, TTT_VS_RANDOM, 1, L.epsilon, 8, NULL);
    assert_true(memcmp(a.q, b.q, sizeof(float) * TTT_STATES * TTT_CELLS) != 0 || a.episodes != b.episodes);
    ttt_agent_free(&a);
    ttt_agent_free(&b);
}

/* ---- the qtable file ---- */

static char dir[128];

static int setup(void **state) {
    (void)state;
    return tmpdir_make(dir, sizeof dir, "qlearn");
}

static int teardown(void **state) {
    (void)state;
    return tmpdir_remove(dir);
}

static uint8_t *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(*len);
    assert_int_equal(fread(b, 1, *len, f), *len);
    fclose(f);
    return b;
}

static void spit(const char *path, const uint8_t *b, size_t len) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
}

/* the file with its CRC made right again after a patch */
static void fix_crc(uint8_t *b, size_t len) {
    uint32_t c = lm_crc32(0, b, len - 4);
    for (int i = 0; i < 4; i++) b[len - 4 + i] = (uint8_t)(c >> (8 * i));
}

static void load_refused(const char *path, const char *want) {
    ttt_agent a;
    lm_err err = {{0}};
    assert_int_equal(ttt_agent_load(&a, NULL, path, &err), -1);
    assert_null(a.q);
    if (!strstr(err.msg, want)) fail_msg("got '%s', want '%s'", err.msg, want);
}

/* where the parts sit (io/modelfile.h): prefix 16, common header 40, then
 * the 16-byte config; no tokeniser; metadata; the values; the CRC */
#define AT_CONFIG 56
#define AT_META (AT_CONFIG + 16)

static void test_file_round_trip_and_refusals(void **state) {
    (void)state;
    char path[256], bad[256];
    snprintf(path, sizeof path, "%s/agent.qt", dir);
    snprintf(bad, sizeof bad, "%s/bad.qt", dir);
    ttt_agent a = fresh();
    ttt_learning L = {.alpha = 0.5f, .gamma = 0.9f, .epsilon = 0.1f, .rule = TTT_Q_LEARNING};
    train(&a, L, TTT_VS_RANDOM, 500, L.epsilon, 3, NULL);
    lm_err err = {{0}};
    const char *meta = "made=test\n";
    if (ttt_agent_save(&a, meta, path, &err) != 0) fail_msg("%s", err.msg);
    ttt_agent b;
    char *m = NULL;
    if (ttt_agent_load(&b, &m, path, &err) != 0) fail_msg("%s", err.msg);
    assert_memory_equal(a.q, b.q, sizeof(float) * TTT_STATES * TTT_CELLS);
    assert_int_equal(b.episodes, 500);
    assert_string_equal(m, meta);
    free(m);
    ttt_agent_free(&b);
    lm_file_header h;
    assert_int_equal(lm_file_peek(&h, path, &err), 0);
    assert_string_equal(h.kind, "qtable");

    size_t len;
    uint8_t *orig = slurp(path, &len);
    assert_int_equal(len, AT_META + strlen(meta) + 4 * TTT_STATES * TTT_CELLS + 4);
    uint8_t *c = malloc(len);
    /* a Q value of 2: no training with rewards in [-1, 1] makes one */
    memcpy(c, orig, len);
    float two = 2.0f;
    size_t at = AT_META + strlen(meta) + 4 * (size_t)(6561 * 9 + 4);   /* state 6561 (x........), cell 5 */
    memcpy(c + at, &two, 4);
    fix_crc(c, len);
    spit(bad, c, len);
    load_refused(bad, "Q(state 6561, cell 5) = 2 is outside [-1, 1]");
    /* a config for another board */
    memcpy(c, orig, len);
    c[AT_CONFIG] = 16;
    fix_crc(c, len);
    spit(bad, c, len);
    load_refused(bad, "bad Q table: it is for 16 cells");
    /* a negative number of games */
    memcpy(c, orig, len);
    c[AT_CONFIG + 15] = 0x80;
    fix_crc(c, len);
    spit(bad, c, len);
    load_refused(bad, "training games");
    /* one flipped bit: the CRC */
    memcpy(c, orig, len);
    c[len / 2] ^= 1;
    spit(bad, c, len);
    load_refused(bad, "checksum");
    /* cut short */
    spit(bad, orig, len - 100);
    load_refused(bad, "truncated");
    /* not a model file at all */
    spit(bad, (const uint8_t *)"x.o......\n", 10);
    load_refused(bad, "bad.qt");
    free(c);
    free(orig);

    /* a Q table is not a transformer, and a transformer not a Q table */
    lm_model gm;
    assert_int_equal(lm_load(&gm, NULL, path, &err), -1);
    assert_non_null(strstr(err.msg, "this is a qtable model, not a transformer"));
    lm_config cfg = {.n_layer = 1, .n_head = 1, .d_model = 8, .d_mlp = 16, .n_ctx = 4, .vocab_size = 5,
                     .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    assert_int_equal(lm_model_init(&gm, &cfg, 1, NULL), 0);
    assert_int_equal(lm_save(&gm, NULL, bad, &err), 0);
    lm_model_free(&gm);
    load_refused(bad, "this is a gpt model, not a Q table");
    ttt_agent_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_q_learning_update_by_hand),
        cmocka_unit_test(test_sarsa_update_by_hand),
        cmocka_unit_test(test_end_of_game_updates_by_hand),
        cmocka_unit_test(test_first_self_play_game),
        cmocka_unit_test(test_records_follow_the_formula),
        cmocka_unit_test(test_epsilon_greedy),
        cmocka_unit_test(test_settings_checked),
        cmocka_unit_test(test_training_against_random_raises_the_win_rate),
        cmocka_unit_test(test_sarsa_learns),
        cmocka_unit_test(test_self_play_never_loses),
        cmocka_unit_test(test_same_seed_same_agent),
        cmocka_unit_test_setup_teardown(test_file_round_trip_and_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
