/* test_tictactoe.c - the rules of tic-tac-toe (rl/tictactoe.h): wins in
 * every row, column and diagonal, draws, whose turn it is, illegal moves
 * refused, the text form and its refusals, the state index (by hand for a
 * few boards, and a round trip over all 3^9), and the perfect player: the
 * empty board is a draw, it takes a win and blocks a loss, and it never
 * loses to a random player. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rl/tictactoe.h"

static ttt_board parse_ok(const char *text) {
    ttt_board b;
    lm_err err = {{0}};
    if (ttt_parse(text, &b, &err) != 0) fail_msg("%s: %s", text, err.msg);
    return b;
}

static void refused(const char *text, const char *want) {
    ttt_board b;
    lm_err err = {{0}};
    assert_int_equal(ttt_parse(text, &b, &err), -1);
    if (!strstr(err.msg, want)) fail_msg("'%s': got '%s', want '%s'", text ? text : "(null)", err.msg, want);
}

static void test_wins_in_every_line(void **state) {
    (void)state;
    /* each line of x, with o's two marks placed off that line */
    static const struct { const char *board; int line[3]; const char *name; } cases[] = {
        {"xxxoo....", {0, 1, 2}, "row 1"},    {"oo.xxx...", {3, 4, 5}, "row 2"},
        {"oo....xxx", {6, 7, 8}, "row 3"},    {"xo.xo.x..", {0, 3, 6}, "column 1"},
        {"ox.ox..x.", {1, 4, 7}, "column 2"}, {"o.xo.x..x", {2, 5, 8}, "column 3"},
        {"xo..xo..x", {0, 4, 8}, "diagonal"}, {"oox.x.x..", {2, 4, 6}, "anti-diagonal"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ttt_board b = parse_ok(cases[i].board);
        int line[3];
        assert_int_equal(ttt_winner(&b, line), TTT_X);
        assert_memory_equal(line, cases[i].line, sizeof line);
        assert_string_equal(ttt_line_name(line), cases[i].name);
        assert_true(ttt_over(&b));
        int moves[TTT_CELLS];
        assert_int_equal(ttt_legal_moves(&b, moves), 0);
    }
    /* o wins too: a column, after x's third mark */
    ttt_board b = parse_ok("xo.xo..ox");
    assert_int_equal(ttt_winner(&b, NULL), TTT_O);
}

static void test_draw_and_turns(void **state) {
    (void)state;
    ttt_board b = parse_ok("xoxxoxoxo");   /* x o x / x o x / o x o: full, no line */
    assert_int_equal(ttt_winner(&b, NULL), TTT_EMPTY);
    assert_true(ttt_full(&b));
    assert_true(ttt_over(&b));
    b = parse_ok(".........");
    assert_int_equal(ttt_to_move(&b), TTT_X);
    assert_false(ttt_over(&b));
    int moves[TTT_CELLS];
    assert_int_equal(ttt_legal_moves(&b, moves), 9);
    b = parse_ok("....x....");
    assert_int_equal(ttt_to_move(&b), TTT_O);
    assert_int_equal(ttt_legal_moves(&b, moves), 8);
    assert_int_equal(moves[4], 5);   /* cell 4 is taken: 0 1 2 3 5 6 7 8 */
}

static void test_illegal_moves_refused(void **state) {
    (void)state;
    lm_err err = {{0}};
    ttt_board b = parse_ok("x........"), before = b;
    assert_int_equal(ttt_play(&b, 0, &err), -1);
    assert_non_null(strstr(err.msg, "cell 1 (top-left) is taken by x"));
    assert_int_equal(ttt_play(&b, 9, &err), -1);
    assert_non_null(strstr(err.msg, "no cell 10"));
    assert_int_equal(ttt_play(&b, -1, &err), -1);
    assert_memory_equal(&b, &before, sizeof b);
    assert_int_equal(ttt_play(&b, 4, &err), 0);   /* o takes the centre */
    assert_int_equal(b.cell[4], TTT_O);
    b = parse_ok("xxxoo....");
    assert_int_equal(ttt_play(&b, 8, &err), -1);
    assert_non_null(strstr(err.msg, "the game is over: x has three in a row"));
    b = parse_ok("xoxxoxoxo");
    assert_int_equal(ttt_play(&b, 0, &err), -1);
    assert_non_null(strstr(err.msg, "the board is full"));
}

