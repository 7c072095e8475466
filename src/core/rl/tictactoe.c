/* tictactoe.c - the rules of tic-tac-toe and the perfect player (see
 * tictactoe.h). */
#include "rl/tictactoe.h"

#include <string.h>

/* the eight lines of three: rows, columns, the two diagonals */
static const int LINES[8][3] = {{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {0, 3, 6},
                                {1, 4, 7}, {2, 5, 8}, {0, 4, 8}, {2, 4, 6}};
static const char *LINE_NAMES[8] = {"row 1",    "row 2",    "row 3",    "column 1",
                                    "column 2", "column 3", "diagonal", "anti-diagonal"};
static const char *CELL_NAMES[TTT_CELLS] = {"top-left", "top",         "top-right", "left",        "centre",
                                            "right",    "bottom-left", "bottom",    "bottom-right"};

void ttt_clear(ttt_board *b) { memset(b, 0, sizeof *b); }

int ttt_other(int player) { return player == TTT_X ? TTT_O : TTT_X; }

char ttt_mark(int v) { return v == TTT_X ? 'x' : v == TTT_O ? 'o' : '.'; }

static void count_marks(const ttt_board *b, int *nx, int *no) {
    *nx = *no = 0;
    for (int i = 0; i < TTT_CELLS; i++) {
        *nx += b->cell[i] == TTT_X;
        *no += b->cell[i] == TTT_O;
    }
}

int ttt_to_move(const ttt_board *b) {
    int nx, no;
    count_marks(b, &nx, &no);
    return nx > no ? TTT_O : TTT_X;
}

/* the winner of line k, or TTT_EMPTY */
static int line_owner(const ttt_board *b, int k) {
    int v = b->cell[LINES[k][0]];
    return v != TTT_EMPTY && b->cell[LINES[k][1]] == v && b->cell[LINES[k][2]] == v ? v : TTT_EMPTY;
}

int ttt_winner(const ttt_board *b, int line[3]) {
    for (int k = 0; k < 8; k++) {
        int v = line_owner(b, k);
        if (v == TTT_EMPTY) continue;
        if (line) memcpy(line, LINES[k], sizeof LINES[k]);
        return v;
    }
    return TTT_EMPTY;
}

int ttt_full(const ttt_board *b) {
    for (int i = 0; i < TTT_CELLS; i++)
        if (b->cell[i] == TTT_EMPTY) return 0;
    return 1;
}

int ttt_over(const ttt_board *b) { return ttt_winner(b, NULL) != TTT_EMPTY || ttt_full(b); }

int ttt_legal_moves(const ttt_board *b, int moves[TTT_CELLS]) {
    if (ttt_winner(b, NULL) != TTT_EMPTY) return 0;
    int n = 0;
    for (int i = 0; i < TTT_CELLS; i++)
        if (b->cell[i] == TTT_EMPTY) moves[n++] = i;
    return n;
}

int ttt_play(ttt_board *b, int cell, lm_err *err) {
    if (cell < 0 || cell >= TTT_CELLS) return lm_fail(err, "there is no cell %d: cells are 1 to 9", cell + 1);
    int w = ttt_winner(b, NULL);
    if (w != TTT_EMPTY) return lm_fail(err, "the game is over: %c has three in a row", ttt_mark(w));
    if (ttt_full(b)) return lm_fail(err, "the game is over: the board is full");
    if (b->cell[cell] != TTT_EMPTY)
        return lm_fail(err, "cell %d (%s) is taken by %c", cell + 1, CELL_NAMES[cell], ttt_mark(b->cell[cell]));
    b->cell[cell] = (uint8_t)ttt_to_move(b);
    return 0;
}

int ttt_state_index(const ttt_board *b) {
    int s = 0;
    for (int i = 0; i < TTT_CELLS; i++) s = 3 * s + b->cell[i];
    return s;
}

void ttt_from_index(int index, ttt_board *b) {
    for (int i = TTT_CELLS - 1; i >= 0; i--) {
        b->cell[i] = (uint8_t)(index % 3);
        index /= 3;
    }
}

void ttt_format(const ttt_board *b, char out[TTT_CELLS + 1]) {
    for (int i = 0; i < TTT_CELLS; i++) out[i] = ttt_mark(b->cell[i]);
    out[TTT_CELLS] = '\0';
}

const char *ttt_cell_name(int cell) { return cell >= 0 && cell < TTT_CELLS ? CELL_NAMES[cell] : "nowhere"; }

const char *ttt_line_name(const int line[3]) {
    for (int k = 0; k < 8; k++)
        if (memcmp(line, LINES[k], sizeof LINES[k]) == 0) return LINE_NAMES[k];
    return "a line";
}

int ttt_parse(const char *text, ttt_board *b, lm_err *err) {
    static const char *form = "a board is 9 cells in reading order, '.' empty, 'x' or 'o', "
                              "like x.o...... or x.o/.../...";
    if (!text) return lm_fail(err, "%s", form);
    size_t n = strlen(text);
    int rows = n == 11 && text[3] == '/' && text[7] == '/';
    if (n != 9 && !rows) return lm_fail(err, "%s; this one has %zu characters", form, n);
    ttt_board t;
    for (int i = 0; i < TTT_CELLS; i++) {
        unsigned char c = (unsigned char)text[rows ? i + i / 3 : i];
        if (c == '.') t.cell[i] = TTT_EMPTY;
        else if (c == 'x' || c == 'X') t.cell[i] = TTT_X;
        else if (c == 'o' || c == 'O') t.cell[i] = TTT_O;
        else if (c > 32 && c < 127) return lm_fail(err, "cell %d is '%c': %s", i + 1, c, form);
        else return lm_fail(err, "cell %d is byte 0x%02X: %s", i + 1, c, form);
    }
    int nx, no;
    count_marks(&t, &nx, &no);
    if (nx != no && nx != no + 1)
        return lm_fail(err, "x moves first, so x has as many marks as o or one more; this board has %d x and %d o",
                       nx, no);
    int wx = 0, wo = 0;
    for (int k = 0; k < 8; k++) {
        wx |= line_owner(&t, k) == TTT_X;
        wo |= line_owner(&t, k) == TTT_O;
    }
    if (wx && wo) return lm_fail(err, "both x and o have three in a row; a game stops at the first");
    if (wx && nx == no) return lm_fail(err, "x has three in a row, so the game ended there: o cannot move after it");
    if (wo && nx > no) return lm_fail(err, "o has three in a row, so the game ended there: x cannot move after it");
    *b = t;
    return 0;
}

/* ---- the perfect player ---- */

void ttt_solver_init(ttt_solver *s) { memset(s->value, (uint8_t)TTT_UNSOLVED, sizeof s->value); }

static int empties(const ttt_board *b) {
    int n = 0;
    for (int i = 0; i < TTT_CELLS; i++) n += b->cell[i] == TTT_EMPTY;
    return n;
}

/* negamax: the value for the player to move (the depth is at most 9) */
int ttt_solver_value(ttt_solver *s, const ttt_board *b) {
    int idx = ttt_state_index(b);
    if (s->value[idx] != TTT_UNSOLVED) return s->value[idx];
    int v;
    if (ttt_winner(b, NULL) != TTT_EMPTY) {
        v = -(1 + empties(b));   /* the player who just moved won */
    } else if (ttt_full(b)) {
        v = 0;
    } else {
        v = -100;
        ttt_board c = *b;
        int me = ttt_to_move(b);
        for (int i = 0; i < TTT_CELLS; i++) {
            if (b->cell[i] != TTT_EMPTY) continue;
            c.cell[i] = (uint8_t)me;
            int w = -ttt_solver_value(s, &c);
            c.cell[i] = TTT_EMPTY;
            if (w > v) v = w;
        }
    }
    s->value[idx] = (int8_t)v;
    return v;
}

int ttt_perfect_moves(ttt_solver *s, const ttt_board *b, int moves[TTT_CELLS]) {
    int legal[TTT_CELLS], n = ttt_legal_moves(b, legal), best = -100, nb = 0;
    int me = ttt_to_move(b);
    for (int k = 0; k < n; k++) {
        ttt_board c = *b;
        c.cell[legal[k]] = (uint8_t)me;
        int w = -ttt_solver_value(s, &c);
        if (w > best) {
            best = w;
            nb = 0;
        }
        if (w == best) moves[nb++] = legal[k];
    }
    return nb;
}

int ttt_perfect_move(ttt_solver *s, const ttt_board *b, lm_rng *rng) {
    int moves[TTT_CELLS], n = ttt_perfect_moves(s, b, moves);
    return n ? moves[lm_rng_below(rng, (uint32_t)n)] : -1;
}

int ttt_random_move(const ttt_board *b, lm_rng *rng) {
    int moves[TTT_CELLS], n = ttt_legal_moves(b, moves);
    return n ? moves[lm_rng_below(rng, (uint32_t)n)] : -1;
}
