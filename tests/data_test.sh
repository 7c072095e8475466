#!/usr/bin/env bash
# data_test.sh - checks of the training-data pipeline (scripts/gen_data.py).
# No network: uses the decoded sources in data/cache/text/ when they are there
# (made by scripts/fetch_corpus.sh), otherwise checks the generated part only.
#  - generation is deterministic (two runs, same sha256 of every output)
#  - JSONL parses, SFT roles are right, eval counts per kind
#  - eval phrasings (question with the entity removed) never occur in SFT
#  - unknown entities never occur in the corpus, nor in SFT outside
#    "I don't know" answers; eval-only unknowns never in SFT at all
#  - the lectures' facts (Einstein 14 March 1879, Ulm; LSE 1895) are stated
#  - the Bible and R decoders on small hand-made inputs
set -euo pipefail
cd "$(dirname "$0")/.."
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

src_args=(--no-sources)
if [ -s data/cache/text/bible.txt ] && [ -s data/cache/text/austen.txt ] && [ -s data/cache/text/sotu.txt ]; then
  src_args=(--sources data/cache/text)
  echo "data_test: with fetched sources"
else
  echo "data_test: sources not fetched; checking generated data only"
fi

for run in a b; do
  "$py" scripts/gen_data.py --seed 7 --scale 0.05 --out "$tmp/$run" "${src_args[@]}" >/dev/null
done
(cd "$tmp/a" && find . -type f | sort | xargs sha256sum) >"$tmp/a.sum"
(cd "$tmp/b" && find . -type f | sort | xargs sha256sum) >"$tmp/b.sum"
if ! cmp -s "$tmp/a.sum" "$tmp/b.sum"; then
  echo "FAIL: two runs with the same seed differ"; diff "$tmp/a.sum" "$tmp/b.sum"; exit 1
fi
echo "data_test: deterministic ($(wc -l <"$tmp/a.sum") files)"
"$py" scripts/gen_data.py --seed 8 --scale 0.05 --out "$tmp/c" "${src_args[@]}" >/dev/null
if cmp -s "$tmp/a/corpus/train.txt" "$tmp/c/corpus/train.txt"; then
  echo "FAIL: a different seed gives the same corpus"; exit 1
fi

"$py" - "$tmp/a" <<'EOF'
import json, os, re, sys
out = sys.argv[1]
fails = []
def check(cond, msg):
    if not cond:
        fails.append(msg)

def jsonl(p):
    rows = []
    with open(p, encoding="utf-8") as f:
        for i, line in enumerate(f):
            try:
                rows.append(json.loads(line))
            except ValueError as e:
                fails.append("%s:%d: bad JSON (%s)" % (p, i + 1, e))
    return rows

F = json.load(open(os.path.join(out, "gen/facts.json"), encoding="utf-8"))
sft = jsonl(os.path.join(out, "gen/sft_train.jsonl")) + jsonl(os.path.join(out, "gen/sft_val.jsonl"))
corpus_all = ""
for p in ("corpus/train.txt", "corpus/val.txt"):
    corpus_all += open(os.path.join(out, p), encoding="utf-8").read()
ev = jsonl(os.path.join(out, "gen/eval.jsonl"))
check(len(sft) >= 100, "too few SFT examples: %d" % len(sft))

# rows: a plain document {"text"}, or a conversation: optional system, then
# user / assistant turns, an assistant turn may call the calculator
# ("tool_call"), answered by a "tool" message, after which the assistant goes on
n_tool = n_doc = 0
for i, ex in enumerate(sft):
    if set(ex) == {"text"}:
        n_doc += 1
        ok = isinstance(ex["text"], str) and ex["text"].strip() and "<|endoftext|>" not in ex["text"]
    else:
        m = ex.get("messages")
        ok = isinstance(m, list) and len(m) >= 2 and set(ex) == {"messages"}
        if ok:
            roles = [x.get("role") for x in m]
            if roles[0] == "system":
                roles = roles[1:]
            ok = roles[0] == "user" and roles[-1] == "assistant"
            for j in range(1, len(roles)):
                prev, r = roles[j - 1], roles[j]
                if r == "tool":
                    ok = ok and prev == "assistant" and "tool_call" in m[j - 1 + (len(m) - len(roles))]
                elif r == "assistant":
                    ok = ok and prev in ("user", "tool")
                elif r == "user":
                    ok = ok and prev == "assistant"
                else:
                    ok = False
            n_tool += "tool" in roles
            ok = ok and all(isinstance(x.get("content"), str) and (x["content"].strip() or "tool_call" in x) for x in m)
    if not ok:
        fails.append("SFT row %d is malformed: %r" % (i, ex))
        break
