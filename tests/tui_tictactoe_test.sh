#!/usr/bin/env bash
# tui_tictactoe_test.sh - drives the Q-learning panel of `llmlab ui` in tmux
# and asserts on the screen, every expected value taken from the CLI
# (`llmlab tictactoe steps`, `train`, `q`), not from the panel: one training
# game with its TD updates; training that pauses by itself at 20,000 games
# with the same Q table as `tictactoe train --episodes 20000` (the same games
# from the same seed); marks put with the arrows and Enter, the agent's mark,
# taking a mark back, clearing; the opponent and a new agent. Every wait
# polls the screen with a timeout.
set -u
cd "$(dirname "$0")/.."
. tests/tui_lib.sh   # LLMLAB, pass/fail, screen, wait_for, check, keys, goto_view, re
tui_session ttt   # BASE, tmp, S
T() { "$LLMLAB" tictactoe "$@" 2>&1; }

# ---- what the CLI says
steps=$(T steps)
moves=$(printf '%s\n' "$steps" | sed -n 's/^  moves: \(.*\)  -> \(.*\)$/\1 -> \2/p')
T train --episodes 20000 --test-games 1 -o "$tmp/a.qt" >/dev/null || { echo "tictactoe train failed"; exit 1; }
empty=$(T q -m "$tmp/a.qt" .........)
grid_cli=$(printf '%s\n' "$empty" | grep -E '^ +[^-].*\|' | grep -oE '[-+]?[0-9]\.[0-9]{3}' | tr '\n' ' ')
best_cli=$(printf '%s\n' "$empty" | sed -n "s/^the agent's move: \([1-9] ([a-z-]*)\), Q = \([-+0-9.]*\).*/\1, Q \2/p")
win_cli=$(T q -m "$tmp/a.qt" xx.oo.... | sed -n "s/^the agent's move: \([1-9] ([a-z-]*)\), Q = \([-+0-9.]*\).*/\1, Q \2/p")
[ -n "$moves" ] && [ -n "$best_cli" ] && [ -n "$win_cli" ] && [ "$(printf '%s' "$grid_cli" | wc -w)" -eq 9 ] || {
    echo "llmlab tictactoe gave nothing usable:"; printf '%s\n%s\n' "$steps" "$empty"; exit 1; }

tmux new-session -d -s "$S" -x 150 -y 45 -e LANG=C.UTF-8 -e TERM=xterm-256color -e TMPDIR="$tmp" \
    "'$LLMLAB' ui -m '$BASE' 'hello'; echo UI-EXITED=\$?; sleep 30" || { echo "cannot start tmux"; exit 1; }
check "the UI lists the Q-learning view" "[0-9]+ (Q-learning|TTT)( |$)" 15
goto_view "Q-learning|TTT"
check "the panel opens paused on a new agent" "Q-learning on tic-tac-toe +paused +games 0 against random, alpha 0.5, gamma 0.9, epsilon 0.1"
check "untrained, every Q is 0 and the agent's move is a guess" "agent: any \\(all 9 Q equal\\)"

# ---- one game: the same as `tictactoe steps`
keys .
check "game 1 is the CLI's first game: $moves" "game 1: $(re "$moves")"
check "its last update takes Q from 0 to 0.5" "the end, r = \\+1, target = r = \\+1\\.000 +Q 0\\.000 -> \\+0\\.500"

# ---- training pauses by itself at 20,000 games
keys s
check "s trains" "Q-learning on tic-tac-toe +training +games [0-9]+" 5
check "it pauses by itself at 20,000 games" "paused +games 20000 against random" 60
check "the agent's move on the empty board is the CLI's: $best_cli" "agent: $(re "$best_cli")"
grid_ui=$(screen | cut -c1-27 | grep -E '^ +[-+0-9]' | grep -oE '[-+]?[0-9]\.[0-9]{3}' | tr '\n' ' ')
if [ "$grid_ui" = "$grid_cli" ]; then pass "all 9 Q values of the empty board are the CLI's ($grid_cli)"
else fail "Q values on the board: '$grid_ui', the CLI's: '$grid_cli'"; screen | sed 's/^/     | /'; fi
check "the curve's legend shows the newest test" "win vs random +[0-9.]+% +loss vs perfect +[0-9.]+%"

# ---- marks by hand: x x . / o o . / . . .  (the cursor starts in the centre)
keys Up Left Enter Down Enter Up Right Enter Down Enter
check "arrows and Enter set up xx.oo...." "xx\\.oo\\.\\.\\.\\. +state 9396, x to move"
check "the agent takes the win, as 'q' says: $win_cli" "agent: $(re "$win_cli")"
check "the perfect player's move" "perfect: 3$"
keys Enter
check "Enter on a taken cell changes nothing" "xx\\.oo\\.\\.\\.\\. +state 9396"
keys a
check "a: the agent's mark wins" "xxxoo\\.\\.\\.\\.: x wins \\(row 1\\)"
keys BSpace
check "BackSpace takes it back" "xx\\.oo\\.\\.\\.\\. +state 9396"
keys x
check "x clears the board" "\\.\\.\\.\\.\\.\\.\\.\\.\\. +state 0, x to move"

# ---- opponent and a new agent
keys m
check "m: learn against itself" "games 20000 against self"
keys m
check "m again: against the perfect player" "games 20000 against perfect"
keys r
check "r: a new agent" "paused +games 0 against perfect"
check "the new agent knows nothing" "agent: any \\(all 9 Q equal"
keys q
check "q quits" "UI-EXITED=0"

echo "$fails failed"
[ "$fails" -eq 0 ]
