#!/usr/bin/env bash
# CLI golden tests: run the real binary as a user would and check what it
# prints and its exit status. Uses a small model made on the fly.
set -u
cd "$(dirname "$0")/.."
. tests/cli_lib.sh   # B, tmp, n, fails, ok, bad, expect_grep
# expect_out NAME EXPECTED CMD...: stdout must equal EXPECTED, status 0
expect_out() {
    local name=$1 want=$2; shift 2
    local got; got=$("$@" 2>"$tmp/err"); local rc=$?
    if [ $rc -eq 0 ] && [ "$got" = "$want" ]; then ok "$name"; else bad "$name" "status $rc, got: $got $(cat "$tmp/err")"; fi
}
# expect_fail NAME REGEX CMD...: non-zero status, empty stdout, stderr matches REGEX
expect_fail() {
    local name=$1 re=$2; shift 2
    local out; out=$("$@" 2>"$tmp/err"); local rc=$?
    if [ $rc -ne 0 ] && [ -z "$out" ] && grep -Eq -- "$re" "$tmp/err"; then ok "$name"; else bad "$name" "status $rc, out: $out, err: $(cat "$tmp/err")"; fi
}

# --- every command answers --help with status 0
for c in $("$B" help | awk '/^  [a-z-]+ /{print $1}'); do
    expect_grep "help: $c" "usage: " "$B" "$c" --help
done
expect_grep "llmlab --help lists commands" "tokenize" "$B" --help
expect_fail "unknown command" "unknown command 'frobnicate'" "$B" frobnicate
expect_fail "unknown option" "see 'llmlab next --help'" "$B" next --frob x

# --- tokenisers: OpenAI's published ids (issue 3)
expect_out "o200k london" "75 8552 3474 328 48229" "$B" tokenize -t o200k_base --ids "london school of economics"
expect_out "o200k language" "17238 7015 553 9559" "$B" tokenize -t o200k_base --ids "Language models are interesting"
expect_out "gpt2 hello world" "31373 995" "$B" tokenize -t gpt2 --ids "hello world"
expect_out "cl100k hello world" "15339 1917" "$B" tokenize -t cl100k_base --ids "hello world"
expect_out "char ids of stdin bytes" "104 105 10" sh -c "printf 'hi\n' | $B tokenize -t char --ids -"
expect_out "stdin keeps NUL bytes" "97 0 98" sh -c "printf 'a\0b' | $B tokenize -t char --ids -"
expect_out "special markers are text by default" "27 91 437 1659 5239 91 29" "$B" tokenize -t gpt2 --ids "<|endoftext|>"
expect_out "--special makes markers ids" "50256" "$B" tokenize -t gpt2 --special --ids "<|endoftext|>"
expect_grep "letters count strawberry" "'r' occurs 3 times" "$B" tokenize -t o200k_base --count r strawberry
expect_grep "trace shows merges" "step 1:" "$B" tokenize -t gpt2 --trace "strawberry"
expect_grep "word tokeniser" "4 tokens" "$B" tokenize -t word "a good a invention"
expect_out "word: the lecture's dictionary" "0 3 1" "$B" tokenize -t word --words a,invention,better,good,less --ids "a good invention"
expect_grep "word: unknown words are <unk>" "<unk>" "$B" tokenize -t word --words a,invention "a fine invention"
printf 'invention\na good invention\na better invention\na less good invention\n' >"$tmp/patents.txt"
expect_out "word: four patents make five words" "0 1 2 3 4 5" "$B" tokenize -t word --dict "$tmp/patents.txt" --ids "invention a good better less zebra"
expect_fail "--count wants a letter" "wants a letter" "$B" tokenize -t char --count "" strawberry
expect_out "options may follow the text" "104 105" "$B" tokenize hi -t char --ids
out=$(NO_COLOR=1 LANG=C.UTF-8 "$B" tokenize -t o200k_base 'café')
case "$out" in *"0xC3"*) bad "NO_COLOR keeps Unicode" "$out" ;; *) ok "NO_COLOR keeps Unicode" ;; esac
out=$(LLMLAB_ASCII=1 "$B" tokenize -t o200k_base 'snake_case and')
case "$out" in *'[\_case]'*'[_and]'*) ok "ASCII mode: literal underscore differs from a space" ;; *) bad "ASCII underscore" "$out" ;; esac
expect_fail "missing tiktoken file" "tokeniser" "$B" tokenize -t /nonexistent.tiktoken hi
expect_fail "an endless input is refused, not read forever" "not a regular file" timeout 60 "$B" lesson /dev/zero
expect_fail "tokenize without text" "missing TEXT" "$B" tokenize -t char
out=$("$B" tokenize -t o200k_base "a b" | cat)
case "$out" in *$'\x1b'*) bad "no colour into a pipe" "$out" ;; *) ok "no colour into a pipe" ;; esac