static void test_text_form(void **state) {
    (void)state;
    ttt_board a = parse_ok("x.o/.x./..o"), b = parse_ok("X.O.x...o");
    assert_memory_equal(&a, &b, sizeof a);
    char t[TTT_CELLS + 1];
    ttt_format(&a, t);
    assert_string_equal(t, "x.o.x...o");
    refused(NULL, "9 cells");
    refused("x.o", "this one has 3 characters");
    refused("x.o......x", "this one has 10 characters");
    refused("x.o/...-..", "this one has 10 characters");
    refused("x.o.-....", "cell 5 is '-'");
    refused("x.o \x1b....", "cell 4 is byte 0x20");
    refused("xx.......", "this board has 2 x and 0 o");
    refused("o........", "this board has 0 x and 1 o");
    refused("xxxooo...", "both x and o have three in a row");
    refused("xxxoo..o.", "x has three in a row, so the game ended there");
    refused("ooo.xx.xx", "o has three in a row, so the game ended there");
}

static void test_state_index(void **state) {
    (void)state;
    /* the text read as a base-3 number, '.' = 0, 'x' = 1, 'o' = 2, first cell highest:
     * x........ = 1 * 3^8 = 6561;  ........o = 2;  x.o...... = 6561 + 2 * 3^6 = 6561 + 1458 = 8019 */
    ttt_board b = parse_ok(".........");
    assert_int_equal(ttt_state_index(&b), 0);
    b = parse_ok("x........");
    assert_int_equal(ttt_state_index(&b), 6561);
    b = parse_ok("x.......o");
    assert_int_equal(ttt_state_index(&b), 6563);
    b = parse_ok("x.o......");
    assert_int_equal(ttt_state_index(&b), 8019);
    for (int s = 0; s < TTT_STATES; s++) {
        ttt_from_index(s, &b);
        assert_int_equal(ttt_state_index(&b), s);
    }
}

static void test_perfect_player(void **state) {
    (void)state;
    static ttt_solver solver;
    ttt_solver_init(&solver);
    ttt_board b = parse_ok(".........");
    assert_int_equal(ttt_solver_value(&solver, &b), 0);   /* tic-tac-toe is a draw */
    int moves[TTT_CELLS];
    /* x to move on xx.oo....: cell 3 wins at once, leaving 4 empty cells: value 1 + 4 = 5 */
    b = parse_ok("xx.oo....");
    assert_int_equal(ttt_perfect_moves(&solver, &b, moves), 1);
    assert_int_equal(moves[0], 2);
    assert_int_equal(ttt_solver_value(&solver, &b), 5);
    /* o to move on xx..o....: it must block at cell 3 */
    b = parse_ok("xx..o....");
    assert_int_equal(ttt_perfect_moves(&solver, &b, moves), 1);
    assert_int_equal(moves[0], 2);
    /* after x in a corner, o's only moves that hold the draw are the centre */
    b = parse_ok("x........");
    assert_int_equal(ttt_perfect_moves(&solver, &b, moves), 1);
    assert_int_equal(moves[0], 4);
    /* it never loses: 300 games on each side against a random player */
    lm_rng rng;
    lm_rng_seed(&rng, 5);
    int wins = 0;
    for (int g = 0; g < 600; g++) {
        int perfect_side = g % 2 ? TTT_O : TTT_X;
        ttt_clear(&b);
        while (!ttt_over(&b)) {
            int mv = ttt_to_move(&b) == perfect_side ? ttt_perfect_move(&solver, &b, &rng) : ttt_random_move(&b, &rng);
            assert_int_equal(ttt_play(&b, mv, NULL), 0);
        }
        int w = ttt_winner(&b, NULL);
        assert_true(w == TTT_EMPTY || w == perfect_side);
        wins += w == perfect_side;
    }
    assert_true(wins > 450);   /* and wins most */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wins_in_every_line), cmocka_unit_test(test_draw_and_turns),
        cmocka_unit_test(test_illegal_moves_refused), cmocka_unit_test(test_text_form),
        cmocka_unit_test(test_state_index), cmocka_unit_test(test_perfect_player),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