check(n_tool > 0, "no calculator conversations in SFT")
check(n_doc > 0, "no plain documents mixed into SFT")
conv = [ex for ex in sft if "messages" in ex]

# eval kinds and their fields
want_min = {"fact_qa": 150, "unknown": 80, "unknown_attr": 30, "everyday": 30, "letters": 60,
            "letters_direct": 60, "arith_cot": 50, "arith_direct": 50, "tool": 50, "rag": 50,
            "few_shot": 50, "bare_question": 40}
got = {}
for it in ev:
    got[it["kind"]] = got.get(it["kind"], 0) + 1
    check(isinstance(it.get("question"), str) and it["question"], "eval item without question: %r" % it)
    check(it.get("answers") and all(isinstance(a, str) and a for a in it["answers"]), "no answers: %r" % it)
    if it["kind"] == "few_shot":
        check(len(it.get("shots", [])) == 3, "few_shot without 3 shots")
        t = it["template"]
        check("{q}" in t and "{a}" in t and t.index("{q}") < t.index("{a}"), "bad template %r" % t)
        sep = t[t.index("{q}") + 3:t.index("{a}")]
        check(sep.strip() and ("\n" + sep) not in corpus_all and (sep + "\n") not in corpus_all or len(sep.strip()) > 2,
              "few-shot format %r is used in the corpus" % t)
    if it["kind"] in ("letters", "letters_direct"):
        # count recomputed here, not taken from the generator
        check(it["word"].count(it["letter"]) == it["count"] == int(it["answers"][0]), "wrong letter count: %r" % it)
        check(it["word"] in it["question"], "letters question lacks its word")
        for sep in ("-", " ", ", ", "\n"):
            spelled_re = r"(?<![a-z]%s)\b%s\b(?!%s[a-z]\b)" % (re.escape(sep), re.escape(sep).join(it["word"]), re.escape(sep))
            check(re.search(spelled_re, corpus_all) is None, "held-out word %r is spelled in the corpus" % it["word"])
    if it["kind"] in ("arith_cot", "arith_direct", "tool"):
        nums = [int(x) for x in re.findall(r"\d+", it["question"])]
        check(len(nums) >= 3, "arithmetic item without three numbers: %r" % it)
    if it["kind"] == "tool":
        check(eval(it["expression"]) == int(it["answers"][0]), "wrong tool answer: %r" % it)
    if it["kind"] == "rag":
        check(it["answers"][0] in it["question"], "rag answer not in its passage: %r" % it)
        check(it.get("wrong") and all(w in it["question"] for w in it["wrong"]), "rag wrong values not in passage")
for k, n in want_min.items():
    check(got.get(k, 0) >= n, "eval has %d %s items, want >= %d" % (got.get(k, 0), k, n))
counts = [it["count"] for it in ev if it["kind"] == "letters"]
for c in range(4):
    check(counts.count(c) >= len(counts) * 0.15, "letter count %d is rare in the eval (%r)" % (c, sorted(set(counts))))
check("Let me spell strawberry and count" in corpus_all, "strawberry never spelled")

# eval phrasings never in SFT: compare questions with every entity name
# (and abbreviation, word, letter, number) replaced by a placeholder
names = sorted({e["name"] for k in ("people", "countries", "rivers", "mountains", "institutions") for e in F[k]} |
               {u["name"] for u in F["unknown"]}, key=len, reverse=True)
names = sorted(set(names) | {n.split()[-1] for n in names if " " in n and not n.startswith("the ")}, key=len, reverse=True)
abbrevs = sorted({e["abbrev"] for e in F["institutions"]}, key=len, reverse=True)
def skeleton(q):
    for n in names:
        for v in (n, n[0].upper() + n[1:]):
            q = q.replace(v, "<E>")
    for a in abbrevs:
        q = re.sub(r"\b%s\b" % re.escape(a), "<E>", q)
    q = re.sub(r"\b(Dr\.|Professor|Sir|Lady|Captain) <E>", "<E>", q)
    return re.sub(r"\d+", "<N>", q)
