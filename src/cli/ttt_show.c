/* ttt_show.c - tic-tac-toe boards, Q values and TD updates in text (see
 * ttt_show.h). */
#include "cli/ttt_show.h"

#include <math.h>
#include <string.h>

#include "cli/show.h"

static void put_cell(FILE *f, int color, int v, int marked) {
    const char *sgr = marked ? "1;7" : v == TTT_X ? "1;36" : v == TTT_O ? "1;35" : "2";
    show_color(f, color, sgr);
    fputc(ttt_mark(v), f);
    show_reset(f, color);
}

void ttt_show_boards(FILE *f, int color, int n, const ttt_board *boards, const char *const *labels,
                     const int *mark, int width, int per_row) {
    for (int first = 0; first < n; first += per_row) {
        int last = first + per_row < n ? first + per_row : n;
        if (first) fputc('\n', f);
        for (int i = first; i < last; i++) {
            const char *l = labels ? labels[i] : "";
            int len = (int)strlen(l);
            fprintf(f, "  %s%*s", l, i + 1 < last && len < width - 2 ? width - 2 - len : 0, "");
        }
        fputc('\n', f);
        for (int row = 0; row < 3; row++) {
            for (int i = first; i < last; i++) {
                fputs("  ", f);
                for (int c = 0; c < 3; c++) {
                    int cell = 3 * row + c;
                    if (c) fputc(' ', f);
                    put_cell(f, color, boards[i].cell[cell], mark && mark[i] == cell);
                }
                if (i + 1 < last) fprintf(f, "%*s", width - 7, "");
            }
            fputc('\n', f);
        }
    }
}

void ttt_q_text(float q, char *out, size_t cap) {
    if (fabsf(q) < 0.0005f) snprintf(out, cap, "0.000");   /* never "-0.000" */
    else snprintf(out, cap, "%+.3f", (double)q);
}

void ttt_show_q_grid(FILE *f, int color, const ttt_board *b, const float *q) {
    float best;
    int moves[TTT_CELLS], n = ttt_legal_moves(b, moves);
    best = n ? q[moves[0]] : 0;
    for (int k = 1; k < n; k++)
        if (q[moves[k]] > best) best = q[moves[k]];
    for (int row = 0; row < 3; row++) {
        if (row) fputs("    --------+--------+--------\n", f);
        fputs("    ", f);
        for (int c = 0; c < 3; c++) {
            int cell = 3 * row + c;
            if (c) fputc('|', f);
            if (b->cell[cell] != TTT_EMPTY) {
                fputs("    ", f);
                put_cell(f, color, b->cell[cell], 0);
                fputs(c < 2 ? "   " : "", f);
            } else {
                char t[16];
                ttt_q_text(q[cell], t, sizeof t);
                int hi = n > 0 && q[cell] == best;
                show_color(f, color && hi, "1;32");
                fprintf(f, "%7s", t);
                show_reset(f, color && hi);
                fputs(c < 2 ? " " : "", f);
            }
        }
        fputc('\n', f);
    }
}

void ttt_result_text(const ttt_board *final, char *out, size_t cap) {
    int line[3], w = ttt_winner(final, line);
    if (w == TTT_EMPTY) snprintf(out, cap, "a draw");
    else snprintf(out, cap, "%c wins (%s)", ttt_mark(w), ttt_line_name(line));
}

void ttt_show_moves(FILE *f, const ttt_game *g) {
    ttt_board b;
    ttt_clear(&b);
    fputs("  moves:", f);
    for (int i = 0; i < g->n_moves; i++) {
        int p = ttt_to_move(&b);
        fprintf(f, " %c%d%s", ttt_mark(p), g->moves[i] + 1, g->explored[i] ? "*" : "");
        b.cell[g->moves[i]] = (uint8_t)p;
    }
    char r[64];
    ttt_result_text(&g->final, r, sizeof r);
    fprintf(f, "  -> %s\n", r);
}

/* a number in a formula: "0.724", "-0.100" (never "-0.000") */
static void num_text(float v, char *out, size_t cap) {
    snprintf(out, cap, "%.3f", fabsf(v) < 0.0005f ? 0.0 : (double)v);
}

void ttt_show_update(FILE *f, int color, int k, const ttt_update *u, const ttt_learning *L) {
    char me = ttt_mark(u->player), s_txt[TTT_CELLS + 1];
    ttt_format(&u->state, s_txt);
    fprintf(f, "update %d: %c played %d (%s) on s = %s (state %d)\n", k, me, u->action + 1,
            ttt_cell_name(u->action), s_txt, ttt_state_index(&u->state));
    ttt_board after = u->state;
    after.cell[u->action] = (uint8_t)u->player;
    /* what happened between s + a and s' */
    int reply = -1;
    for (int c = 0; c < TTT_CELLS; c++)
        if (after.cell[c] != u->next.cell[c]) reply = c;
    char r[64], next_label[64];
    ttt_result_text(&u->next, r, sizeof r);
    if (!u->terminal) snprintf(next_label, sizeof next_label, "s' (%c to move)", me);
    else snprintf(next_label, sizeof next_label, "s' (the end)");
    ttt_board boards[3] = {u->state, after, u->next};
    const char *labels[3] = {"s", "s + a", next_label};
    int marks[3] = {-1, u->action, reply};
    ttt_show_boards(f, color, reply >= 0 ? 3 : 2, boards, labels, marks, 12, 3);
    char old_t[16], next_t[16], target_t[16], new_t[16];
    num_text(u->old_q, old_t, sizeof old_t);
    num_text(u->next_q, next_t, sizeof next_t);
    num_text(u->target, target_t, sizeof target_t);
    num_text(u->new_q, new_t, sizeof new_t);
    const char *rs = u->reward > 0 ? "+1" : u->reward < 0 ? "-1" : "0";
    if (reply >= 0) fprintf(f, "  %c replied %d (%s)", ttt_mark(ttt_other(u->player)), reply + 1, ttt_cell_name(reply));
    else fprintf(f, "  this move ended the game");
    if (u->terminal) {
        fprintf(f, "%s: %s, so r = %s and there is no next state\n", reply >= 0 ? " and the game is over" : "", r, rs);
        fprintf(f, "  target = r = %s\n", target_t);
    } else if (L->rule == TTT_SARSA) {
        fprintf(f, "; the game goes on, so r = 0\n");
        fprintf(f, "  SARSA: a' = %d, the move %c then made; Q(s', a') = %s\n", u->next_action + 1, me, next_t);
        fprintf(f, "  target = r + gamma * Q(s', a') = 0 + %g * %s = %s\n", (double)L->gamma, next_t, target_t);
    } else {
        fprintf(f, "; the game goes on, so r = 0\n");
        fprintf(f, "  max over a' of Q(s', a') = %s (a' = %d)\n", next_t, u->next_action + 1);
        fprintf(f, "  target = r + gamma * max Q(s', a') = 0 + %g * %s = %s\n", (double)L->gamma, next_t, target_t);
    }
    fprintf(f, "  Q(s, a) <- Q(s, a) + alpha * (target - Q(s, a)) = %s + %g * (%s - %s) = ", old_t,
            (double)L->alpha, target_t, old_t);
    show_color(f, color && u->new_q != u->old_q, "1;33");
    fputs(new_t, f);
    show_reset(f, color && u->new_q != u->old_q);
    fputc('\n', f);
}
