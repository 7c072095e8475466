#!/usr/bin/env bash
# tui_test.sh - drives the real `llmlab ui` in tmux (send-keys, capture-pane)
# and asserts on what the screen shows, view by view. Uses models/base.llm and
# models/instruct.llm when both exist, otherwise two tiny random models made
# with `llmlab init` in a temp dir. Every wait polls the screen with a timeout.
set -u
cd "$(dirname "$0")/.."
. tests/tui_lib.sh   # LLMLAB, pass/fail, screen, wait_for, check, keys, click, re

tmp=$(mktemp -d)
S="llmlab-tui-$$"
cleanup() { tmux kill-session -t "$S" 2>/dev/null; tmux kill-session -t "$S-small" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

if [ -f models/base.llm ] && [ -f models/instruct.llm ]; then
    BASE=$PWD/models/base.llm; INST=$PWD/models/instruct.llm
else
    BASE=$tmp/base.llm; INST=$tmp/instruct.llm
    "$LLMLAB" init --layers 2 --heads 4 --width 64 --ctx 128 --seed 1 -o "$BASE" >/dev/null || exit 1
    "$LLMLAB" init --layers 2 --heads 4 --width 64 --ctx 128 --seed 2 -o "$INST" >/dev/null || exit 1
fi


# ---- not a terminal: a clear message and status 2
"$LLMLAB" ui -m "$BASE" </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "terminal" "$tmp/err"; then pass "no tty: exit 2 with a message"
else fail "no tty: rc=$rc, stderr: $(cat "$tmp/err")"; fi

# ---- start the UI inside tmux; the shell reports the exit status and the terminal state after
tmux new-session -d -s "$S" -x 120 -y 40 -e LANG=C.UTF-8 -e TERM=xterm-256color -e TMPDIR="$tmp" \
    "bash --norc --noprofile" || { echo "cannot start tmux"; exit 1; }
keys "cd '$PWD' && stty -g > '$tmp/stty.before'" Enter
keys "'$LLMLAB' ui -m '$BASE' --instruct '$INST' 'Hi'; echo UI-EXITED=\$?" Enter
check "the UI opens on the next-token view" "1 Next( token)? .*2 Att(ention|n)" 15

# ---- prompt editor: type a prompt and see its tokens (ids checked against `llmlab tokenize`)
keys e C-u
keys -l "abc xyz"
keys Enter
ids=$("$LLMLAB" tokenize -t "$BASE" --ids "abc xyz")
n_ids=$(echo "$ids" | wc -w)
check "typed prompt shows on the prompt line" "prompt  abc xyz"
check "its tokens are counted" "$n_ids tokens \\(prompt $n_ids \\+ generated 0\\)"
check "its token ids are in the strip" "$(echo "$ids" | sed 's/ / +/g')"

# ---- step generation: one token appended
keys Space
check "a step appends a token" "prompt $n_ids \\+ generated 1\\)"
keys u
check "undo takes it back" "prompt $n_ids \\+ generated 0\\)"

# ---- continuous generation, then back to the prompt
keys r
check "r generates continuously" "prompt $n_ids \\+ generated [2-9][0-9]*\\)"
keys r 0
check "0 goes back to the prompt" "prompt $n_ids \\+ generated 0\\)"

# ---- prompt history: Up recalls an earlier prompt
keys e C-u
keys -l "second prompt"
keys Enter
check "a second prompt" "prompt  second prompt"
keys e Up Up
check "Up twice recalls the first prompt" "prompt> abc xyz"
keys Enter
check "Enter keeps the recalled prompt" "prompt  abc xyz"

# ---- a newcomer just types: a letter no view binds starts a new prompt with it
keys -l "Why"
check "typing W starts a new prompt, nothing eaten" "prompt> Why"
keys Up
check "the replaced prompt is still in the history" "prompt> abc xyz"
keys Down
keys C-u
keys -l "abc xyz"
keys Enter
check "the prompt line says how to edit" "e: edit prompt"

# ---- chat toggle: the template's special tokens show in the strip
keys c
check "c answers (template on, or why not)" "chat template on|chat"
if screen | grep -q 'chat template on'; then
    check "the strip shows the template's special tokens" "<\|user\|>.*<\|assistant\|>|<\|assistant\|>"
else
    check "chat with a tokeniser without the markers says so" "marker|special|chat"
fi
keys c
check "c turns it off again" "\\| chat off"

# ---- top-k and top-p cuts are drawn where they fall
keys K K K K
check "top-k 5 set" "top-k 5 \\[k/K\\]"
check "the top-k cut line shows after rank 5" "top-k cut: k=5"
keys k k k k
check "top-k off again" "top-k off"
for i in $(seq 1 19); do keys p; done
check "top-p down to 0.05" "top-p 0\\.05"
check "the top-p cut line shows" "top-p cut: mass >= 0\\.05"
for i in $(seq 1 19); do keys P; done
check "top-p off again" "top-p off"

# ---- high-contrast mode: H switches the colours (same text, other escapes)
plain1=$(screen); esc1=$(tmux capture-pane -p -e -t "$S")
keys H
check "H turns high contrast on" "high-contrast colours on"
esc2=$(tmux capture-pane -p -e -t "$S")
if [ "$esc1" != "$esc2" ]; then pass "high contrast changes the colour escapes"; else fail "H changed no colours"; fi
keys H
check "H turns it off" "high-contrast colours off"

# ---- temperature: the bars change
bars() { screen | grep -E '^ +[0-9]+ .*%.*%' | head -8; }
before=$(bars)
keys T T T T T
check "temperature goes up" "temperature 1\\.50"
after=$(bars)   # the bars are redrawn in the same frame as the header, but wait for them anyway
for _ in $(seq 1 50); do [ "$after" != "$before" ] && break; sleep 0.1; after=$(bars); done
if [ -n "$before" ] && [ "$before" != "$after" ]; then pass "the bars change with the temperature"
else fail "bars did not change: [$before] vs [$after]"; fi
keys g
check "greedy shows its cut" "greedy: only the most likely token"
keys g

# ---- attention: move across heads and layers
keys 2
check "attention view" "head 0 of 0-[0-9]+"
keys Right
check "Right moves to the next head" "head 1 of 0-[0-9]+"
keys Down
check "Down moves to the next layer" "layer 1 of 0-[0-9]+"
check "the causal mask and the head grid are drawn" "all heads"
click "L0H2" && check "clicking a head in the grid selects it" "layer 0 of 0-[0-9]+ .*head 2 of 0-[0-9]+" \
    || fail "no head L0H2 in the grid to click"
click " 1 Next" && check "clicking a tab switches the view" "temperature [0-9.]+ \\[t/T\\]" \
    || fail "no tab to click"
keys 2

# ---- tokens: BPE stepper and letters overlay
keys 3
check "tokenisers side by side" "gpt2 +[0-9]+ " 20
check "stepper at merge 0" "merge 0/[0-9]+"
keys Right
check "Right applies the first merge, shows the merged pair" "merge 1/[0-9]+ .*' \\+ '.*' -> '"
keys Left
check "Left steps back" "merge 0/[0-9]+"
n_merges=$(screen | grep -oE 'merge 0/[0-9]+' | head -1 | cut -d/ -f2)
keys End
check "End jumps to the last merge" "merge ${n_merges:-x}/${n_merges:-x} "
keys l
check "letters overlay" "letters overlay: 'r'"

# ---- compare base and instruct
keys 4
check "compare: base side" "base: "
check "compare: instruct side" "instruct: "
check "compare: continuations of both" "continuation \\([0-9]+ tokens\\):.*continuation \\([0-9]+ tokens\\):" 20
check "compare: agreement summary" "agree|differ" 20

# ---- train: start, see the step counter and the curve move, stop
keys 5
check "train view" "s starts on a working copy"
keys s
check "training runs" "step [1-9][0-9]* +loss" 30
s1=$(screen | grep -oE 'step [0-9]+ +loss' | grep -oE '[0-9]+' | head -1)
wait_for "step $((s1 + 3))[0-9]* +loss|step [0-9]{$((${#s1} + 1)),} +loss" 20
s2=$(screen | grep -oE 'step [0-9]+ +loss' | grep -oE '[0-9]+' | head -1)
if [ "${s2:-0}" -gt "${s1:-0}" ]; then pass "the step counter moves ($s1 -> $s2)"; else fail "step counter stuck at $s1"; fi
check "the loss curve is drawn" "train loss.*val loss.*steps 1 \\.\\. [0-9]+"
keys w
check "w asks where to save, offering a new file" "save as: .*trained-step[0-9]+\\.llm"
keys Escape
if wait_gone "save as: "; then pass "Esc cancels the save"; else fail "the save-as line stays after Esc"; fi
if screen | grep -q $'\xe2\xa0\x82\|[\xe2][\xa0-\xa3]'; then pass "braille curve"; else fail "no braille on screen"; fi
# the other views show the model while it changes
keys 1
check "next-token view during training" "temperature [0-9.]+ \\[t/T\\]"
b1=$(bars); changed=0
for i in $(seq 1 50); do sleep 0.1; [ "$(bars)" != "$b1" ] && { changed=1; break; }; done
if [ "$changed" = 1 ]; then pass "the bars follow the weights being trained"; else fail "bars frozen during training"; fi
keys 5
keys x
check "training stops" "training stopped"

# ---- resize to the minimum and below, and back
tmux resize-window -t "$S" -x 40 -y 12
check "40x12: compact tabs" "1 Next +2 Attn +3 Tok"
keys 1
check "40x12: next-token view still drawn" "T=[0-9.]+ k=[a-z0-9]+ p=[a-z0-9.]+ (sampled|greedy) seed"
check "40x12: the bars fit (percent column on screen)" "^ +1 .*[0-9]+\\.[0-9]+%"
# a view whose tab is past the right edge: the tabs scroll to show it, < marks the cut
n_views=9   # the ninth view: past the right edge at 40 columns
keys "$n_views"
check "40x12: the tabs scroll to the selected view" "^< .* 9 [A-Za-z]+"
keys 1
check "40x12: back at view 1 the tabs start at 1" "^ 1 Next +2 Attn"
tmux resize-window -t "$S" -x 80 -y 24
check "80x24: the bar table header is whole" "(before|T=[0-9.]+) +after *$"
check "80x24: the controls fit with their keys" "seed [0-9]+ \\[s/S\\]"
tmux resize-window -t "$S" -x 40 -y 12
tmux resize-window -t "$S" -x 30 -y 8
check "below the minimum: a message" "terminal too small"
check "the message is word-wrapped (no word cut)" "^ *llmlab needs at least 40x12"
tmux resize-window -t "$S" -x 120 -y 40
check "back to full size" "1 Next( token)? .*2 Att(ention|n)"

# ---- help and the command line
keys '?'
check "? lists the keys" "keys +\\(\\? or Esc closes"
check "help names the views' keys" "next token view \\(1\\)"
check "help shows the global keys from the binding table" "q / Ctrl-C +quit"
keys NPage NPage NPage NPage
check "help scrolls to the last panel's keys" "train view \\(5\\)"
check "the train panel's keys are listed" "revert the view model to its file"
keys Escape
keys :
keys -l "tokenize -t char hi"
keys Enter
check "':' runs a command and shows its output" "> tokenize -t char hi"
check "the output pane holds the result" "104.*105"
keys Escape
if wait_gone "command output"; then pass "Esc hides the output pane"; else fail "the output pane stays after Esc"; fi
keys '%'   # (1-9 all have views now, and 0 is bound in the next view)
check "a key with no binding starts a new prompt" "prompt> %"
keys Escape
check "Esc ends the edit" "prompt  % "

# ---- colours are drawn (capture-pane -e keeps the escapes)
if tmux capture-pane -p -e -t "$S" | grep -q $'\e\\[[0-9;]*m'; then pass "colour attributes on screen"
else fail "no colour escapes in capture-pane -e"; fi

# ---- q quits and the terminal is restored
keys q
check "q quits with status 0" "UI-EXITED=0"
alt=$(tmux display -p -t "$S" '#{alternate_on}')
if [ "$alt" = "0" ]; then pass "alternate screen left"; else fail "alternate screen still on"; fi
keys "stty -a | grep -o ' icanon\\| echo ' | tr -d ' ' | tr '\\n' ,; echo" Enter
check "tty back in canonical mode with echo" "icanon,echo,"

stty_same() {   # the shell in the pane compares its tty settings with the ones saved before the UI ran
    keys "clear; [ \"\$(stty -g)\" = \"\$(cat '$tmp/stty.before')\" ] && echo STTY-SAME-\$((6*7)) || echo STTY-DIFF" Enter
    check "$1: stty settings as before the UI" "STTY-SAME-42"
}
stty_same "after q"
ui_pid() {   # the llmlab child of the pane's shell
    local i=0 pp; pp=$(tmux display -p -t "$S" '#{pane_pid}')
    while [ "$i" -lt 100 ]; do
        p=$(pgrep -P "$pp" | head -1); [ -n "$p" ] && { echo "$p"; return 0; }
        sleep 0.1; i=$((i + 1))
    done
    return 1
}

# ---- opened without a prompt: the editor is open, the first letter replaces the example
keys "clear; '$LLMLAB' ui -m '$BASE'; echo UI-EXITED=\$?" Enter
check "no prompt given: the prompt editor is open" "prompt> " 15
check "and says that typing replaces the example" "replaces the example"
keys -l "The cat"
keys Enter
check "typed letters form the prompt, none taken as keys" "prompt  The cat "
check "and the temperature is untouched" "temperature 1.00"
keys q
check "q quits" "UI-EXITED=0"
keys "clear; '$LLMLAB' ui -m '$BASE'; echo UI-EXITED=\$?" Enter
check "no prompt given again" "replaces the example" 15
keys Space
check "space still takes a token at start-up" "\+ generated 1\)"
keys t
check "and t still lowers the temperature" "temperature 0.90"
keys q
check "q quits" "UI-EXITED=0"

# ---- Ctrl-C restores the terminal
keys "clear; '$LLMLAB' ui -m '$BASE' 'Hi'; echo UI-EXITED=\$?" Enter
check "UI again (for Ctrl-C)" "1 Next( token)? .*2 Att(ention|n)" 15
keys C-c
check "Ctrl-C quits" "UI-EXITED=[0-9]+"
[ "$(tmux display -p -t "$S" '#{alternate_on}')" = 0 ] && pass "Ctrl-C: alternate screen left" || fail "Ctrl-C: alternate screen still on"
stty_same "after Ctrl-C"

# ---- SIGTERM restores the terminal
keys "clear; '$LLMLAB' ui -m '$BASE' 'Hi'; echo UI-EXITED=\$?" Enter
check "UI again (for SIGTERM)" "1 Next( token)? .*2 Att(ention|n)" 15
pid=$(ui_pid) && kill -TERM "$pid"
check "SIGTERM ends the UI (status 143 or an orderly exit)" "UI-EXITED=[0-9]+"
[ "$(tmux display -p -t "$S" '#{alternate_on}')" = 0 ] && pass "SIGTERM: alternate screen left" || fail "SIGTERM: alternate screen still on"
stty_same "after SIGTERM"

# ---- NO_COLOR and --ascii: no colour escapes, no braille or block characters
keys "clear; NO_COLOR=1 '$LLMLAB' ui --ascii -m '$BASE' 'Hi there'; echo UI-EXITED=\$?" Enter
check "UI with NO_COLOR and --ascii" "1 Next( token)? .*2 Att(ention|n)" 15
check "ascii: the bars are drawn" "^ +1 .*[#=|]+.*%"
# colour SGR parameters (30-38, 40-48, 90-97, 100-107; 39/49 are tmux's own resets)
no_colour() { tmux capture-pane -p -e -t "$S" | grep -aoE $'\e\\[[0-9;]*m' | tr -d '\033[m' | tr ';' '\n' |
              grep -E '^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$' | head -3; }
no_block() { screen | LC_ALL=C.UTF-8 grep -P '[\x{2580}-\x{259F}\x{2800}-\x{28FF}\x{25C0}]' | head -2; }
c=$(no_colour); [ -z "$c" ] && pass "NO_COLOR: no colour escapes (next view)" || fail "NO_COLOR: colour SGR $c"
b=$(no_block); [ -z "$b" ] && pass "--ascii: no block/braille characters (next view)" || fail "--ascii: [$b]"
keys 2
check "ascii attention view" "head 0 of 0-[0-9]+"
b=$(no_block); [ -z "$b" ] && pass "--ascii: no block/braille characters (attention)" || fail "--ascii attention: [$b]"
c=$(no_colour); [ -z "$c" ] && pass "NO_COLOR: no colour escapes (attention)" || fail "NO_COLOR attention: $c"
keys 5 .
check "ascii train view after one step" "step [1-9][0-9]* +loss" 30
b=$(no_block); [ -z "$b" ] && pass "--ascii: no braille in the loss plot" || fail "--ascii train: [$b]"
keys x q
check "q quits the NO_COLOR run" "UI-EXITED=0"

# ---- 80x24: a strip too long for its rows shows its END (the last tokens, after a leading ellipsis)
S0=$S; S="$S0-small"
long="Once upon a time there was a little girl who lived in a village near the forest. Whenever she went out, the little girl wore a red riding cloak, so everyone in the village called her Little Red Riding Hood. END"
tmux new-session -d -s "$S" -x 80 -y 24 -e LANG=C.UTF-8 -e TERM=xterm-256color -e TMPDIR="$tmp" \
    "'$LLMLAB' ui -m '$BASE' '$long'" || fail "cannot start the 80x24 session"
check "80x24 UI opens" "1 Next +2 Attn" 15
ids=$("$LLMLAB" tokenize -t "$BASE" --ids "$long")
last2=$(echo $ids | awk '{ print $(NF-1), $NF }')
check "the long strip says its start is hidden" "^ …"
check "the long strip ends with the prompt's last tokens ($last2)" "(^| )${last2% *} +${last2#* } *$"
keys c
if wait_for "chat template" 5; then
    check "chat on: <|assistant|> (the last token) is visible at 80x24" "<\|assistant\|> *$"
fi
tmux kill-session -t "$S" 2>/dev/null

# ---- monochrome: token boundaries show without colour (a | between tokens)
tmux new-session -d -s "$S" -x 80 -y 24 -e LANG=C.UTF-8 -e TERM=xterm-256color -e TMPDIR="$tmp" -e NO_COLOR=1 \
    "'$LLMLAB' ui -m '$BASE' 'Once upon a time'" || fail "cannot start the NO_COLOR session"
check "NO_COLOR UI opens" "1 Next +2 Attn" 15
row=$(screen | sed -n 4p)
if echo "$row" | grep -q '[^ |]|[^ |]'; then pass "NO_COLOR: the next-token strip separates tokens with |"
else fail "NO_COLOR: no token separators in the strip: [$row]"; fi
keys 3
check "NO_COLOR tokens view: the char row shows each character as a token" "char +16 +O\|n\|c\|e\|·\|u" 15
rows=$(screen | grep -E '^ (bpe|gpt2|cl100k_base|o200k_base)' | grep -v 'not available')
if [ -z "$rows" ] || ! echo "$rows" | grep -q 'Once·upon·a·time'; then pass "NO_COLOR: no tokeniser row reads as one unbroken string"
else fail "NO_COLOR: token boundaries invisible: $rows"; fi
tmux kill-session -t "$S" 2>/dev/null
S=$S0

echo
[ "$fails" -eq 0 ] && echo "tui_test: all passed" || echo "tui_test: $fails failed"
[ "$fails" -eq 0 ]