def letter_skeleton(q, w, l):
    return re.sub(r"\b%s\b" % re.escape(w), "<W>", re.sub(r"\b%s\b" % re.escape(l), "<L>", q))
sft_users = [m["content"] for ex in conv for m in ex["messages"] if m["role"] == "user"]
sft_sk = {skeleton(q) for q in sft_users}
sft_set = set(sft_users)
sft_letter_sk = set()
for q in sft_users:
    mm = re.search(r"\b([a-z])\b.*\b([a-z]{3,})\b", q)
    if mm:
        sft_letter_sk.add(letter_skeleton(q, mm.group(2), mm.group(1)))
for it in ev:
    q = it["question"]
    if it["kind"] == "few_shot":
        continue
    check(q not in sft_set, "eval question occurs in SFT: %r" % q)
    if it["kind"] in ("letters", "letters_direct"):
        check(letter_skeleton(q, it["word"], it["letter"]) not in sft_letter_sk, "eval letters phrasing in SFT: %r" % q)
    elif it["kind"] in ("fact_qa", "unknown", "unknown_attr", "bare_question"):
        sk = skeleton(q)
        check("<E>" in sk, "eval question names no entity: %r" % q)
        check(sk not in sft_sk, "eval phrasing %r occurs in SFT" % sk)
    elif it["kind"] in ("arith_cot", "arith_direct", "tool"):
        check(skeleton(q) not in sft_sk, "eval phrasing %r occurs in SFT" % skeleton(q))

# unknown entities
corpus = ""
for p in ("corpus/train.txt", "corpus/val.txt"):
    corpus += open(os.path.join(out, p), encoding="utf-8").read()
source_words = set()
for s in ("bible", "austen", "sotu"):
    p = os.path.join("data/cache/text", s + ".txt")
    if os.path.exists(p):
        source_words |= set(re.findall(r"\w+", open(p, encoding="utf-8").read()))
known_words = set()
for e in F["people"]:
    known_words.update(e["name"].split())
eval_unknown = {u["name"] for u in F["unknown"] if u["split"] == "eval"}
check(len(F["unknown"]) >= 100, "fewer than 100 unknown entities")
for u in F["unknown"]:
    check(u["name"] not in corpus, "unknown entity %r occurs in the corpus" % u["name"])
    check(re.search(r"\b%s\b" % re.escape(u["surname"]), corpus) is None, "unknown surname %r in the corpus" % u["surname"])
    check(u["surname"] not in source_words, "unknown surname %r occurs in the fetched sources" % u["surname"])
    check(u["surname"] not in known_words, "unknown surname %r is also a known person's name" % u["surname"])
used_unknown = set()
eval_surnames = {u["surname"] for u in F["unknown"] if u["split"] == "eval"}
for ex in conv:
    text = " ".join(m["content"] for m in ex["messages"])
    for u in F["unknown"]:
        if re.search(r"\b%s\b" % re.escape(u["surname"]), text):
            used_unknown.add(u["name"])
            check(u["surname"] not in eval_surnames, "eval-only unknown %r occurs in SFT" % u["name"])
            reply = ex["messages"][-1]["content"]
            check("don't know" in reply and u["surname"] in reply,
                  "SFT mentions unknown %r without an I don't know answer naming it" % u["name"])
check(len(used_unknown) > 10, "SFT has almost no I don't know examples")
for it in ev:
    if it["kind"] == "unknown":
        check(it["name"].split()[-1] in eval_surnames or it["name"] in eval_unknown,
              "eval unknown item about a non-eval entity: %r" % it)
        check(it["name"].lower() in it["question"].lower(), "unknown item's name not in its question: %r" % it)

# the lectures' facts
docs = corpus.split("\n<|endoftext|>\n")
check(any("Albert Einstein" in d and "14 March 1879" in d and "Ulm" in d for d in docs), "Einstein fact missing")
check(sum(d.count("Albert Einstein") for d in docs) >= 3, "Einstein too rare in the corpus")
check(any("London School of Economics and Political Science" in d and "LSE" in d and "1895" in d for d in docs),
      "LSE fact missing")
check(any(ex["messages"][-1]["content"] == "Albert Einstein was born on 14 March 1879." for ex in conv) or len(conv) < 20000,
      "no SFT answer with Einstein's birth date")