# --- a small model
M=$tmp/m.llm
expect_grep "init" "wrote" "$B" init --layers 2 --heads 2 --width 32 --ctx 64 --seed 3 -o "$M"
expect_grep "info" "parameters" "$B" info "$M"
expect_grep "info shows rotary" "rotary" sh -c "$B init --pos rotary --layers 1 --heads 2 --width 16 -o $tmp/r.llm >/dev/null && $B info $tmp/r.llm"
expect_fail "init bad width" "d_model" "$B" init --heads 3 --width 32 -o "$tmp/x.llm"
expect_fail "info on a missing file" "cannot|No such" "$B" info "$tmp/none.llm"
printf 'not a model at all' >"$tmp/junk.llm"
expect_fail "info on junk" "not an llmlab model" "$B" info "$tmp/junk.llm"
head -c 100 "$M" >"$tmp/trunc.llm"
expect_fail "info on a truncated file" "truncated|short" "$B" info "$tmp/trunc.llm"
expect_grep "next shows bars" "kept 256 of 256 tokens" "$B" next -m "$M" --rows 5 "hello"
expect_grep "attention matrix" "layer 1, head 1" "$B" attention -m "$M" --layer 1 --head 1 "hello there"
lines=$("$B" attention -m "$M" --csv "abc" | wc -l)
[ "$lines" -eq 4 ] && ok "attention csv has header + 3 rows" || bad "attention csv rows" "$lines"
expect_fail "attention bad head" "heads 0..1" "$B" attention -m "$M" --head 5 "hi"
a=$("$B" generate -m "$M" --seed 7 --temperature 1 -n 20 --ids "hello")
b=$("$B" generate -m "$M" --seed 7 --temperature 1 -n 20 --ids "hello")
[ -n "$a" ] && [ "$a" = "$b" ] && ok "same seed, same tokens" || bad "same seed, same tokens" "$a / $b"
cnt=$(printf '%s' "$a" | wc -w)
[ "$cnt" -eq 20 ] && ok "generate -n 20 gives 20 ids" || bad "generate -n 20" "$a"
g1=$("$B" generate -m "$M" --greedy -n 10 --ids "hello"); g2=$("$B" generate -m "$M" --greedy --seed 99 -n 10 --ids "hello")
[ "$g1" = "$g2" ] && ok "greedy ignores the seed" || bad "greedy ignores the seed" "$g1 / $g2"
g3=$("$B" generate -m "$M" --greedy --temperature 1.5 --seed 5 -n 10 --ids "hello")
[ "$g1" = "$g3" ] && ok "--greedy overrides --temperature" || bad "--greedy overrides --temperature" "$g1 / $g3"
# --- the context policy (M: a char tokeniser, one token per byte, n_ctx 64;
# a slide keeps the last 64 - 64/4 = 48 tokens)
long=$(head -c 400 README.md | tr -c 'a-zA-Z.,' ' ')   # 400 one-byte tokens (newlines too become spaces)
expect_fail "generate: a prompt longer than the context is refused, naming both lengths" \
    "the prompt has 400 tokens, more than the model's context of 64 tokens; use --slide" "$B" generate -m "$M" -n 10 "$long"
out=$("$B" generate -m "$M" --greedy -n 100 --ids "hello" 2>"$tmp/err"); rc=$?; cnt=$(printf '%s' "$out" | wc -w)
if [ $rc -eq 0 ] && [ "$cnt" -eq 59 ] &&
   grep -q "context full: 64 tokens (prompt 5 + 59 generated); use --slide to continue with a sliding window" "$tmp/err"
then ok "generate: stops when the context is full and says so (5 + 59 = 64)"
else bad "generate: context full" "$rc, $cnt ids: $(cat "$tmp/err")"; fi
# with --slide, a long prompt keeps its last 48 tokens: the first 16 new ones
# are a plain (stop) generate on those 48 bytes, which then fills the window
a=$("$B" generate -m "$M" --greedy --slide -n 16 --ids "$long" 2>"$tmp/err"); rc_a=$?
b=$("$B" generate -m "$M" --greedy -n 16 --ids "${long: -48}" 2>"$tmp/err_b"); rc_b=$?
if [ $rc_a -eq 0 ] && [ $rc_b -eq 0 ] && [ "$(printf '%s' "$a" | wc -w)" -eq 16 ] && [ "$a" = "$b" ] && [ ! -s "$tmp/err_b" ] &&
   grep -q "the window (64 tokens) slid once: the first 352 tokens were dropped (352 of the prompt's 400)" "$tmp/err"
