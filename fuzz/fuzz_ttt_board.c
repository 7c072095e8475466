/* fuzz_ttt_board.c - libFuzzer target for a tic-tac-toe board from the
 * command line (ttt_parse, rl/tictactoe.h): any bytes (up to a NUL) either
 * parse into a board a game can reach or are refused with a message. A
 * board that parses writes back (ttt_format) as the same cells, has a state
 * index in range that maps back to it, counts that say whose turn it is, at
 * most one winner, and legal moves exactly when the game is not over. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rl/tictactoe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    ttt_board b;
    lm_err err;
    err.msg[0] = 0;
    if (ttt_parse(text, &b, &err) != 0) {
        if (err.msg[0] == 0) abort();
        free(text);
        return 0;
    }
    char out[TTT_CELLS + 1];
    ttt_format(&b, out);
    size_t n = strlen(text);
    if (n != 9 && n != 11) abort();
    for (int i = 0; i < TTT_CELLS; i++) {
        char c = text[n == 11 ? i + i / 3 : i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != out[i]) abort();
    }
    int s = ttt_state_index(&b);
    if (s < 0 || s >= TTT_STATES) abort();
    ttt_board back;
    ttt_from_index(s, &back);
    if (memcmp(&back, &b, sizeof b) != 0) abort();
    int nx = 0, no = 0;
    for (int i = 0; i < TTT_CELLS; i++) { nx += b.cell[i] == TTT_X; no += b.cell[i] == TTT_O; }
    if (nx != no && nx != no + 1) abort();
    if (ttt_to_move(&b) != (nx == no ? TTT_X : TTT_O)) abort();
    int moves[TTT_CELLS], m = ttt_legal_moves(&b, moves);
    if ((m == 0) != ttt_over(&b)) abort();
    free(text);
    return 0;
}
