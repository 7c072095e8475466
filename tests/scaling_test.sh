#!/usr/bin/env bash
# `llmlab scaling` as a user runs it: a tiny sweep (seconds), resume (nothing
# to do; a new budget runs only the new runs, the old rows unchanged),
# another sweep's file refused, Ctrl-C keeping the finished rows, bad
# options and bad results files refused with messages that name the problem
# (never overwritten), the plot and its SVG, and the shipped sweep.
set -u
cd "$(dirname "$0")/.."
BAD_LINES=30
. tests/cli_lib.sh   # B, tmp, n, fails, ok, bad, expect_grep
# expect_fail NAME REGEX CMD...: non-zero status, stderr matches REGEX
expect_fail() {
    local name=$1 re=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ $rc -ne 0 ] && grep -Eq -- "$re" "$tmp/err"; then ok "$name"; else bad "$name" "status $rc, out: $(cat "$tmp/out"), err: $(cat "$tmp/err")"; fi
}
rows() { grep -vc -e '^#' -e '^layers' "$1"; }

# a tiny sweep on the head of val.txt: 2 sizes x 2 budgets, well under a second a run
TINY=(--batch 4 --seq 32 --data data/corpus/val.txt --val data/corpus/val.txt --max-bytes 20000 --val-batches 2)

expect_grep "scaling --help" "usage: llmlab scaling run" "$B" scaling --help
expect_grep "scaling run --help" "Ctrl-C stops during a run" "$B" scaling run --help
expect_grep "scaling plot --help" "compute frontier" "$B" scaling plot --help
expect_fail "no sub-command" "usage: llmlab scaling" "$B" scaling
expect_fail "unknown sub-command" "unknown sub-command 'fit' \(run or plot" "$B" scaling fit
expect_fail "bad size" "size '2y64' is not LAYERSxWIDTH" "$B" scaling run --sizes 1x8,2y64 -o "$tmp/x.tsv"
expect_fail "heads must divide the width" "width 48 is not divisible by 5 heads" "$B" scaling run --sizes 2x48x5 -o "$tmp/x.tsv"
expect_fail "bad budget" "token budget '1e5' is not a count" "$B" scaling run --tokens 1e5 -o "$tmp/x.tsv"
expect_fail "-o is required" "-o RESULTS.tsv is required" "$B" scaling run --quick
expect_fail "unknown option" "unknown option --sizez; did you mean --sizes" "$B" scaling run --sizez 1x8 -o "$tmp/x.tsv"
expect_fail "missing data" "nope.txt" "$B" scaling run --sizes 1x8 --tokens 2k "${TINY[@]}" --data "$tmp/nope.txt" -o "$tmp/x.tsv"
expect_fail "folder that does not exist" "cannot write $tmp/no/r.tsv" "$B" scaling run --sizes 1x8 --tokens 2k "${TINY[@]}" -o "$tmp/no/r.tsv"
[ -e "$tmp/x.tsv" ] && bad "refused runs wrote nothing" "$(cat "$tmp/x.tsv")" || ok "refused runs wrote nothing"

# --- the sweep
out=$("$B" scaling run --sizes 1x8,1x16 --tokens 2k,8k "${TINY[@]}" -o "$tmp/r.tsv" 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$(rows "$tmp/r.tsv")" = 4 ] && printf '%s' "$out" | grep -q "4 runs in $tmp/r.tsv"; then
    ok "tiny sweep: 4 runs, 4 rows"; else bad "tiny sweep" "status $rc: $out"; fi
# cheapest first: 1x8 on 2k (C = 6 * 888 * 2048), then 1x16 on 2k, 1x8 on 8k, 1x16 on 8k
# (budgets rounded up to steps of 4 x 32 = 128 tokens: 2000 -> 2048, 8000 -> 8064)
order=$(awk -F'\t' '!/^#/ && $1 != "layers" {print $2 "@" $8}' "$tmp/r.tsv" | tr '\n' ' ')
[ "$order" = "8@2048 16@2048 8@8064 16@8064 " ] && ok "runs in order of compute" || bad "run order" "$order"
# the columns: N = 12LC^2 + 13LC + 2C, all = N + 256 C + 32 C, tokens = steps x 4 x 32
awk -F'\t' '!/^#/ && $1 != "layers" { L=$1; C=$2; n=12*L*C*C+13*L*C+2*C;
    if ($7 != n || $6 != n + 256*C + 32*C || $8 != $9*4*32 || $15 <= 0) bad=1 } END {exit bad}' "$tmp/r.tsv" \
    && ok "rows: parameter counts by hand, tokens = steps x batch x seq" || bad "row columns" "$(cat "$tmp/r.tsv")"
cp "$tmp/r.tsv" "$tmp/r0.tsv"
expect_grep "the same command again: nothing to do" "nothing to do: all 4 runs are in" \
    "$B" scaling run --sizes 1x8,1x16 --tokens 2k,8k "${TINY[@]}" -o "$tmp/r.tsv"
cmp -s "$tmp/r.tsv" "$tmp/r0.tsv" && ok "nothing to do leaves the file as it was" || bad "file changed"
expect_grep "a new budget runs only the new runs" "6 runs, 2 to do \(4 already in" \
    "$B" scaling run --sizes 1x8,1x16 --tokens 2k,8k,4k "${TINY[@]}" -o "$tmp/r.tsv"
