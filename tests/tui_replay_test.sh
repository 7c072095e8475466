#!/usr/bin/env bash
# tui_replay_test.sh - `llmlab ui --record FILE` in tmux writes the start
# settings and every key; `llmlab ui --replay FILE` in tmux ends on the same
# screen text; the headless replay (--screen-out) writes that screen's text
# too; a preset saved with ':preset save' opens the same prompt, view and
# settings with `llmlab ui --preset`. Every wait polls with a timeout.
set -u
cd "$(dirname "$0")/.."
LLMLAB="${LLMLAB:-./llmlab}"
case "$LLMLAB" in /*) ;; *) LLMLAB="$PWD/$LLMLAB" ;; esac
command -v tmux >/dev/null || { echo "tmux is missing (apt-get install tmux)"; exit 1; }
BASE=$PWD/models/base.llm
[ -f "$BASE" ] || { echo "models/base.llm is missing"; exit 1; }
tmp=$(mktemp -d)
S="llmlab-replay-$$"
cleanup() { tmux kill-session -t "$S" 2>/dev/null; tmux kill-session -t "$S-b" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fails=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
screen() { tmux capture-pane -p -t "$1" 2>/dev/null | sed 's/ *$//'; }
wait_for() {   # SESSION PATTERN [SECONDS]
    local i=0
    while [ "$i" -lt $(( ${3:-10} * 10 )) ]; do
        screen "$1" | grep -Eq -- "$2" && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
start() {   # SESSION ARGS...: llmlab ui in tmux at 120x40
    local s=$1; shift
    tmux new-session -d -s "$s" -x 120 -y 40 -e LANG=C.UTF-8 -e TERM=xterm-256color -e TMPDIR="$tmp" \
        -e XDG_CONFIG_HOME="$tmp/config" "'$LLMLAB' ui $*; echo UI-EXITED=\$?; sleep 30"
}
# a screen that stops changing: the same text twice, 0.3 s apart, and no
# background work still announced on it ("loading tokenisers... (2 of 5)"
# can sit unchanged for a while on a loaded machine)
steady() {
    local a b i=0
    a=$(screen "$1")
    while [ $i -lt 100 ]; do
        sleep 0.3; b=$(screen "$1")
        [ "$a" = "$b" ] && ! grep -q "loading " <<<"$b" && return 0
        a=$b; i=$((i + 1))
    done
    return 1
}

start "$S" -m "'$BASE'" --record "'$tmp/s.rec'" "'The king of France'"
wait_for "$S" "2 Att(ention|n)" 15 || { fail "the UI did not start"; exit 1; }
tmux send-keys -t "$S" 2 Down Right 1 t t Space Space 3
wait_for "$S" "^ *[0-9].*" 5
steady "$S"; screen "$S" >"$tmp/recorded.txt"
tmux send-keys -t "$S" q
wait_for "$S" "UI-EXITED=0" 10 && pass "the recorded UI quits cleanly" || fail "no clean exit"
if head -1 "$tmp/s.rec" | grep -qx "llmlab-record 1" && grep -qx "size 120x40" "$tmp/s.rec" &&
   grep -qx "prompt The king of France" "$tmp/s.rec" && [ "$(grep -c '^key ' "$tmp/s.rec")" -eq 10 ]; then
    pass "the recording has its header, size, prompt and the 10 keys"
else fail "the recording" "$(cat "$tmp/s.rec")"; fi

start "$S-b" --replay "'$tmp/s.rec'"
wait_for "$S-b" "2 Att(ention|n)" 15
steady "$S-b"; screen "$S-b" >"$tmp/replayed.txt"
if diff "$tmp/recorded.txt" "$tmp/replayed.txt" >"$tmp/diff"; then pass "the replay in tmux ends on the same screen"
else fail "replay screen differs"; head -20 "$tmp/diff"; fi

"$LLMLAB" ui --replay "$tmp/s.rec" --screen-out "$tmp/headless.txt" </dev/null; rc=$?
# the headless text keeps glyphs the terminal draws as colours: compare the lines of words
words() { grep -E '^ *(llmlab|prompt|[0-9]+ )' "$1" | sed 's/[^[:alnum:] %.:>-]//g; s/  */ /g'; }
if [ $rc -eq 0 ] && [ -s "$tmp/headless.txt" ] && [ "$(words "$tmp/headless.txt" | head -3)" = "$(words "$tmp/recorded.txt" | head -3)" ]; then
    pass "the headless replay writes the same screen's text"
else fail "headless replay ($rc)" "$(diff <(words "$tmp/headless.txt") <(words "$tmp/recorded.txt") | head)"; fi

printf 'llmlab-record 1\nkey x 1\n' >"$tmp/bad.rec"
err=$("$LLMLAB" ui --replay "$tmp/bad.rec" --screen-out "$tmp/x.txt" 2>&1 </dev/null); rc=$?
[ $rc -ne 0 ] && printf '%s' "$err" | grep -q "line 2" && pass "a bad recording is refused, naming the line" || fail "bad recording: $rc $err"

# ---- presets
tmux kill-session -t "$S" 2>/dev/null
start "$S" -m "'$BASE'" "'Once upon a time'"
wait_for "$S" "2 Att(ention|n)" 15
tmux send-keys -t "$S" 3 t ":preset save lesson-a" Enter
wait_for "$S" "saved preset .*lesson-a.preset" 10 && pass ":preset save writes the preset" || fail ":preset save"
tmux send-keys -t "$S" o q
P=$tmp/config/llmlab/presets/lesson-a.preset
if [ -f "$P" ] && grep -qx "view 3" "$P" && grep -qx "prompt Once upon a time" "$P"; then pass "the preset holds the view and prompt"
else fail "preset contents" "$(cat "$P" 2>/dev/null)"; fi
tmux kill-session -t "$S" 2>/dev/null
start "$S" --preset lesson-a
if wait_for "$S" "prompt +Once upon a time" 15 && screen "$S" | head -1 | grep -Eq "3 (Tokens|Tok)" && [ -n "$(screen "$S" | grep -E 'T=[0-9.]+')" ]; then
    t_saved=$(awk '$1 == "temperature" { print $2 }' "$P")
    if screen "$S" | grep -Eq "T=$(printf '%.2f' "$t_saved")"; then pass "--preset opens the prompt, view and temperature $t_saved"
    else fail "--preset temperature" "$(screen "$S" | tail -1)"; fi
else fail "--preset" "$(screen "$S" | head -3)"; fi
printf 'llmlab-preset 1\nprompt hi\nrm -rf /\n' >"$tmp/evil.preset"
err=$("$LLMLAB" ui --preset "$tmp/evil.preset" 2>&1 </dev/null); rc=$?
[ $rc -ne 0 ] && printf '%s' "$err" | grep -q "line 3" && pass "a preset with a stray line is refused, naming it" || fail "evil preset: $rc $err"
echo "$fails failed"
[ "$fails" -eq 0 ]
