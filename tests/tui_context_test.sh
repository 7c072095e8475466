#!/usr/bin/env bash
# tui_context_test.sh - prompts that outgrow the model's context window, in
# `llmlab ui` driven by tmux: nothing is dropped without a notice on screen.
#   a prompt longer than the context: the next-token view and the prompt line
#     say how many tokens the model reads and how many are dropped; a step is
#     refused (policy stop); the compare view refuses it naming both lengths;
#     Ctrl-W slides the window: the compare view says how many tokens were dropped
#     and continues as `llmlab generate --slide` does;
#   a prompt a little shorter than the context: the compare view's
#     continuation stops at the full context and says "context full: ...",
#     and continuous generation in the next-token view stops there, saying so.
# Every expected number comes from the CLI (`llmlab info`, `llmlab tokenize`)
# and the rule of decode/generate.h (a slide keeps n_ctx - n_ctx/4 tokens),
# not from the panels. Every wait polls the screen with a timeout.
set -u
cd "$(dirname "$0")/.."
. tests/tui_lib.sh   # LLMLAB, pass/fail, screen, wait_for, check, keys, re, goto_view
tui_session context   # BASE, tmp, S

n_ctx=$("$LLMLAB" info "$BASE" | awk '$1 == "context" { print $2 }')
keep=$((n_ctx - n_ctx / 4))
ntok() { "$LLMLAB" tokenize -t "$BASE" --ids "$1" | wc -w; }
PHRASE='and the king said unto them, '
repeat() { local i; for i in $(seq 1 "$1"); do printf '%s' "$PHRASE"; done; }
one=$(ntok "$PHRASE"); unit=$(($(ntok "$(repeat 2)") - one))   # tokens a repetition adds
[ -n "$n_ctx" ] && [ "$unit" -gt 0 ] || { echo "llmlab info/tokenize gave nothing"; exit 1; }
long=$(repeat $((n_ctx * 3 / 2 / unit + 1)))            # about 1.5 times the context
n_long=$(ntok "$long")
mid=$(repeat $(((n_ctx - 10 - one) / unit + 1)))         # a little shorter than it
n_mid=$(ntok "$mid")
[ "$n_long" -gt "$n_ctx" ] && [ "$n_mid" -lt "$n_ctx" ] && [ $((n_mid + 24)) -gt "$n_ctx" ] ||
    { echo "prompt sizes: $n_long, $n_mid for a context of $n_ctx"; exit 1; }

start_ui() {   # PROMPT: a new UI session on it (the old one goes after the new one is up)
    local old=$S
    runs=$((runs + 1))
    S="llmlab-context-$$-$runs"
    tmux new-session -d -s "$S" -x 120 -y 40 -e LANG=C.UTF-8 -e TERM=xterm-256color -e TMPDIR="$tmp" \
        "'$LLMLAB' ui -m '$BASE' '$1'; echo UI-EXITED=\$?; sleep 30" || { echo "cannot start tmux"; exit 1; }
    [ "$runs" -gt 1 ] && tmux kill-session -t "=$old" 2>/dev/null   # (= : that name exactly, not a prefix)
    trap 'tmux kill-session -t "=$S" 2>/dev/null; rm -rf "$tmp"' EXIT
}
runs=0

# ---- a prompt longer than the context, policy stop (the default)
start_ui "$long"
check "the UI starts on a $n_long-token prompt" "[0-9]+ Next " 15
drop=$((n_long - n_ctx))
check "the next-token view counts the whole prompt" "$n_long tokens \\(prompt $n_long \\+ generated 0\\)"
check "and says the model reads its last $n_ctx, the first $drop dropped" \
    "the prompt has $n_long tokens, more than the context of $n_ctx: the model reads the last $n_ctx, the first $drop are dropped"
check "the prompt line says it in every view" "ctx $n_ctx: first $drop of $n_long tokens dropped"
keys Space
check "a step is refused: the context is full" "refused: the context of $n_ctx tokens is full \\(\\^W slides the window\\)"
check "nothing was appended" "$n_long tokens \\(prompt $n_long \\+ generated 0\\)"
goto_view "Compare|Cmp"
check "the compare view shows the policy" "\\^W context stop"
check "the compare view refuses the prompt, naming both lengths" \
    "the prompt has $n_long tokens, more than the model's context"
check "... and how to go on" "refused \\(\\^W slides the window\\)"

# ---- Ctrl-W: the window slides
keys C-w
slid=$((n_long - keep))
check "Ctrl-W: the compare view's policy is slide" "\\^W context slide"
check "the compare view says the window slid and the $slid tokens dropped" \
    "the window \\($n_ctx tokens\\) slid once: the first $slid tokens"
check "... all of them the prompt's" "dropped \\($slid of the prompt's $n_long\\)"
check "the prompt line says the window slid" "ctx $n_ctx slid: first $slid of $n_long tokens dropped"
# the base model's continuation is generate --slide's (same seed and settings)
cont=$("$LLMLAB" generate -m "$BASE" --slide -n 24 "$long" 2>/dev/null)
cont=${cont#"$long"}   # generate prints the prompt, then the continuation
words=$(printf '%s' "$cont" | tr -s ' \n' '  ' | sed 's/^ //' | cut -d' ' -f1-3)
[ -n "$words" ] && check "the continuation starts as generate --slide's: '$words'" "^ $(re "$words")" ||
    fail "generate --slide gave no continuation"
goto_view "Next"
check "the next-token view says the window slid" \
    "the window \\($n_ctx tokens\\) slid: the first $slid of $n_long tokens are dropped"
keys Space
check "a step is taken now" "$((n_long + 1)) tokens \\(prompt $n_long \\+ generated 1\\)"
keys q
check "q quits" "UI-EXITED=0"

# ---- a prompt that fits, with no room for the continuation: the context fills
start_ui "$mid"
check "the UI starts on a $n_mid-token prompt" "[0-9]+ Next " 15
check "the prompt fits: no notice" "e: edit prompt"
goto_view "Compare|Cmp"
full=$((n_ctx - n_mid))
check "the compare view stops at the full context and says so" \
    "context full: $n_ctx tokens \\(prompt $n_mid \\+ $full generated\\)"
check "... with $full tokens" "continuation \\($full tokens\\)"
goto_view "Next"
keys g r
check "continuous generation stops at the full context, saying so" \
    "stopped: context full: $n_ctx tokens \\(prompt $n_mid \\+ $full generated\\); \\^W slides the window"
check "the next-token view says it too" "context full: $n_ctx tokens \\(prompt $n_mid \\+ $full generated\\)"
keys q
check "q quits" "UI-EXITED=0"

echo
[ "$fails" -eq 0 ] && echo "tui_context_test: all passed" || echo "tui_context_test: $fails failed"
[ "$fails" -eq 0 ]