[ "$(rows "$tmp/r.tsv")" = 6 ] && [ "$(grep -v '^#' "$tmp/r0.tsv" | head -5)" = "$(grep -v '^#' "$tmp/r.tsv" | head -5)" ] \
    && ok "resume keeps the old rows unchanged" || bad "resume rows" "$(cat "$tmp/r.tsv")"
cp "$tmp/r.tsv" "$tmp/r6.tsv"
expect_fail "another sweep's file is refused" "holds runs of another sweep" \
    "$B" scaling run --sizes 1x8 --tokens 2k "${TINY[@]}" --max-bytes 30000 -o "$tmp/r.tsv"
cmp -s "$tmp/r.tsv" "$tmp/r6.tsv" && ok "...and left as it was" || bad "another sweep changed the file"

# --- Ctrl-C: a run that cannot finish in time is interrupted; the finished rows stay
timeout --preserve-status -s INT 3 "$B" scaling run --sizes 1x8 --tokens 2k,50M "${TINY[@]}" -o "$tmp/c.tsv" >"$tmp/out" 2>&1; rc=$?
kept=$(sed -n 's/.*kept the \([0-9]*\) finished rows.*/\1/p' "$tmp/out")
have=0; [ -e "$tmp/c.tsv" ] && have=$(rows "$tmp/c.tsv")
if [ $rc -eq 130 ] && [ -n "$kept" ] && [ "$kept" = "$have" ] && grep -q "interrupted during run" "$tmp/out"; then
    ok "Ctrl-C: status 130, $kept finished rows kept"; else bad "Ctrl-C" "status $rc, file rows $have: $(cat "$tmp/out")"; fi

# --- bad results files: a clear message with the line, never overwritten
printf 'layers\twidth\n' >"$tmp/bad1.tsv"
expect_fail "short header" "bad1.tsv:1: the header ends after column 2" "$B" scaling plot "$tmp/bad1.tsv"
{ grep -v '^#' "$tmp/r0.tsv" | head -2; printf '1\t16\t1\t32\t256\t7920\t3312\t2048\t16\t4\t32\t0.003\t1234\t3.1\tnan\t0.1\n'; } >"$tmp/bad2.tsv"
expect_fail "a loss that is not a number" "bad2.tsv:3: val_loss 'nan' is not a loss" "$B" scaling plot "$tmp/bad2.tsv"
{ grep -v '^#' "$tmp/r0.tsv" | head -2; printf '1\t16\t1\t32\t256\t7920\t999\t2048\t16\t4\t32\t0.003\t1234\t3.1\t3.0\t0.1\n'; } >"$tmp/bad3.tsv"
expect_fail "counts that are not the config's" "bad3.tsv:3: params 7920 and params_nonembed 999 are not the counts" "$B" scaling plot "$tmp/bad3.tsv"
printf 'hello\0world\n' >"$tmp/bad4.tsv"
expect_fail "a binary file" "a NUL byte" "$B" scaling plot "$tmp/bad4.tsv"
expect_fail "a folder" "not a regular file" "$B" scaling plot "$tmp"
cp "$tmp/bad2.tsv" "$tmp/keep.tsv"
expect_fail "run refuses to overwrite a bad results file" "not overwriting .*keep.tsv" \
    "$B" scaling run --sizes 1x8 --tokens 2k "${TINY[@]}" -o "$tmp/keep.tsv"
cmp -s "$tmp/keep.tsv" "$tmp/bad2.tsv" && ok "...and leaves it as it was" || bad "bad file overwritten"
printf '%s\n' "$(head -4 "$tmp/r0.tsv" | tail -1)" >"$tmp/empty.tsv"
expect_fail "a file with no runs" "has no runs yet" "$B" scaling plot "$tmp/empty.tsv"

# --- the plot
out=$("$B" scaling plot "$tmp/r6.tsv" --svg "$tmp/p.svg" 2>&1); rc=$?
if [ $rc -eq 0 ] && printf '%s' "$out" | grep -q "r6.tsv: 6 runs" && printf '%s' "$out" | grep -Eq "L = [0-9.]+ \* N\^-?[0-9.]+ +\(alpha" \
   && printf '%s' "$out" | grep -Eq "L = [0-9.]+ \* C\^" && printf '%s' "$out" | grep -q "10^3" \
   && printf '%s' "$out" | grep -q "compute frontier, cheapest first"; then ok "plot: table, both laws, axes, frontier"
else bad "plot" "status $rc: $out"; fi
if /usr/bin/python3 -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); assert d.documentElement.tagName == "svg"' "$tmp/p.svg" 2>"$tmp/err" \
   && grep -q "Loss against parameters" "$tmp/p.svg"; then ok "plot --svg writes an SVG of the plots"; else bad "svg" "$(cat "$tmp/err")"; fi
expect_fail "plot: two files" "give one results file" "$B" scaling plot a.tsv b.tsv
expect_fail "plot: bad width" "--width" "$B" scaling plot --width 5 "$tmp/r6.tsv"

# --- the shipped sweep (data/scaling/sweep.tsv) is the default
expect_grep "plot with no file shows the shipped sweep" "data/scaling/sweep.tsv: [0-9]+ runs" "$B" scaling plot

echo "$((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
