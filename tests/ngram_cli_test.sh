#!/usr/bin/env bash
# `llmlab ngram` as a user runs it: --help on every sub-command, clear
# errors for bad input, a count over bytes (-t char) whose numbers Python
# recounts on its own (counts, the unsmoothed share, add-k's greedy choice,
# the uniform baseline), generation, and Ctrl-C in the middle of a count:
# status 130, a loadable checkpoint, and --resume ending with exactly the
# counts of an uninterrupted run.
set -u
cd "$(dirname "$0")/.."
. tests/cli_lib.sh   # B, tmp, n, fails, ok, bad, expect_grep
# expect_fail NAME REGEX CMD...: non-zero status, empty stdout, stderr matches REGEX
expect_fail() {
    local name=$1 re=$2; shift 2
    local out; out=$("$@" 2>"$tmp/err"); local rc=$?
    if [ $rc -ne 0 ] && [ -z "$out" ] && grep -Eq -- "$re" "$tmp/err"; then ok "$name"; else bad "$name" "status $rc, out: $out, err: $(cat "$tmp/err")"; fi
}

# --- help and errors
for s in train eval next generate counts; do
    expect_grep "help: ngram $s" "^usage: llmlab ngram $s" "$B" ngram "$s" --help
done
expect_grep "help: ngram" "^usage: llmlab ngram SUBCOMMAND" "$B" ngram --help
expect_fail "ngram alone" "usage: llmlab ngram" "$B" ngram
expect_fail "unknown sub-command" "unknown sub-command 'frob'" "$B" ngram frob
expect_fail "next needs -m" "-m MODEL is required" "$B" ngram next hello
expect_fail "next on a transformer" "is a gpt model, not an n-gram model" "$B" ngram next -m models/base.llm hello
expect_fail "train needs -o" "-o OUT is required" "$B" ngram train -n 2
expect_fail "train order range" "-n wants" "$B" ngram train -n 9 -o "$tmp/x.llm"
expect_fail "train smoothing name" "--smoothing is addk, kn or mkn" "$B" ngram train --smoothing good -o "$tmp/x.llm"
expect_fail "discount is Kneser-Ney's" "--discount is Kneser-Ney's" "$B" ngram train --smoothing addk --discount 0.5 -o "$tmp/x.llm"
expect_fail "resume takes no counting options" "--resume counts on as OUT was begun" "$B" ngram train --resume -n 3 -o "$tmp/x.llm"
expect_fail "resume of nothing" "--resume" "$B" ngram train --resume -o "$tmp/none.llm"
printf 'not a model at all' >"$tmp/junk.llm"
expect_fail "eval on junk" "not an llmlab model" "$B" ngram eval -m "$tmp/junk.llm"
expect_fail "bad option" "unknown option --frob" "$B" ngram counts --frob -m x y
expect_fail "too few tokens for the chunks" "fewer than the 50 chunks" sh -c \
    "printf 'tiny text' >$tmp/tiny.txt; $B ngram train -t char --data $tmp/tiny.txt --chunks 50 -o $tmp/t.llm"

# --- a byte-level count that Python recounts
python3 - "$tmp/text.txt" "$tmp/val.txt" <<'EOF'
import random, sys
random.seed(7)
words = "the cat sat on a mat and the dog ran to the log while a bird sang".split()
def text(n):
    return " ".join(random.choice(words) for _ in range(n)) + "."
open(sys.argv[1], "w").write(text(3000))
open(sys.argv[2], "w").write(text(400))
EOF
M=$tmp/bytes3.llm
expect_grep "train over bytes" "counted [0-9]+ tokens: [0-9]+ 1-grams, [0-9]+ 2-grams, [0-9]+ 3-grams" \
    "$B" ngram train -t char -n 3 --data "$tmp/text.txt" --val "$tmp/val.txt" --chunks 5 -o "$M"
