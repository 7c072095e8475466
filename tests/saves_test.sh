#!/usr/bin/env bash
# Saves never lose work (issue 10), through the real binary: `train -o` at
# 1,095..1,105 bytes writes the model and OUT.opt as two files; a path over
# PATH_MAX, a missing folder, a folder given as OUT, a read-only folder and a
# full disk fail before the first step (bpe-train and init: before their
# work); two `init -o SAME` at once both succeed.
set -u
cd "$(dirname "$0")/.."
BAD_BYTES=1500
. tests/cli_lib.sh   # B, tmp, n, fails, ok, bad, expect_grep
B=$(realpath "$B")

for i in $(seq 200); do echo "the cat sat on the mat and the dog sat on the log."; done >"$tmp/d.txt"
TRAIN=(train --tokenizer char --layers 1 --heads 1 --width 16 --ctx 16 --data "$tmp/d.txt" --steps 2 --batch 2 --seq 8)

# a path of exactly $2 bytes under $1: folders of 100 bytes (made), then a file name
long_path() {
    local p=$1 want=$2
    while [ $(( ${#p} + 1 + 100 + 1 + 50 )) -le "$want" ]; do p=$p/$(printf 'd%.0s' $(seq 100)); done
    mkdir -p "$p"
    printf '%s/%s' "$p" "$(printf 'm%.0s' $(seq $((want - ${#p} - 1))))"
}

# --- no path cut short: the model and its .opt are two different files
for len in $(seq 1095 1105); do
    p=$(long_path "$tmp/L$len" "$len")
    out=$("$B" "${TRAIN[@]}" -o "$p" 2>&1); rc=$?
    magic=$(head -c 6 "$p" 2>/dev/null); omagic=$(head -c 6 "$p.opt" 2>/dev/null)
    if [ $rc -eq 0 ] && [ "$magic" = "LLMLAB" ] && [ "$omagic" = "LLMOPT" ] && \
       [ "$(ls -A "$(dirname "$p")" | wc -l)" -eq 2 ] && "$B" info "$p" >/dev/null 2>&1; then
        ok "train -o at $len bytes: model and .opt apart"
    else bad "train -o at $len bytes" "status $rc, model magic '$magic', opt magic '$omagic': $out"; fi
done
p=$(long_path "$tmp/L5000" 4100)x$(printf 'y%.0s' $(seq 900))
out=$("$B" "${TRAIN[@]}" -o "$p" 2>&1); rc=$?
case "$out" in *"too long"*"4095"*) [ $rc -ne 0 ] && ! grep -q "^step" <<<"$out" && ok "a path over PATH_MAX is refused before training" || bad "PATH_MAX" "$out" ;;
               *) bad "a path over PATH_MAX is refused before training" "status $rc: $out" ;; esac

# --- the output is checked before the first step
expect_early_fail() {   # name regex cmd...
    local name=$1 re=$2; shift 2
    local out; out=$("$@" 2>&1); local rc=$?
    if [ $rc -ne 0 ] && grep -Eq -- "$re" <<<"$out" && ! grep -Eq "^step |^merge|wrote " <<<"$out"; then ok "$name"
    else bad "$name" "status $rc: $out"; fi
}
expect_early_fail "train: missing folder" "cannot save -o .*does not exist" "$B" "${TRAIN[@]}" -o "$tmp/nowhere/m.llm"
expect_early_fail "train: OUT is a folder" "is a folder" "$B" "${TRAIN[@]}" -o "$tmp"
expect_early_fail "bpe-train: missing folder" "does not exist" "$B" bpe-train --vocab 300 "$tmp/d.txt" -o "$tmp/nowhere/t.tok"
expect_early_fail "init: missing folder" "does not exist" "$B" init --layers 1 --width 16 --heads 1 -o "$tmp/nowhere/i.llm"
"$B" init --layers 1 --width 16 --heads 1 --ctx 16 -o "$tmp/base.llm" >/dev/null
expect_early_fail "sft: missing folder" "does not exist" "$B" sft -m "$tmp/base.llm" --data data/gen/sft_train.jsonl --steps 1 -o "$tmp/nowhere/s.llm"

# a read-only folder and a full disk: a private mount namespace when we are
# root (permissions do not stop root); a plain chmod otherwise
mkdir -p "$tmp/ro" "$tmp/full"
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
    in_ns() { unshare -m bash -c "mount --bind '$tmp/ro' '$tmp/ro' && mount -o remount,ro,bind '$tmp/ro' && \
                                  mount -t tmpfs -o size=64k tmpfs '$tmp/full' && \"\$@\"" _ "$@"; }
    expect_early_fail "train: read-only folder" "cannot save -o .*Read-only" in_ns "$B" "${TRAIN[@]}" -o "$tmp/ro/m.llm"
    expect_early_fail "train: full disk (64 kB, the run needs ~92 kB)" "not enough space" in_ns "$B" "${TRAIN[@]}" -o "$tmp/full/m.llm"
elif [ "$(id -u)" -ne 0 ]; then
    chmod 555 "$tmp/ro"
    expect_early_fail "train: read-only folder" "cannot save -o .*Permission denied" "$B" "${TRAIN[@]}" -o "$tmp/ro/m.llm"
    chmod 755 "$tmp/ro"
    echo "skip full disk: needs root for a tmpfs (test_save covers a failed save with a hook)"
else
    bad "read-only folder and full disk" "root without mount namespaces: cannot make a read-only folder"
fi

# --- two processes saving the same path at once both succeed
( for i in $(seq 15); do "$B" init --layers 1 --width 32 --heads 1 --ctx 16 --seed 1 -o "$tmp/same.llm" >/dev/null || exit 1; done ) & a=$!
( for i in $(seq 15); do "$B" init --layers 1 --width 32 --heads 1 --ctx 16 --seed 1 -o "$tmp/same.llm" >/dev/null || exit 1; done ) & b=$!
ra=0; rb=0; wait $a || ra=$?; wait $b || rb=$?
if [ $ra -eq 0 ] && [ $rb -eq 0 ] && "$B" info "$tmp/same.llm" >/dev/null && [ -z "$(ls -A "$tmp" | grep '\.tmp$')" ]; then
    ok "two inits saving the same path at once"
else bad "two inits saving the same path at once" "status $ra $rb; $(ls -A "$tmp")"; fi

echo "$((n - fails)) of $n passed"
[ "$fails" -eq 0 ]
