#!/usr/bin/env bash
# `llmlab eval` on a tiny untrained model (bpe-train + init: well under a
# second) and a hand-written evaluation file with items of every kind: every
# row is printed with its n, skipped count and trivial baseline, the
# baselines worked out by hand in the comments of the file below; a rag item
# too long for the context is skipped and counted; --only, --by-format,
# --show and the progress line; hostile items are refused with FILE:LINE.
set -u
cd "$(dirname "$0")/.."
. tests/cli_lib.sh   # B, tmp, n, fails, ok, bad, expect_grep
expect_fail() {   # NAME REGEX CMD...: non-zero status, stderr matches REGEX
    local name=$1 re=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ $rc -ne 0 ] && grep -Eq -- "$re" "$tmp/err"; then ok "$name"; else bad "$name" "status $rc: $(cat "$tmp/err")"; fi
}

# a tokeniser with the chat markers, and a 1-layer model with a 160-token context
for _ in $(seq 1 40); do echo "Ada was born in 1815. Bob lives in Rome. Cats eat fish. The answer is 12."; done >"$tmp/corpus.txt"
"$B" bpe-train --vocab 300 -o "$tmp/tok.bin" "$tmp/corpus.txt" >/dev/null 2>&1 \
    && "$B" init --tokenizer "$tmp/tok.bin" --layers 1 --heads 1 --width 16 --ctx 160 -o "$tmp/tiny.llm" >/dev/null 2>&1 \
    || { bad "make a tiny model"; echo "$n checks, $fails failed"; exit 1; }
M=$tmp/tiny.llm

