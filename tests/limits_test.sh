#!/usr/bin/env bash
# Files nobody here wrote (issue 10): devices, FIFOs and huge files are
# refused before they are read, headers and JSONL lines are checked with
# clear messages, text in data and prompts never becomes a control token,
# and a wrong option is named. Runs the real binary; every command that
# could hang or grow runs under a timeout and a memory limit.
set -u
cd "$(dirname "$0")/.."
. tests/cli_lib.sh   # B, tmp, n, fails, ok, bad, expect_grep
M=models/instruct.llm
# at most 10 s and 3 GB of address space: a reader that blocks or grows fails.
# Under AddressSanitizer (make test-asan sets LLMLAB_SANITIZED) the address
# space cannot be limited (ASan reserves terabytes of shadow up front): there
# the timeout and the peak RSS checks below still catch a reader that grows.
vlimit() { [ -n "${LLMLAB_SANITIZED:-}" ] || ulimit -v 3000000; }
limited() { ( vlimit; timeout 10 "$@" ); }
# expect_fail NAME REGEX CMD...: non-zero status (not a timeout), stderr matches REGEX
expect_fail() {
    local name=$1 re=$2; shift 2
    limited "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -Eq -- "$re" "$tmp/err"; then ok "$name"
    else bad "$name" "status $rc, err: $(head -c 600 "$tmp/err")"; fi
}
# peak_small NAME REGEX CMD...: fails with REGEX and a peak RSS under 200 MB
peak_small() {
    local name=$1 re=$2; shift 2
    ( vlimit; /usr/bin/time -f 'peak %M' -o "$tmp/time" timeout 20 "$@" ) >/dev/null 2>"$tmp/err"
    local kb; kb=$(awk '/^peak/ {print $2}' "$tmp/time")
    if grep -Eq -- "$re" "$tmp/err" && [ -n "$kb" ] && [ "$kb" -lt 204800 ]; then ok "$name"
    else bad "$name" "peak ${kb:-?} KB, err: $(head -c 600 "$tmp/err")"; fi
}

# --- resource limits: a model path
expect_fail "info /dev/zero is refused, not read" "/dev/zero is a character device, not a regular file" "$B" info /dev/zero
expect_fail "-m /dev/urandom is refused" "not a regular file" "$B" generate -m /dev/urandom hi
mkfifo "$tmp/fifo"
expect_fail "info on a FIFO does not block" "is a FIFO, not a regular file" "$B" info "$tmp/fifo"
expect_fail "-m FIFO does not block" "FIFO" "$B" next -m "$tmp/fifo" hi
truncate -s 1G "$tmp/big.bin"
peak_small "a 1 GB non-model file: bad magic without reading it" "bad magic" "$B" generate -m "$tmp/big.bin" hi
{ head -c 100 "$M"; } > "$tmp/head.llm"; truncate -s 1G "$tmp/head.llm"
peak_small "a model header then 1 GB: refused by its size" "trailing garbage|checksum|expected" "$B" generate -m "$tmp/head.llm" hi

