#!/usr/bin/env bash
# tui_scaling_test.sh - drives the Scaling laws view of `llmlab ui` in tmux
# and asserts on the screen against what `llmlab scaling plot` prints for the
# shipped sweep (data/scaling/sweep.tsv): both fitted laws word for word, the
# axes' powers of 10, the plots' titles and the legend; then 'r' reads the
# file again (the UI runs in a folder whose data/scaling/sweep.tsv first
# lacks the last run, then gets it). Every wait polls the screen.
set -u
cd "$(dirname "$0")/.."
. tests/tui_lib.sh   # LLMLAB, pass/fail, screen, wait_for, check, keys, click, re
tui_session scaling  # BASE, tmp, S
[ -f data/scaling/sweep.tsv ] || { echo "data/scaling/sweep.tsv is missing"; exit 1; }

# ---- expected, from the CLI
plot=$("$LLMLAB" scaling plot)
law_n=$(printf '%s\n' "$plot" | grep -m1 '^L = .* N^')
law_c=$(printf '%s\n' "$plot" | grep -m1 '^L = .* C^')
first=$(printf '%s\n' "$plot" | grep -m1 '^a ' | awk '{print $2}')   # the smallest size, e.g. 1x16
runs=$(printf '%s\n' "$plot" | sed -n '1s/.*: \([0-9]*\) runs.*/\1/p')
for v in "$law_n" "$law_c" "$first" "$runs"; do [ -n "$v" ] || { echo "the CLI gave an empty expected value"; exit 1; }; done

# the UI finds data/scaling/sweep.tsv in its folder first (cli_find_shipped):
# a copy without its last row, for 'r' to find the whole file later
mkdir -p "$tmp/proj/data/scaling"
head -n -1 data/scaling/sweep.tsv >"$tmp/proj/data/scaling/sweep.tsv"
tmux new-session -d -s "$S" -x 120 -y 50 -c "$tmp/proj" -e LANG=C.UTF-8 -e TERM=xterm-256color -e TMPDIR="$tmp" \
    "'$LLMLAB' ui -m '$BASE' hello; echo UI-EXITED=\$?; sleep 30" || { echo "cannot start tmux"; exit 1; }
check "the UI starts" "rank token" 15
goto_view "Scaling"
check "the view reads the sweep in its folder: $((runs - 1)) runs" "scaling laws: $((runs - 1)) runs of data/scaling/sweep\\.tsv"
cp data/scaling/sweep.tsv "$tmp/proj/data/scaling/sweep.tsv"
keys r
check "r reads the file again: all $runs runs" "scaling laws: $runs runs of data/scaling/sweep\\.tsv"
check "loss against parameters, titled" "Loss against parameters N \\(non-embedding\\)"
check "its law as the CLI prints it: $law_n" "$(re "$law_n")"
check "loss against compute, titled" "Loss against compute C = 6ND FLOPs"
check "its law as the CLI prints it: $law_c" "$(re "$law_c")"
check "x axes labelled with powers of 10" "10\\^[0-9]+ +10\\^[0-9]+"
check "the legend names the smallest size $first" "sizes: +a $(re "$first") "
keys q
check "q quits" "UI-EXITED=0"
echo "$fails failed"
[ "$fails" -eq 0 ]
