#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS, starting from its seed corpus in
# fuzz/corpus/NAME (if present); fails if any target finds a crash.
set -u
cd "$(dirname "$0")/.."
seconds=$1; shift
status=0
for bin in "$@"; do
    name=$(basename "$bin")
    work=build/fuzz/corpus-$name; mkdir -p "$work"
    seeds=fuzz/corpus/$name
    [ -d "$seeds" ] || seeds=
    echo "== $name for ${seconds}s"
    if ! "$bin" -max_total_time="$seconds" -max_len=65536 -artifact_prefix=build/fuzz/ "$work" $seeds 2>build/fuzz/$name.log; then
        echo "   crash found: see build/fuzz/$name.log"; tail -n 30 build/fuzz/$name.log; status=1
    else
        grep -E '^#[0-9]+.*DONE|Done [0-9]+ runs' build/fuzz/$name.log | tail -n 1
    fi
done
exit $status