long="Read this: $(for i in $(seq 1 30); do printf 'Ada was born in 1815 and died in 1852 in London. '; done)Question: When was Ada born?"
cat >"$tmp/e.jsonl" <<EOF
{"kind":"fact_qa","question":"When was Einstein born?","answers":["1879"]}
{"kind":"fact_qa","question":"In which year was Einstein born?","answers":["1879"]}
{"kind":"fact_qa","question":"Where was Einstein born?","answers":["Ulm"]}
{"kind":"unknown","question":"Who is Zorblax Quint?","name":"Zorblax Quint"}
{"kind":"unknown","question":"Who is Mira Tull?"}
{"kind":"unknown_attr","question":"What is Einstein's favourite colour?","name":"Einstein"}
{"kind":"everyday","question":"What do cats eat?","answers":["fish","meat"]}
{"kind":"letters","question":"How many r in strawberry?","count":3}
{"kind":"letters","question":"How many r in cherry?","count":2}
{"kind":"letters","question":"How many e in cheese?","count":3}
{"kind":"letters","question":"How many a in cat?","count":1}
{"kind":"letters_direct","question":"How many r in strawberry? Answer with just the number.","count":3}
{"kind":"letters_direct","question":"How many r in cherry? Answer with just the number.","count":2}
{"kind":"arith_cot","question":"What is 3 + 4 + 5? Let's think step by step.","answer":12}
{"kind":"arith_cot","question":"What is 2 + 2 + 3? Let's think step by step.","answer":7}
{"kind":"arith_direct","question":"What is 3 + 4 + 5? Answer with just the number.","answer":12}
{"kind":"arith_direct","question":"What is 5 + 4 + 3? Answer with just the number.","answer":"12"}
{"kind":"arith_direct","question":"What is 2 + 2 + 3? Answer with just the number.","answer":7}
{"kind":"tool","question":"What is 123 + 456 + 7?","answer":586}
{"kind":"tool","question":"What is 456 + 123 + 7?","answer":586}
{"kind":"rag","question":"Read: Bob is in Rome. Q: Where is Bob?","answers":["Rome"]}
{"kind":"rag","question":"Read: Ada 1815, died 1852. Q: Born?","answers":["1815"],"wrong":["1852"]}
{"kind":"rag","question":"$long","answers":["1815"],"wrong":["1852"]}
{"kind":"few_shot","question":"Capital of France?","answers":["Paris"],"format":"{q} -> {a}","template":"{q} -> {a}\n","shots":[{"question":"Capital of Peru?","answer":"Lima"}]}
{"kind":"few_shot","question":"Capital of Italy?","answers":["Rome"],"format":"{q} -> {a}","template":"{q} -> {a}\n"}
{"kind":"few_shot","question":"Capital of France, again?","answers":["paris"]}
{"kind":"bare_question","question":"When was Einstein born?","answers":["1879"]}
EOF
# baselines by hand:
#   fact_qa: "1879" answers 2 of 3              66.7%   known_refused: always refuse 100.0%
#   idk_rate, idk_attr: always refuse 100.0%, never refuse 0.0%; idk_names: 1 item with a name
#   everyday: always refuse 0.0%
#   letters: counts 3 2 3 1, "3" right twice     50.0%   letters_direct: 3 2 (a tie) 50.0%
#   arith_cot: 12 7 (a tie) 50.0%                 arith_direct: 12 12 7, "12" 66.7%
#   tool: 586 586  100.0%; tool_calls: 0.0%
#   rag: the long item is skipped (it and 48 new tokens exceed 160); copying the question
#        finds Rome in the first, 1815 and the wrong 1852 in the second: 50.0%
#   few_shot: Paris Rome paris, "paris" 66.7%; per format: {q}->{a} 1 of 2 = 50.0%, default 1 of 1
#   bare_continues: none
out=$("$B" eval "$M" --data "$tmp/e.jsonl" --val "$tmp/corpus.txt" --val-batches 1 --batch 1 2>"$tmp/err"); rc=$?
[ $rc -eq 0 ] && ok "eval runs every kind on a tiny model" || bad "eval" "status $rc: $(cat "$tmp/err")"
row() { printf '%s\n' "$out" | awk -v r="$1" '$1 == r'; }
# expect_row NAME N "key=value ..." : the row exists, judged N items, and holds each key=value
expect_row() {
    local name=$1 want_n=$2 kv line; line=$(row "$name")
    if [ -z "$line" ]; then bad "row $name" "$out"; return; fi
    if [ "$(printf '%s' "$line" | awk '{print $3}')" != "$want_n" ]; then bad "row $name: n" "$line"; return; fi
    for kv in $3; do
        case " $line " in *" $kv "*) ;; *) bad "row $name: $kv" "$line"; return ;; esac
    done
    ok "row $name: n=$want_n $3"
}
expect_row fact_qa 3 "skipped=0 baseline=66.7% baseline_kind=most_common_answer"
expect_row known_refused 3 "baseline=100.0% baseline_kind=always_refuse"
expect_row idk_rate 2 "baseline=100.0% baseline_kind=always_refuse baseline2=0.0% baseline2_kind=never_refuse"
expect_row idk_names 1 "baseline=100.0% baseline_kind=always_refuse_with_name"
expect_row idk_attr 1 "baseline=100.0% baseline2=0.0%"
expect_row everyday 1 "baseline=0.0% baseline_kind=always_refuse"
expect_row letters 4 "baseline=50.0% baseline_kind=most_common_count"
expect_row letters_direct 2 "baseline=50.0% baseline_kind=most_common_count"
expect_row arith_cot 2 "baseline=50.0% baseline_kind=most_common_answer"
expect_row arith_direct 3 "baseline=66.7% baseline_kind=most_common_answer"
expect_row tool 2 "baseline=100.0%"
expect_row tool_calls 2 "baseline=0.0%"
expect_row rag 2 "skipped=1 baseline=50.0% baseline_kind=copy_question"
expect_row few_shot_0 3 "baseline=66.7% baseline_kind=most_common_answer"
expect_row few_shot_3 3 "baseline=66.7%"
expect_row bare_continues 1 "baseline=n/a baseline_kind=none"
[ -z "$(row "few_shot_0/{q}->{a}")" ] && ok "per-format rows only when asked" || bad "per-format rows shown" "$out"
# every row is one line "NAME VALUE N [key=value]...", the value a share but for the val rows
printf '%s\n' "$out" | awk 'NR > 1 && !($2 ~ /^[0-9.]+%$/ && $3 ~ /^[0-9]+$/ && $4 ~ /=/) && !($1 ~ /^(val_loss|perplexity|bits_per_byte)$/ && $2 ~ /^[0-9.]+$/) { bad = 1 }
                           END { exit bad }' \
    && ok "every row reads NAME VALUE N key=value..." || bad "row format" "$out"