"$B" ngram counts -m "$M" --rows 3 "the dog and a " >"$tmp/counts.txt" 2>&1
"$B" ngram next -m "$M" --smoothing addk --greedy --rows 3 "the dog and a " >"$tmp/next.txt" 2>&1
"$B" ngram eval -m "$M" --val "$tmp/val.txt" >"$tmp/eval.txt" 2>&1
check=$(python3 - "$tmp/text.txt" "$tmp/counts.txt" "$tmp/next.txt" "$tmp/eval.txt" <<'EOF'
import re, sys
from collections import Counter
data = open(sys.argv[1], "rb").read()
counts, nxt, ev = (open(p, encoding="utf-8").read() for p in sys.argv[2:5])
bad = []
def follow(h):   # what followed the bytes h in the text
    return Counter(data[i + len(h)] for i in range(len(data) - len(h)) if data[i:i + len(h)] == h)
# the 3-gram model reads "a " (the last 2 bytes of the prompt), then " ", then nothing
for h, label in ((b"a ", "after a· (2 tokens"), (b" ", "after · (1 token")):
    f = follow(h)
    m = re.search(re.escape(label) + r", order-\d counts\): counted (\d+) times, followed (\d+) times by (\d+) different", counts)
    if not m:
        bad.append(f"no line for {h!r}")
        continue
    seen = data.count(h) if len(h) == 1 else sum(1 for i in range(len(data) - 1) if data[i:i + 2] == h)
    if (int(m.group(1)), int(m.group(2)), int(m.group(3))) != (seen, sum(f.values()), len(f)):
        bad.append(f"{h!r}: C says {m.groups()}, Python {(seen, sum(f.values()), len(f))}")
# the most frequent byte after "a ", with its share count / total
f = follow(b"a ")
if len(f) < 5 or f.most_common(2)[1][1] == f.most_common(1)[0][1]:
    bad.append(f"the test's context should have several continuations and one most frequent: {f}")
top, c = f.most_common(1)[0]
share = f"{100 * c / sum(f.values()):.2f}%"
if not re.search(rf"^\s+{c}\s+{re.escape(share)}\s+{re.escape(chr(top))}$", counts, re.M):
    bad.append(f"top continuation {chr(top)!r} {c} {share} not listed")
# add-k's greedy pick is the most frequent continuation, with p = (c + 1) / (S + 256)
p = f"{100 * (c + 1) / (sum(f.values()) + 256):.2f}%"
if not re.search(rf"{top}\s+{re.escape(chr(top))}\s+{re.escape(p)}.*<- taken", nxt):
    bad.append(f"next: expected {chr(top)!r} at {p} taken:\n{nxt}")
if "= (%d + 1) / (%d + 1 x 256)" % (c, sum(f.values())) not in nxt:
    bad.append("next: add-k's formula with the counts is not shown")
# a uniform guess over 256 bytes: perplexity 256, 8 bits per token and per byte
if not re.search(r"uniform \(each of 256 ids\)\s+256\.00\s+8\.000\s+8\.000", ev):
    bad.append("eval: uniform row:\n" + ev)
m = re.search(r"3-gram \(this model\)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", ev)
u = re.search(r"unigram \(the same counts, n = 1\)\s+([\d.]+)", ev)
if not m or not u or not float(m.group(1)) < float(u.group(1)) < 256:
    bad.append("eval: the 3-gram should beat the unigram, which beats uniform:\n" + ev)
print("\n".join(bad) if bad else "ok")
EOF
)
[ "$check" = ok ] && ok "counts, next and eval agree with Python's count" || bad "Python recount" "$check"

a=$("$B" ngram generate -m "$M" --seed 5 -n 30 "the c" 2>/dev/null)
b=$("$B" ngram generate -m "$M" --seed 5 -n 30 "the c" 2>/dev/null)
c=$("$B" ngram generate -m "$M" --seed 6 -n 30 "the c" 2>/dev/null)
case "$a" in "the c"?*) ok "generate continues the prompt" ;; *) bad "generate continues the prompt" "$a" ;; esac
[ "$a" = "$b" ] && ok "generate replays from its seed" || bad "generate replays" "$a / $b"
[ "$a" != "$c" ] && ok "another seed, another text" || bad "another seed" "$a"
expect_grep "generate --ids" "^[0-9]+( [0-9]+){9}$" "$B" ngram generate -m "$M" --ids --greedy -n 10 "the"
expect_grep "a lower order at query time" "a 1-gram model reads the last 0 of the 5 tokens" \
    "$B" ngram next -m "$M" --order 1 "the c"
expect_grep "the query's smoothing is the one described" "^3-gram, add-k \\(k = 0.5\\)" \
    "$B" ngram next -m "$M" --smoothing addk --k 0.5 "the c"
expect_fail "an order above the model's" "this model counted n-grams up to 3" "$B" ngram next -m "$M" --order 4 "the c"

# --- Ctrl-C in the middle, then --resume: the counts of one straight run
args=(ngram train -n 3 --data data/corpus/train.txt --val data/corpus/val.txt --max-bytes 3000000 --chunks 100)
coproc TR { exec "$B" "${args[@]}" -o "$tmp/cut.llm" 2>&1; }
pid=$TR_PID
while IFS= read -r line <&"${TR[0]}"; do   # the first progress line: counting is under way
    case "$line" in "step "*) kill -INT "$pid"; break ;; esac
done
rest=$(cat <&"${TR[0]}")
wait "$pid"; rc=$?
if [ $rc -eq 130 ] && printf '%s' "$rest" | grep -q "interrupted after step"; then ok "Ctrl-C: status 130, saved"
else bad "Ctrl-C" "status $rc: $rest"; fi
expect_grep "the checkpoint loads" "3-gram, interpolated Kneser-Ney" "$B" ngram next -m "$tmp/cut.llm" --rows 1 "the"
expect_grep "--resume counts the rest" "step 100/100" "$B" ngram train --resume -o "$tmp/cut.llm"
expect_grep "an uninterrupted run" "step 100/100" "$B" "${args[@]}" --eval-every 0 -o "$tmp/straight.llm"
same=$(python3 - "$tmp/cut.llm" "$tmp/straight.llm" <<'EOF'
import struct, sys
def body(p):   # adam_t (the chunks counted) and the rows (modelfile.h: v2 header, f32 params before the crc)
    d = open(p, "rb").read()
    adam_t, n = struct.unpack_from("<iQ", d, 32)
    return adam_t, n, d[len(d) - 4 - 4 * n:len(d) - 4]
a, b = body(sys.argv[1]), body(sys.argv[2])
print("same" if a == b and a[0] == 100 and a[1] > 0 else f"differ: {a[:2]} {b[:2]}")
EOF
)
[ "$same" = same ] && ok "interrupted + resumed = straight (100 chunks, the same rows)" || bad "resume equals straight" "$same"
expect_grep "nothing to do at the end" "nothing to do" "$B" ngram train --resume -o "$tmp/cut.llm"
[ ! -e "$tmp/cut.llm.opt" ] && ok "no optimizer state next to an n-gram" || bad "no .opt"

echo "$n checks, $fails failed"
[ "$fails" -eq 0 ]