ein = [e for e in F["people"] if e["name"] == "Albert Einstein"]
check(ein and ein[0]["born"] == "14 March 1879" and ein[0]["place"] == "Ulm", "Einstein fact wrong in facts.json")
lse = [e for e in F["institutions"] if e["abbrev"] == "LSE"]
check(lse and lse[0]["founded"] == 1895, "LSE fact wrong in facts.json")

# corpus format
for p in ("corpus/train.txt", "corpus/val.txt"):
    raw = open(os.path.join(out, p), "rb").read()
    raw.decode("utf-8")
    check(raw.endswith(b"\n<|endoftext|>\n"), "%s does not end with a separator line" % p)
    check(b"\r" not in raw, "%s has CR characters" % p)
    check(b"\n<|endoftext|>\n<|endoftext|>\n" not in raw, "%s has an empty document" % p)
    check(not raw.startswith(b"<|endoftext|>"), "%s starts with an empty document" % p)
check(all("User question: " in d or True for d in docs), "")
check(any(d.count("User question: ") >= 3 and "\nYour answer: " in d for d in docs), "no Q&A pages")
check(any(re.search(r"^1\. .*\?$", d, re.M) and "Your answer" not in d for d in docs), "no quiz sheets")
check(re.search(r"\b[a-z](-[a-z]){4,}\b", corpus) is not None, "no spelled-out words")
m = re.findall(r"^(\d+) \+ (\d+) = (\d+)$", corpus, re.M)
check(m and all(int(a) + int(b) == int(c) for a, b, c in m), "arithmetic lines missing or wrong")

if fails:
    for f in fails[:30]:
        print("FAIL:", f)
    sys.exit(1)
print("data_test: %d SFT examples, %d eval items, corpus %.2f MB: all checks passed" % (len(sft), len(ev), len(corpus) / 1e6))
EOF

# decoders on small inputs whose decoded form is known independently
"$py" - <<'EOF'
import struct, sys, zlib, gzip, os, tempfile
sys.path.insert(0, "scripts")
import data_sources as ds

def lzw_pack(codes_by_width):
    """Pack (code, width) pairs LSB-first, as compress does, with each width's
    codes padded to a whole group of 8 codes when the width changes."""
    bits, n = 0, 0
    out = 0
    for code, w in codes_by_width:
        out |= code << n
        n += w
    return out.to_bytes((n + 7) // 8, "little")

# "ABABABA": literals A, B, then 257 ("AB"), 259 ("ABA")
data = lzw_pack([(65, 9), (66, 9), (257, 9), (259, 9)])
assert ds.unlzw(data) == b"ABABABA", ds.unlzw(data)

# a BRS EC02 file with one window holding two verses
text = b"Title line\nGe1:1 In the beginning.\nGe1:2 And the earth.\n"
codes = [(c, 9) for c in text]   # all literals, never reaching 512 entries
body = lzw_pack(codes)
hdr = b"EC02" + b"test".ljust(80, b"\0") + struct.pack(">II", 65536, 1)
first = len(hdr) + 8 + 3
blob = hdr + struct.pack(">II", first, first + len(body)) + b"\x1f\x9d\x90" + body
with tempfile.NamedTemporaryFile(delete=False) as f:
    f.write(blob)
try:
    assert ds.bible_text(f.name) == text
    docs = ds.bible_docs(f.name)
    assert docs == [("Genesis, chapter 1", "Genesis, chapter 1\n\n1 In the beginning.\n2 And the earth.")], docs
finally:
    os.unlink(f.name)

# R serialize (XDR, version 3): a named character vector c(a="x", b=NA)
def i(v): return struct.pack(">i", v)
def charsxp(s): return i(0x00040009) + i(len(s)) + s if s is not None else i(9) + i(-1)
ser = (b"X\n" + i(3) + i(0x040201) + i(0x030500) + i(5) + b"UTF-8" +
       i(16 | (1 << 9)) + i(2) + charsxp(b"x") + charsxp(None) +             # STRSXP with attributes
       i(2 | (1 << 10)) + i(1) + charsxp(b"names") +                          # pairlist: tag = symbol names
       i(16) + i(2) + charsxp(b"a") + charsxp(b"b") + i(254))                 # value, then NILVALUE
v = ds.r_unserialize(gzip.compress(ser))
assert v.values == ["x", None] and v.names() == ["a", "b"], (v.values, v.names())
print("data_test: LZW, BRS and R-serialize decoders ok")
EOF
echo "data_test: ok"