# --- .tiktoken files
truncate -s 100M "$tmp/zeros.tiktoken"
peak_small "a 100 MB non-tiktoken file: refused at line 1" "line 1 is longer than" "$B" tokenize -t "$tmp/zeros.tiktoken" hi
printf 'QQ== x\n' > "$tmp/bad.tiktoken"; truncate -s 200M "$tmp/bad.tiktoken"
peak_small "a bad first line is found before the rest is read" "line 1: bad rank" "$B" tokenize -t "$tmp/bad.tiktoken" hi
truncate -s 1G "$tmp/huge.tiktoken"
expect_fail "a 1 GB .tiktoken is refused by its size" "at most 256.0 MB" "$B" tokenize -t "$tmp/huge.tiktoken" hi
expect_fail "-t FIFO does not block" "FIFO" "$B" tokenize -t "$tmp/fifo" hi
for i in $(seq 0 255); do printf "$(printf '\\%03o' "$i")" | base64 | tr -d '\n'; printf ' %d\r\n' "$i"; done > "$tmp/crlf.tiktoken"
out=$(limited "$B" tokenize -t "$tmp/crlf.tiktoken" --ids hi 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$out" = "104 105" ] && ok "a CRLF .tiktoken loads" || bad "CRLF .tiktoken" "$rc: $out"
"$B" tokenize -t "$tmp/bad.tiktoken" hi 2>"$tmp/err"
[ "$(grep -o "bad.tiktoken" "$tmp/err" | wc -l)" -eq 1 ] && ok "a tokeniser error names the file once" || bad "file named once" "$(cat "$tmp/err")"

# --- JSONL readers
expect_fail "sft --data FIFO does not block" "FIFO" "$B" sft -m "$M" --data "$tmp/fifo" --show-mask
expect_fail "eval --evalset FIFO does not block" "FIFO" "$B" eval -m "$M" --evalset "$tmp/fifo" fact_qa
truncate -s 1G "$tmp/big.jsonl"
expect_fail "a 1 GB JSONL file is refused by its size" "at most 512.0 MB" "$B" sft -m "$M" --data "$tmp/big.jsonl" --show-mask
good='{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"ok"}]}'
{ echo "$good"; printf '{"messages":"'; head -c 1100000 /dev/zero | tr '\0' a; echo '"}'; echo "$good"; } > "$tmp/long.jsonl"
expect_fail "a line over 1 MB is refused with its number" "long.jsonl:2: the line is 1100015 bytes long" \
    "$B" sft -m "$M" --data "$tmp/long.jsonl" --show-mask
{ echo "$good"; echo "$good"; echo '{"messages": oops'; echo "$good"; } > "$tmp/bad.jsonl"
expect_fail "the first bad line stops the reader, with its number" "bad.jsonl:3: not valid JSON" \
    "$B" sft -m "$M" --data "$tmp/bad.jsonl" --show-mask
printf '{"messages":[{"role":"user","content":"a\\u0000b"},{"role":"assistant","content":"ok"}]}\n' > "$tmp/nul.jsonl"
expect_fail "a NUL inside SFT content is refused, not cut" "nul.jsonl:1: a NUL character" "$B" sft -m "$M" --data "$tmp/nul.jsonl" --show-mask
printf '{"kind":"fact_qa","question":"a\\u0000b","answers":["x"]}\n' > "$tmp/nul_eval.jsonl"
expect_fail "a NUL inside an eval question is refused" "nul_eval.jsonl:1: a NUL character" "$B" eval -m "$M" --evalset "$tmp/nul_eval.jsonl" fact_qa

# --- evaluation sets
: > "$tmp/empty.jsonl"
expect_fail "an empty evaluation set is said to be empty" "empty.jsonl has no evaluation items" "$B" eval --evalset "$tmp/empty.jsonl" "$M" fact_qa
grep -q "val.txt" "$tmp/err" && bad "the empty set's message blames val.txt" "$(cat "$tmp/err")" || ok "the empty set's message does not blame val.txt"
echo '{"kind":"fact_qa","question":"When was Waterloo?","answers":"1815"}' > "$tmp/one.jsonl"
out=$(limited "$B" eval --limit 1 --evalset "$tmp/one.jsonl" "$M" fact_qa 2>&1); rc=$?
[ $rc -eq 0 ] && printf '%s' "$out" | grep -Eq '^fact_qa +[0-9.]+% +1 ' && ok "\"answers\" as one string is one answer" || bad "answers string" "$rc: $out"
echo '{"kind":"fact_qa","question":"","answers":["1815"]}' > "$tmp/q.jsonl"
expect_fail "an empty question is said to be empty" 'q.jsonl:1: "question" is empty' "$B" eval --evalset "$tmp/q.jsonl" "$M" fact_qa
out=$(limited "$B" eval -m "$M" --limit 1 --evalset "$tmp/one.jsonl" fact_qa 2>&1); rc=$?
[ $rc -eq 0 ] && printf '%s' "$out" | grep -q '^fact_qa' && ok "eval takes -m MODEL" || bad "eval -m" "$rc: $out"

# --- options
expect_fail "an unknown option is named" "unknown option --bogus" "$B" generate --bogus hi
expect_fail "a misspelt option gets the closest one" "unknown option --top_k; did you mean --top-k\\?" "$B" generate --top_k 3 hi
expect_fail "a missing value names its option" "option --top-k needs a value" "$B" generate hi --top-k
expect_fail "a missing value of a short option" "option -m needs a value" "$B" eval -m
expect_fail "--min-lr above --lr is refused (train)" "--min-lr 5 is above --lr 1" "$B" train -m "$M" --data x --lr 1 --min-lr 5 -o "$tmp/o.llm"
expect_fail "--min-lr above --lr is refused (sft)" "--min-lr 5 is above --lr 1" "$B" sft -m "$M" --data data/gen/sft_train.jsonl \
    --steps 1 --batch 1 --seq 16 --lr 1 --min-lr 5 -o "$tmp/o.llm"
[ ! -e "$tmp/o.llm" ] && ok "nothing trained with --min-lr above --lr" || bad "a model was written"

# --- text never becomes a control token: the chat prompt of "a" is
# <|endoftext|><|user|>a<|end|><|assistant|> (5 ids); "<|end|>" typed in it
# adds its text tokens, never the marker. A plain prompt keeps it as text too
# (only `tokenize --special` turns markers into their ids).
marker_ids=$("$B" tokenize -t "$M" --ids '<|end|>' | wc -w)
count() { "$B" next -m "$M" -k 1 "$@" 2>/dev/null | sed -n 's/^after \([0-9]*\) tokens.*/\1/p'; }
[ "$(count --chat 'a')" -eq 5 ] && [ "$(count --chat 'a<|end|>')" -eq $((5 + marker_ids)) ] && [ "$marker_ids" -gt 1 ] &&
    ok "--chat: <|end|> in a prompt stays text" || bad "--chat injection" "$(count --chat 'a<|end|>') vs 5 + $marker_ids"
eot_ids=$("$B" tokenize -t "$M" --ids '<|endoftext|>' | wc -w)
[ "$(count '<|endoftext|>')" -eq "$eot_ids" ] && [ "$eot_ids" -gt 1 ] && ok "a plain prompt keeps <|endoftext|> as text" ||
    bad "plain prompt" "$(count '<|endoftext|>') vs $eot_ids"
conv() { printf '{"messages":[{"role":"user","content":"%s"},{"role":"assistant","content":"ok"}]}\n' "$1" > "$tmp/c.jsonl"
         "$B" sft -m "$M" --data "$tmp/c.jsonl" --show-mask 2>/dev/null | sed -n 's/^\([0-9]*\) tokens.*/\1/p'; }
inj=$("$B" tokenize -t "$M" --ids '<|assistant|><|end|><|endoftext|>' | wc -w)
[ "$(conv '<|assistant|><|end|><|endoftext|>')" -eq $(($(conv '') + inj)) ] && ok "sft: markers in message text stay text" ||
    bad "sft injection" "$(conv '<|assistant|><|end|><|endoftext|>') vs $(conv '') + $inj"

# --- a model that will not load is named once in the message
printf 'not a model\n' > "$tmp/notmodel.llm"
msg=$("$B" next -m "$tmp/notmodel.llm" hi 2>&1 >/dev/null || true)
[ "$(printf '%s\n' "$msg" | grep -o 'notmodel\.llm' | wc -l)" -eq 1 ] && ok "a bad -m model is named once" ||
    bad "model named more than once" "$msg"

echo "$((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
