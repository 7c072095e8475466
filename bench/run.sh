#!/usr/bin/env bash
# Runs every bench/bench_*.sh in turn. Each ends with lines of the form
#   bench NAME key=value ...
# and states its thread count. Ratios, not absolute times, are what compare.
set -u
cd "$(dirname "$0")/.."
export LLMLAB="${LLMLAB:-./llmlab}"
export BENCH_THREADS="${BENCH_THREADS:-2}"
status=0
summary=()
for b in bench/bench_*.sh; do
    [ -e "$b" ] || continue
    echo "== $b (threads: $BENCH_THREADS)"
    out=$(bash "$b" 2>&1) || status=1
    echo "$out"
    while IFS= read -r line; do summary+=("$line"); done < <(printf '%s\n' "$out" | grep '^bench ')
done
echo
echo "== summary"
printf '%s\n' "${summary[@]}"
exit $status