then ok "generate --slide: a long prompt keeps its last 48 tokens, and the 352 dropped are reported"
else bad "generate --slide, long prompt" "$rc_a $rc_b: $a / $b / $(cat "$tmp/err" "$tmp/err_b")"; fi
# its first token is what next (a full forward over those 48 tokens) takes
x=$("$B" next -m "$M" --greedy --rows 1 "${long: -48}" 2>/dev/null | awk '/<- (drawn|taken)/ {print $1}')
[ -n "$x" ] && [ "$x" = "${a%% *}" ] && ok "generate --slide's first token = next's on the kept window" ||
    bad "generate --slide vs next" "generate: ${a%% *}, next: $x"
# a short prompt slides 3 times over 100 new tokens: at 64, 80 and 96 tokens
out=$("$B" generate -m "$M" --greedy --context slide -n 100 --ids "hello" 2>"$tmp/err"); rc=$?
if [ $rc -eq 0 ] && [ "$(printf '%s' "$out" | wc -w)" -eq 100 ] &&
   grep -q "slid 3 times: the first 48 tokens were dropped (5 of the prompt's 5)" "$tmp/err"
then ok "generate --context slide: 100 tokens past a 64-token window, 3 slides reported"
else bad "generate --context slide" "$rc: $(cat "$tmp/err")"; fi
# in the REPL, `set context slide` is the session's policy; --context only its command's
out=$(printf 'set context slide\ngenerate -m %s --greedy -n 100 --ids hello\ngenerate -m %s --context stop --greedy -n 100 --ids hello\nshow\n' "$M" "$M" | "$B" repl 2>&1)
if printf '%s' "$out" | grep -q "slid 3 times" && printf '%s' "$out" | grep -q "context full: 64 tokens" &&
   printf '%s' "$out" | grep -q "^context      slide"; then ok "repl: set context slide carries over, --context stop is one command's"
else bad "repl: context policy" "$out"; fi
expect_fail "generate --context takes stop or slide" "--context is stop .* or slide .*, not 'wrap'" "$B" generate -m "$M" --context wrap "x"
expect_fail "bad temperature" "--temperature" "$B" generate -m "$M" --temperature abc "x"

# --- repl reads a script from stdin
out=$(printf 'set temperature 0\nshow\nnext -m %s --rows 3 hi\nbogus\n' "$M" | "$B" repl 2>&1); rc=$?
if [ $rc -ne 0 ] && printf '%s' "$out" | grep -q "decoding     greedy" && printf '%s' "$out" | grep -q "unknown command 'bogus'"; then
    ok "repl script: settings carry over, errors reported"
else bad "repl script" "$rc: $out"; fi

out=$(printf 'generate -m %s --greedy --seed 9 -n 2 hi\nshow\n' "$M" | "$B" repl 2>/dev/null)
if printf '%s' "$out" | grep -q "decoding     sampled" && printf '%s' "$out" | grep -q "seed         42"; then
    ok "command options do not change the session's settings (only set does)"
else bad "options leaked into the session" "$out"; fi
with_e=$("$B" attention -m "$M" --csv -e 'a\nb' | wc -l); without=$("$B" attention -m "$M" --csv 'a\nb' | wc -l)
[ "$with_e" -eq 4 ] && [ "$without" -eq 5 ] && ok "-e reads \\n in a prompt as one newline" || bad "-e" "$with_e / $without"
# --- a prompt longer than the context: the model sees its last n_ctx (64)
# tokens, so two prompts that differ only before that window give the same
# distribution and the same attention map, and the clip is said on stderr
long=$(printf 'ab %.0s' $(seq 200))
a=$("$B" next -m "$M" --rows 5 "first $long" 2>"$tmp/err_a"); rc_a=$?
b=$("$B" next -m "$M" --rows 5 "other words $long" 2>/dev/null); rc_b=$?
if [ $rc_a -eq 0 ] && [ $rc_b -eq 0 ] && [ "$a" = "$b" ] && printf '%s' "$a" | grep -q "^after 64 tokens" &&
   grep -q "keeping the last 64" "$tmp/err_a"; then
    ok "next: a long prompt is clipped to the context window"