# --by-format: the few-shot rows per format
out=$("$B" eval "$M" --data "$tmp/e.jsonl" --by-format few_shot 2>&1)
expect_row "few_shot_0/{q}->{a}" 2 "baseline=50.0%"
expect_row few_shot_3/default 1 "baseline=100.0%"
# --only: just those evaluations (kinds or row names)
out=$("$B" eval "$M" --data "$tmp/e.jsonl" --only letters,idk_names 2>&1)
[ "$(printf '%s\n' "$out" | awk 'NR > 1 {print $1}' | tr '\n' ' ')" = "idk_rate idk_names letters " ] \
    && ok "--only letters,idk_names runs those two evaluations" || bad "--only" "$out"
expect_fail "--only with an unknown name is a usage error" 'unknown evaluation "lettrs"' "$B" eval "$M" --data "$tmp/e.jsonl" --only letters,lettrs
# --show: every verdict, the skipped item as such
out=$("$B" eval "$M" --data "$tmp/e.jsonl" --show rag 2>&1)
[ "$(printf '%s\n' "$out" | grep -c '^rag  *skip ')" = 1 ] && [ "$(printf '%s\n' "$out" | grep -Ec '^rag  *(ok|miss) ')" = 2 ] \
    && ok "--show marks the skipped rag item" || bad "--show" "$out"

# val: val_loss, perplexity, bits_per_byte beside a uniform guess over the 300 ids
out=$("$B" eval "$M" --val "$tmp/corpus.txt" --val-batches 2 --batch 2 val 2>&1)
expect_row val_loss 2 "baseline=$(awk 'BEGIN { printf "%.4f", log(300) }') baseline_kind=uniform"
expect_row perplexity 2 "baseline=300.0000 baseline_kind=uniform"
line=$(row bits_per_byte)
printf '%s\n' "$line" | grep -q "baseline_kind=uniform" && ok "bits_per_byte has a uniform baseline" || bad "bits_per_byte" "$out"

# progress on stderr for a longer run, never on stdout
for i in $(seq 1 60); do echo "{\"kind\":\"fact_qa\",\"question\":\"Q$i?\",\"answers\":[\"x\"]}"; done >"$tmp/many.jsonl"
"$B" eval "$M" --data "$tmp/many.jsonl" --max-new 1 >"$tmp/out" 2>"$tmp/err"
grep -q "reply 60/60" "$tmp/err" && ! grep -q "reply" "$tmp/out" && grep -q "^fact_qa .* 60 " "$tmp/out" \
    && ok "progress on stderr" || bad "progress" "$(cat "$tmp/err" "$tmp/out")"

# hostile items: the file and line named
printf '%s\n' '{"kind":"fact_qa","question":"q","answers":["x"]}' \
    '{"kind":"few_shot","question":"q","answers":["x"],"format":"\u001b]0;pwned\u0007"}' >"$tmp/h1.jsonl"
expect_fail "a format with control bytes is refused at its line" "h1.jsonl:2: \"format\" holds a control character" "$B" eval "$M" --data "$tmp/h1.jsonl"
echo '{"kind":"few_shot","question":"q","answers":["x"],"template":"{a} {q}"}' >"$tmp/h2.jsonl"
expect_fail "a template with {a} first is refused" "h2.jsonl:1: \"template\" puts \{a\} before \{q\}" "$B" eval "$M" --data "$tmp/h2.jsonl"
echo '{"kind":"letters","question":"q","count":"three"}' >"$tmp/h3.jsonl"
expect_fail "a count that is no number is refused" 'h3.jsonl:1: "count" must be a whole number' "$B" eval "$M" --data "$tmp/h3.jsonl"
printf '%s\n' '{"kind":"\u001b[2Jrag","question":"q"}' >"$tmp/h5.jsonl"
"$B" eval "$M" --data "$tmp/h5.jsonl" >/dev/null 2>"$tmp/err"
grep -q 'h5.jsonl:1: unknown kind "<0x1B>\[2Jrag"' "$tmp/err" && ! grep -q $'\x1b' "$tmp/err" \
    && ok "an unknown kind is quoted without its escape byte" || bad "escape in a message" "$(od -c "$tmp/err" | head)"
echo '{"kind":"rag","question":"q","answers":["x"],"wrong":[["nested"]]}' >"$tmp/h4.jsonl"
expect_fail "a nested wrong list is refused" 'h4.jsonl:1: "wrong" must hold strings' "$B" eval "$M" --data "$tmp/h4.jsonl"

echo "$n checks, $fails failed"
[ "$fails" -eq 0 ]
