#!/usr/bin/env bash
# tui_export_test.sh - the real `llmlab ui` in tmux: greedy shows the whole
# distribution with the argmax marked and only the settings in force (also
# after `:set temperature 0`); the raw (T=1) column at other temperatures;
# :export writes the screen (the .txt equals what tmux shows, the .svg parses),
# refuses to overwrite without !; H's projector mode draws the attention
# heatmap large with values, numbered columns and a legend in visible
# colours, at 120x40, 200x60 and 80x24. Every wait polls the screen.
set -u
cd "$(dirname "$0")/.."
LLMLAB="${LLMLAB:-./llmlab}"
case "$LLMLAB" in /*) ;; *) LLMLAB="$PWD/$LLMLAB" ;; esac
command -v tmux >/dev/null || { echo "tmux is missing (apt-get install tmux)"; exit 1; }
tmp=$(mktemp -d)
S="llmlab-tuiexp-$$"
trap 'tmux kill-session -t "$S" 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
if [ -f models/base.llm ]; then BASE=$PWD/models/base.llm
else BASE=$tmp/base.llm; "$LLMLAB" init --layers 2 --heads 4 --width 64 --ctx 128 --seed 1 -o "$BASE" >/dev/null || exit 1; fi

screen() { tmux capture-pane -p -t "$S" 2>/dev/null; }
status() { screen | tail -1; }
wait_for() {   # PATTERN [SECONDS] [WHAT=screen|status]
    local i=0
    while [ "$i" -lt $(( ${2:-10} * 10 )) ]; do
        "${3:-screen}" | grep -Eq -- "$1" && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
check() { if wait_for "$2" "${3:-10}" "${4:-screen}"; then pass "$1"; else fail "$1 (no /$2/)"; screen | sed 's/^/     | /'; fi; }
keys() { tmux send-keys -t "$S" "$@"; }
cmd() { keys ":$1" Enter; }

tmux new-session -d -s "$S" -x 120 -y 40 -e LANG=C.UTF-8 -e TERM=xterm-256color -e TMPDIR="$tmp" \
    "cd '$tmp' && '$LLMLAB' ui -m '$BASE' 'The capital of France is'; sleep 60" || exit 1
check "the UI opens" "1 Next( token)? .*2 Att(ention|n)" 15

# ---- greedy: every bar, the argmax marked, the settings in force only
keys g
check "g: greedy, and the controls say what is not used" "greedy \[g\] +always takes the most likely token"
check "g: the top row is marked argmax" "^ +1 .*argmax"
check "g: the rows below the argmax are still drawn" "^ +6 .*[0-9]\.[0-9]+%"
check "g: the status line says greedy" "\| greedy \| seed" 10 status
if status | grep -q "T="; then fail "greedy: the status line still shows T= ($(status))"; else pass "greedy: no temperature on the status line"; fi
if screen | grep -q "temperature 1.00"; then fail "greedy: 'temperature 1.00' still shown"; else pass "greedy: no temperature in the header"; fi
keys g
check "g again: sampled" "temperature 1.00 \[t/T\]"
cmd "set temperature 0"
check ":set temperature 0: greedy in the status line" "\| greedy \| seed" 10 status
if screen | grep -q "sampled"; then fail "temperature 0 still says sampled somewhere"; else pass "temperature 0: 'sampled' gone"; fi
check "temperature 0: the header says greedy by temperature 0" "greedy +temperature 0 = always the most likely"
keys o
cmd "set temperature 0.7"
check "temperature 0.70: the raw T=1 column beside the tempered one" "at T=1 +T=0\.70 +after"
cmd "set temperature 1"
keys o
check "temperature 1: back to before / after" "before +after"

# ---- :export
cmd "export shot.txt"
check ":export shot.txt" "exported the screen \(120x40, text\) to shot.txt" 10 status
screen | head -39 | sed 's/ *$//' >"$tmp/screen.txt"
head -39 "$tmp/shot.txt" | sed 's/ *$//' >"$tmp/shot39.txt"
if cmp -s "$tmp/screen.txt" "$tmp/shot39.txt"; then pass "the text export is the screen (39 rows above the status line)"
else fail "text export differs from the screen"; diff "$tmp/screen.txt" "$tmp/shot39.txt" | head -10; fi
cmd "export shot.svg"
check ":export shot.svg" "exported the screen \(120x40, SVG\) to shot.svg" 10 status
if /usr/bin/python3 - "$tmp/shot.svg" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
assert r.get('width') == '1200' and r.get('height') == '800'
t = [e for e in r.iter('{http://www.w3.org/2000/svg}text') if e.get('y') == '15']
assert any('1 Next' in (e.text or '') for e in t), [e.text for e in t]
PY
then pass "the SVG parses, 1200x800, the tabs on row 0"; else fail "the SVG export"; fi
cmd "export shot.svg"
check ":export refuses to overwrite" "shot.svg exists: :export! shot.svg overwrites it" 10 status
cmd "export! shot.svg"
check ":export! overwrites" "exported the screen \(120x40, SVG\) to shot.svg" 10 status
cmd "export"
check ":export without a file says how" "usage: :export FILE" 10 status

# ---- projector mode (H): the attention heatmap large, with values and a legend
keys e C-u
keys -l "The capital of France is Paris and the capital of Italy is Rome and the capital of Spain is"
keys Enter
check "a 20-token prompt" "^ +[0-9]+ tokens \(prompt (1[6-9]|2[0-9])"
keys H
check "H: projector mode" "projector mode"
keys 2
check "projector: the legend with values" "weight in %, colour: +0 +11 +22 +33 +44 +56 +67 +78 +89 +100"
check "projector: the first row's weight on itself is 100" "^ +0 The +100"
# heat backgrounds of the high-contrast ramp, none of the old greys (232-247)
esc=$(tmux capture-pane -p -e -t "$S")
if printf '%s' "$esc" | grep -qE '48;5;(24|25|31|37|43|78|113|149|185|226)m'; then pass "projector: heat cells in the visible ramp"
else fail "projector: no heat colours"; fi
if printf '%s' "$esc" | grep -qE '48;5;(232|235|238|241|244|247)m'; then fail "projector: grey heat cells"; else pass "projector: no grey heat cells"; fi
# column spacing: the columns are numbered; at 120 columns the cells are wider than 2
colgap() { screen | grep -E '^ +0 +1 +2 +3' | head -1 | awk '{ i0 = index($0, " 0 "); i1 = index($0, " 1 "); print i1 - i0 }'; }
g1=$(colgap); [ -n "$g1" ] && [ "$g1" -ge 4 ] && pass "projector 120x40: cells $g1 columns wide" || fail "projector 120x40: column gap [$g1]"
tmux resize-window -t "$S" -x 200 -y 60
check "projector 200x60: redrawn" "weight in %, colour:"
for _ in $(seq 1 50); do g2=$(colgap); [ -n "$g2" ] && [ "$g2" -gt "${g1:-99}" ] && break; sleep 0.1; done
[ -n "$g2" ] && [ "$g2" -gt "${g1:-99}" ] && pass "projector 200x60: cells grow to $g2 columns" || fail "projector 200x60: gap [$g2] vs [$g1]"
keys 1
check "projector next view at 200x60" "^ +1 .*argmax|^ +1 .*%"
w=$(screen | tail -n +2 | grep -E '^ +1 ' | head -1 | grep -o '█' | wc -l)   # below the tab bar (" 1 Next ...")
[ "$w" -gt 60 ] && pass "projector: the top bar uses the width ($w cells)" || fail "projector: top bar only $w cells"
tmux resize-window -t "$S" -x 80 -y 24
keys 2
check "projector 80x24: legend still drawn" "weight in %, colour:"
check "projector 80x24: numbered columns (the last positions)" "^ +([0-9]+ +)+18 *$"
keys q

echo
[ "$fails" -eq 0 ] && echo "tui_export_test: all passed" || echo "tui_export_test: $fails failed"
[ "$fails" -eq 0 ]
