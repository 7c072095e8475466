#!/usr/bin/env bash
# `llmlab tictactoe` (issue 15) as a user runs it: --help everywhere, a clear
# message and status 2 for every bad option, board and sub-command, status 1
# and the path for an agent file that is missing, not a model or of another
# kind; a short training saves an agent that the other sub-commands read; a
# seed replays a run; Ctrl-C stops training, saves it and exits 130.
set -u
cd "$(dirname "$0")/.."
B=${LLMLAB:-./llmlab}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0; n=0
ok()  { n=$((n + 1)); echo "ok   $1"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "FAIL $1"; printf '%s\n' "${2:-}" | head -20 | sed 's/^/     /'; }
# run NAME STATUS REGEX CMD...: exits with STATUS; with status 0 stdout
# matches REGEX, otherwise stdout is empty and stderr matches REGEX
run() {
    local name=$1 want=$2 re=$3; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    local where="$tmp/out"; [ "$want" -ne 0 ] && where="$tmp/err"
    if [ $rc -eq "$want" ] && grep -Eq -- "$re" "$where" && { [ "$want" -eq 0 ] || [ ! -s "$tmp/out" ]; }; then ok "$name"
    else bad "$name" "status $rc (want $want), out: $(head -c 800 "$tmp/out"), err: $(head -c 800 "$tmp/err")"; fi
}
T="$B tictactoe"

# --- help
run "help" 0 "usage: llmlab tictactoe train\|steps\|play\|q\|eval" $T --help
for s in train steps play q eval; do run "$s --help" 0 "usage: llmlab tictactoe $s" $T $s --help; done
run "listed in llmlab help" 0 "tictactoe +Q-learning on tic-tac-toe" "$B" help

# --- usage errors: status 2 and what is wrong
run "no sub-command" 2 "missing a sub-command: train, steps, play, q or eval" $T
run "unknown sub-command" 2 "unknown sub-command 'fight'" $T fight
run "alpha above 1" 2 "--alpha wants a number from 1e-06 to 1, not '2'" $T train --alpha 2
run "alpha zero" 2 "--alpha wants a number" $T train --alpha 0
run "gamma not a number" 2 "--gamma wants a number from 0 to 1, not 'high'" $T train --gamma high
run "epsilon negative" 2 "--epsilon wants a number from 0 to 1" $T steps --epsilon -0.1
run "bad opponent" 2 "--opponent is random, perfect or self, not 'god'" $T train --opponent god
run "bad rule" 2 "--rule is q or sarsa, not 'td'" $T train --rule td
run "no episodes" 2 "--episodes wants" $T train --episodes 0
run "a typo is named" 2 "unknown option --episdoes; did you mean --episodes\?" $T train --episdoes 5
run "missing value" 2 "option --epsilon needs a value" $T train --epsilon
run "train takes no words" 2 "unexpected argument" $T train fast
run "steps shows at most 100 games" 2 "at most 100 games" $T steps --games 101
run "play --as" 2 "--as is x or o, not 'z'" $T play --as z
run "eval has no --opponent" 2 "unknown option --opponent" $T eval --opponent random
run "q needs a board" 2 "missing BOARD, like x.o......" $T q
run "q: one board" 2 "one BOARD" $T q x.o ...... ...
run "q: short board" 2 "bad BOARD: a board is 9 cells.*this one has 3 characters" $T q x.o
run "q: bad cell" 2 "cell 2 is 'z'" $T q xz.......
run "q: control byte" 2 "cell 2 is byte 0x1B" $T q "x$(printf '\033').o....."
run "q: x moves first" 2 "this board has 0 x and 1 o" $T q o........
run "q: two winners" 2 "both x and o have three in a row" $T q xxxooo...
run "q: the game is over" 2 "the game on xxxoo.... is over \(x wins \(row 1\)\)" $T q xxxoo....
run "q: a full board" 2 "is over \(a draw\)" $T q xoxxoxoxo

# --- agent files from outside: status 1, the path and the reason
run "missing agent" 1 "$tmp/none.qt" $T q -m "$tmp/none.qt" .........
printf 'x.o......\n' >"$tmp/junk.qt"
run "junk agent" 1 "junk.qt: .*not an llmlab model" $T play -m "$tmp/junk.qt"
"$B" init --layers 1 --heads 1 --width 16 --ctx 16 -o "$tmp/gpt.llm" >/dev/null
run "a transformer is not an agent" 1 "this is a gpt model, not a Q table" $T eval -m "$tmp/gpt.llm"
run "cannot save to a missing folder" 1 "cannot save -o $tmp/no/such/a.qt" $T train --episodes 10 -o "$tmp/no/such/a.qt"
[ -e "$tmp/no" ] && bad "a refused -o made a folder" || ok "a refused -o leaves nothing"

# --- a short training, then the agent in every sub-command
A=$tmp/a.qt
run "train saves" 0 "saved $A" $T train --episodes 3000 --every 1000 --test-games 200 -o "$A"
rows=$(grep -cE '^ +[0-9]+ +[0-9.]+%' "$tmp/out")
[ "$rows" -eq 4 ] && ok "a row at 0, 1000, 2000 and 3000 games" || bad "table rows" "$(cat "$tmp/out")"
run "eval reads it" 0 "an agent trained for 3000 games" $T eval -m "$A" --games 100
run "q reads it" 0 "the agent's move: [1-9] \([a-z-]+\), Q = \+0\.[0-9]+" $T q -m "$A" .........
run "play reads it" 0 "the agent \(x, greedy\) against random \(o\)" $T play -m "$A"
run "steps goes on from it" 0 "game 3001: the agent plays x against random" $T steps -m "$A"
run "the game is a model file of kind qtable" 0 "kind +qtable" "$B" info "$A"
run "train goes on from it" 0 "^ +3000 " $T train -m "$A" --episodes 10

# --- a seed replays a run; another seed gives another run
a=$($T steps --skip 50 --seed 9); b=$($T steps --skip 50 --seed 9); c=$($T steps --skip 50 --seed 10)
[ "$a" = "$b" ] && ok "same seed, same updates" || bad "same seed differs"
[ "$a" != "$c" ] && ok "another seed, another game" || bad "seeds 9 and 10 gave the same output"
case "$a" in *"update 1: "*"target = "*"Q(s, a) <- Q(s, a) + alpha * (target - Q(s, a)) = "*) ok "steps writes the update out" ;;
    *) bad "steps output" "$a" ;; esac
out=$($T steps --rule sarsa --skip 200)
case "$out" in *"SARSA: a' = "*) ok "steps shows SARSA's a'" ;; *) bad "sarsa steps" "$out" ;; esac
out=$($T train --episodes 100 | cat)
case "$out" in *$'\x1b'*) bad "no colour into a pipe" "$out" ;; *) ok "no colour into a pipe" ;; esac

# --- Ctrl-C: stop after the current game, save, exit 130
$T train --episodes 100000000 --every 1000 --test-games 10 -o "$tmp/int.qt" >"$tmp/int.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do grep -qsE '^ +1000 ' "$tmp/int.log" && break; sleep 0.1; done
kill -INT $pid
st=0; wait $pid || st=$?
if [ $st -eq 130 ] && grep -q "interrupted after [0-9]* of 100000000 games" "$tmp/int.log" && grep -q "saved $tmp/int.qt" "$tmp/int.log"
then ok "Ctrl-C saves and exits 130"; else bad "Ctrl-C" "status $st: $(tail -5 "$tmp/int.log")"; fi
run "the interrupted agent loads" 0 "an agent trained for [0-9]+ games" $T eval -m "$tmp/int.qt" --games 10

echo "$((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
