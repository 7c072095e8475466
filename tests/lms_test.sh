#!/usr/bin/env bash
# `llmlab lms`: the all-kinds table in bits per byte. The uniform row's
# figure is recomputed here from the table's own token and byte counts
# (log2 V bits per token), every row's bits/byte from its nats and bytes,
# a saved table reads back the same, and hostile tables are refused with
# the line named.
set -u
cd "$(dirname "$0")/.."
B=${LLMLAB:-./llmlab}
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if "$B" lms --windows 6 --save "$tmp/t.tsv" -n 4 --greedy models/base.llm models/instruct.llm >"$tmp/out" 2>"$tmp/err"; then
    ok "lms measures two models"
else
    bad "lms failed: $(cat "$tmp/err")"
fi
grep -q "^uniform " "$tmp/out" && grep -q "^base .*gpt .*4.24M" "$tmp/out" && ok "the table lists the baseline and the models" \
    || bad "table rows: $(cat "$tmp/out")"
grep -q "^instruct     The king said" "$tmp/out" && ok "each model continues the prompt" || bad "generations: $(cat "$tmp/out")"
# recompute: uniform = tokens * log2(4096) / bytes; every row = nats / ln 2 / bytes
if awk -F'\t' '!/^#/ { want = ($1 == "uniform") ? $5 * 12 / $6 : $7 / log(2) / $6;
                       d = want - $8; if (d < 0) d = -d; if (d > 1e-5 || $6 <= 0) bad = 1; n++ }
               END { exit (bad || n != 3) }' "$tmp/t.tsv"; then
    ok "bits per byte recomputed from each row's nats, tokens and bytes"
else
    bad "recomputed bits per byte differ: $(cat "$tmp/t.tsv")"
fi
# the base model beats the uniform guess by far, and the instruct model (tuned on chats) is worse on plain text
awk -F'\t' '$1=="uniform"{u=$8} $1=="base"{b=$8} $1=="instruct"{i=$8} END{exit !(b < u/2 && b < i)}' "$tmp/t.tsv" \
    && ok "base < instruct < uniform on plain text" || bad "ordering: $(cat "$tmp/t.tsv")"
"$B" lms --table "$tmp/t.tsv" >"$tmp/out2" 2>&1 && diff <(sed -n '1,/^  instruct/p' "$tmp/out") "$tmp/out2" >/dev/null \
    && ok "a saved table prints the same" || bad "table round trip: $(diff <(sed -n '1,/^  instruct/p' "$tmp/out") "$tmp/out2")"

# n-grams counted now, on a head of the corpus: each order beats the one before, the transformer beats them
head -c 400000 data/corpus/train.txt >"$tmp/train.txt"
if "$B" lms --ngrams 1,2 --train "$tmp/train.txt" --windows 6 -n 3 --save "$tmp/n.tsv" models/base.llm >"$tmp/out3" 2>"$tmp/err3"; then
    ok "lms counts n-grams beside a model file"
else
    bad "lms --ngrams failed: $(cat "$tmp/err3")"
fi
awk -F'\t' '$1=="uniform"{u=$8} $1=="unigram"{a=$8; k1=$2} $1=="bigram"{b=$8} $1=="base"{t=$8}
             END{exit !(k1 == "ngram" && b < a && a < u && t < b)}' "$tmp/n.tsv" \
    && ok "uniform > unigram > bigram > transformer in bits per byte" || bad "n-gram ordering: $(cat "$tmp/n.tsv")"
grep -q "^bigram       The king said" "$tmp/out3" && ok "the counted n-grams continue the prompt too" || bad "n-gram generations: $(cat "$tmp/out3")"
for spec in 0 9 1,x 1,,2; do
    if "$B" lms --ngrams "$spec" models/base.llm >"$tmp/o" 2>&1; then bad "--ngrams $spec accepted"
    else grep -q "orders 1\.\." "$tmp/o" && ok "--ngrams $spec refused" || bad "--ngrams $spec: $(cat "$tmp/o")"; fi
done

# hostile tables
hdr='# llmlab lms table 1'
row=$'base\tgpt\t10\t1\t100\t400\t50\t0.18\tx'
check_refused() {   # name, file content, expected message part
    printf '%s' "$2" >"$tmp/h.tsv"
    if "$B" lms --table "$tmp/h.tsv" >"$tmp/o" 2>&1; then bad "$1 accepted"
    elif grep -q "$3" "$tmp/o"; then ok "$1 refused: $(head -1 "$tmp/o")"
    else bad "$1: unexpected message: $(cat "$tmp/o")"; fi
}
check_refused "not a table" "hello" "not an llmlab lms table"
check_refused "no rows" "$hdr"$'\n' "no rows"
check_refused "a short row" "$hdr"$'\nbase\tgpt\t1\n' "line 2: expected 9"
check_refused "a bad number" "$hdr"$'\nbase\tgpt\tmany\t1\t100\t400\t50\t0.18\tx\n' "line 2: params is not a number"
check_refused "a negative count" "$hdr"$'\nbase\tgpt\t10\t1\t-100\t400\t50\t0.18\tx\n' "tokens is not a number"
check_refused "an escape in a name" "$hdr"$'\nba\033[2Jse\tgpt\t10\t1\t100\t400\t50\t0.18\tx\n' "control bytes"
many="$hdr"$'\n'; for i in $(seq 40); do many+="$row"$'\n'; done
check_refused "too many rows" "$many" "more than 32 rows"
long="$hdr"$'\n'"$(head -c 2000 /dev/zero | tr '\0' a)"$'\n'
check_refused "a long line" "$long" "longer than 1024"
if "$B" lms --table /dev/zero >"$tmp/o" 2>&1; then bad "/dev/zero accepted"; else ok "/dev/zero refused: $(head -1 "$tmp/o")"; fi
if "$B" lms --windows x >"$tmp/o" 2>&1; then bad "--windows x accepted"; else ok "bad option value refused"; fi
if "$B" lms models/no-such.llm >"$tmp/o" 2>&1; then bad "missing model accepted"; else ok "missing model: $(head -1 "$tmp/o")"; fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