else bad "next: long prompt" "$rc_a $rc_b: $a / $b / $(cat "$tmp/err_a")"; fi
a=$("$B" attention -m "$M" --csv "first $long" 2>/dev/null); rc_a=$?
b=$("$B" attention -m "$M" --csv "other words $long" 2>/dev/null); rc_b=$?
if [ $rc_a -eq 0 ] && [ $rc_b -eq 0 ] && [ "$a" = "$b" ] && [ "$(printf '%s\n' "$a" | wc -l)" -eq 65 ]; then
    ok "attention: a long prompt is clipped to the context window"
else bad "attention: long prompt" "$rc_a $rc_b: $(printf '%s\n' "$a" | wc -l) lines"; fi
# --- next reads the last row of the window: its greedy pick is the token
# generate (the KV-cache path, lm_prefill) takes first (long prompts: see
# generate --slide above); on the fresh model and on the shipped base model
# (whose picks are not near-ties)
for m in "$M" models/base.llm; do
    for prompt in "hello there" "the cat sat" "Once upon a time, the" "${long: -60}"; do
        g=$("$B" generate -m "$m" --greedy -n 1 --ids "$prompt" 2>/dev/null | tr -dc '0-9')
        x=$("$B" next -m "$m" --greedy --rows 1 "$prompt" 2>/dev/null | awk '/<- (drawn|taken)/ {print $1}')
        if [ -n "$g" ] && [ "$g" = "$x" ]; then ok "next's greedy token = generate's first (${m##*/}, ${prompt:0:11})"
        else bad "next vs generate (${m##*/}, ${prompt:0:11})" "generate: $g, next: $x"; fi
    done
done
# --- next: --rows is the rows listed, --top-k the cut (the header names both
# as they are in force); -k is the old name of --rows and says so on stderr
out=$("$B" next -m "$M" --rows 3 "hello" 2>"$tmp/err"); rc=$?
if [ $rc -eq 0 ] && [ "$(printf '%s\n' "$out" | grep -c '%')" -eq 3 ] && printf '%s' "$out" | grep -q "top-k off, top-p off" &&
   [ ! -s "$tmp/err" ]; then ok "next --rows 3: three rows, the header says top-k off"
else bad "next --rows" "$rc: $out $(cat "$tmp/err")"; fi
out=$("$B" next -m "$M" --rows 6 --top-k 2 "hello" 2>/dev/null)
if printf '%s' "$out" | grep -q "top-k 2," && [ "$(printf '%s\n' "$out" | grep -c '^-')" -eq 4 ]; then
    ok "next --rows 6 --top-k 2: the header says top-k 2, four rows cut (-)"
else bad "next --top-k" "$out"; fi
out=$("$B" next -m "$M" -k 2 "hello" 2>"$tmp/err"); rc=$?
if [ $rc -eq 0 ] && [ "$(printf '%s\n' "$out" | grep -c '%')" -eq 2 ] && grep -q "deprecated.*--rows 2" "$tmp/err"; then
    ok "next -k 2: still two rows, with a deprecation note on stderr"
else bad "next -k" "$rc: $out $(cat "$tmp/err")"; fi
out=$("$B" next -m "$M" --greedy --temperature 1.7 --rows 3 "hello" 2>/dev/null)
if printf '%s' "$out" | head -1 | grep -q "greedy" && ! printf '%s' "$out" | grep -q "temperature" &&
   printf '%s' "$out" | grep -q "<- taken (greedy"; then ok "next --greedy: no temperature in the header, the argmax taken"
else bad "next --greedy header" "$out"; fi
# --- generate: a model that ends at once says so (naming the stop token) and,
# for a tokeniser with chat markers and no --chat, suggests --chat; the
# instruct model on a bare question draws <|endoftext|> first (seed 42)
IM=models/instruct.llm
if [ -f "$IM" ]; then
    out=$("$B" generate -m "$IM" -n 20 --seed 42 "Who was Ada Lovelace?" 2>"$tmp/gen_err"); rc=$?
    if [ $rc -eq 0 ] && [ "$out" = "Who was Ada Lovelace?" ] && grep -q "ended at once with <|endoftext|>" "$tmp/gen_err" &&
       grep -q -- "--chat" "$tmp/gen_err"; then ok "generate: an immediate stop is named and --chat suggested"
    else bad "generate: immediate stop" "$rc: $out / $(cat "$tmp/gen_err")"; fi
    out=$("$B" generate -m "$IM" -n 20 --seed 42 --chat "Who was Ada Lovelace?" 2>"$tmp/gen_err2"); rc=$?
    if [ $rc -eq 0 ] && [ -n "$out" ] && ! grep -q "ended at once" "$tmp/gen_err2"; then
        ok "generate --chat: the instruct model answers, no stop note"
    else bad "generate --chat" "$rc: $out / $(cat "$tmp/gen_err2")"; fi
fi
echo "$((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
