#!/usr/bin/env bash
# tools_test.sh - tool use (a calculator) from the command line, on a tiny
# untrained model whose tokeniser has the tool markers (bpe-train adds them):
# generate --chat uses the loop when it can (--no-tools and --tools say
# otherwise), a reply without a call is exactly what it was without tools, a
# call shows as [calculator: EXPR = VALUE] with its VALUE and <|/result|> in
# the reply, and sft reads tool calls and masks the tool's text.
# An untrained model is not made to call the tool here: the loop itself is
# forced through its calls in tests/test_tools.c. Among seeds, one whose
# plain reply draws <|result|> by chance shows the CLI's side of a call.
set -u
cd "$(dirname "$0")/.."
. tests/cli_lib.sh   # B, tmp, n, fails, ok, bad, expect_grep
expect_fail() {   # NAME STATUS REGEX CMD...: exits with STATUS, stderr matches REGEX
    local name=$1 want=$2 re=$3; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ $rc -eq "$want" ] && grep -Eq -- "$re" "$tmp/err"; then ok "$name"
    else bad "$name" "status $rc, err: $(head -c 600 "$tmp/err")"; fi
}

# a tokeniser of 300 ids with the chat and tool specials, and a tiny model on it
for i in $(seq 1 200); do echo "the cat sat on the mat $i times $((i * 7)) plus one"; done >"$tmp/corpus.txt"
"$B" bpe-train --vocab 300 "$tmp/corpus.txt" -o "$tmp/tok.bin" >"$tmp/bpe.log" 2>&1 || bad "bpe-train" "$(cat "$tmp/bpe.log")"
"$B" init --tokenizer "$tmp/tok.bin" --layers 1 --heads 1 --width 16 --ctx 256 -o "$tmp/m.llm" >/dev/null 2>&1 ||
    bad "init"
read -r RES RESE < <("$B" tokenize -t "$tmp/m.llm" --special --ids "<|result|><|/result|>")
[ -n "${RESE:-}" ] && [ "$RES" != "$RESE" ] && ok "the model's tokeniser has <|result|> ($RES) and <|/result|> ($RESE)" ||
    bad "no tool markers in the tokeniser" "$RES $RESE"
M=$tmp/m.llm
Q="What is 2+2?"

expect_grep "help: --no-tools" "--no-tools +with --chat" "$B" generate --help
"$B" generate --help | grep -q "\[calculator: EXPR = VALUE\]" && ok "help shows [calculator: EXPR = VALUE]" ||
    bad "help lacks the call display"
expect_fail "--tools without --chat" 2 "--tools: .*add --chat" "$B" generate -m "$M" --tools "$Q"
"$B" init --layers 1 --heads 1 --width 16 --ctx 64 -o "$tmp/char.llm" >/dev/null 2>&1
expect_fail "--tools on a tokeniser without the markers names <|tool|>" 2 "--tools: .*<\|tool\|>" \
    "$B" generate -m "$tmp/char.llm" --chat --tools "$Q"
expect_grep "--tools on a model with the markers" "." "$B" generate -m "$M" --chat --tools -n 5 --seed 1 "$Q"

# every seed: with tools (the default) and --no-tools give the same reply
# while the model never draws <|result|>; the first seed where it does shows a call
call_seed=
same=0
for s in $(seq 1 40); do
    plain=$("$B" generate -m "$M" --chat --no-tools --ids -n 60 --seed "$s" "$Q" 2>/dev/null)
    tools=$("$B" generate -m "$M" --chat --ids -n 60 --seed "$s" "$Q" 2>"$tmp/calls")
    if ! printf ' %s ' "$plain" | grep -q " $RES "; then
        [ "$plain" = "$tools" ] && [ ! -s "$tmp/calls" ] && same=$((same + 1)) ||
            bad "seed $s: no <|result|>, yet tools changed the reply" "plain: $plain
tools: $tools
calls: $(cat "$tmp/calls")"
    elif [ -z "$call_seed" ]; then
        call_seed=$s
        call_plain=$plain call_tools=$tools
        cp "$tmp/calls" "$tmp/call_seed_calls"
    fi
done
[ "$same" -ge 20 ] && ok "no call: the same reply with and without tools ($same seeds)" ||
    bad "too few seeds without a call compared ($same)"
if [ -z "$call_seed" ]; then
    bad "no seed of 40 drew <|result|> (the untrained model's draws changed?)"
else
    # the tools reply: the plain one up to <|result|>, then VALUE ids and <|/result|>
    padded=" $call_plain "
    before=${padded%% $RES *}
    case " $call_tools " in
    "$before $RES "*) ok "seed $call_seed: the reply is the plain one up to <|result|>" ;;
    *) bad "seed $call_seed: the replies part before <|result|>" "plain: $call_plain
tools: $call_tools" ;;
    esac
    printf ' %s ' "$call_tools" | grep -Eq " $RES [0-9 ]+ $RESE " && ok "the VALUE and <|/result|> follow <|result|>" ||
        bad "no <|/result|> after the call" "$call_tools"
    grep -Eq '^\[calculator: .* = .*\]$' "$tmp/call_seed_calls" && ok "--ids: the call on stderr" ||
        bad "--ids: no call on stderr" "$(cat "$tmp/call_seed_calls")"
    text=$("$B" generate -m "$M" --chat -n 60 --seed "$call_seed" "$Q" 2>&1)
    printf '%s' "$text" | grep -aq "\[calculator: .* = [^]]*\]" && ok "text: the call inline" ||
        bad "text: no call shown" "$text"
fi

# SFT data with a call: the mask covers the call, not the tool's VALUE
cat >"$tmp/sft.jsonl" <<'EOF'
{"messages":[{"role":"user","content":"What is 347 * 29 + 112?"},{"role":"assistant","content":"I will use the calculator.","tool_call":"347 * 29 + 112"},{"role":"tool","content":"10175"},{"role":"assistant","content":"347 * 29 + 112 = 10175."}]}
EOF
mask=$("$B" sft -m "$M" --data "$tmp/sft.jsonl" --show-mask 2>&1)
printf '%s' "$mask" | grep -qF '<|assistant|>[I will use the calculator.<|tool|>347 * 29 + 112<|result|>]10175<|/result|>[347 * 29 + 112 = 10175.<|end|>]' &&
    ok "sft --show-mask: the call trained, the VALUE not" || bad "sft mask of a call" "$mask"
printf '%s\n' '{"messages":[{"role":"user","content":"Q"},{"role":"tool","content":"5"},{"role":"assistant","content":"A"}]}' \
    >"$tmp/bad.jsonl"
expect_fail "sft: a tool message without a call" 1 "bad.jsonl:1: message 2 \(tool\) does not follow" \
    "$B" sft -m "$M" --data "$tmp/bad.jsonl" --show-mask

echo "$((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
