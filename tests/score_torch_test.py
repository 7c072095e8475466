"""score_torch_test.py - `llmlab score` (decode/score.h) against the PyTorch
reference model (tests/lm_torch.py, float64) on the same weights.

build/tools/model_dump writes a model's weights; `llmlab score --csv` prints
the ids it scored, the context token and every ln p(token | prefix). Checks,
for models/base.llm and a small random model whose byte tokeniser has no
<|endoftext|>:
  every token's ln p equals the reference's log-softmax of the logits at the
    position before it, within 1e-4;
  the context: <|endoftext|> read first when the tokeniser has it (and the
    text does not start with it: the chat template does), else the text's
    first token, not scored;
  the sum identity: the total printed (--csv, full precision) equals the sum
    of the per-token values to float64 rounding (1e-9), and in the table
    (4 decimals) the ln p total is exactly the sum of the printed column,
    digit for digit;
  two texts: the comparison's difference equals the reference's;
  a text longer than the context is refused.
On failure it names the worst check and exits non-zero.
"""
import csv
import io
import math
import os
import re
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lm_torch  # noqa: E402
import model_dump  # noqa: E402

ROOT = model_dump.ROOT
LLMLAB = os.environ.get("LLMLAB", "./llmlab")
if not os.path.isabs(LLMLAB):
    LLMLAB = os.path.join(ROOT, LLMLAB)

GENESIS = ("And the LORD said unto Moses, Speak unto the children of Israel, that they bring me an offering: "
           "of every man that giveth it willingly with his heart ye shall take my offering. And this is the "
           "offering which ye shall take of them; gold, and silver, and brass, and blue, and purple, and scarlet, "
           "and fine linen, and goats' hair, and rams' skins dyed red")


def score(model, *args, fmt="--csv", check=True):
    p = subprocess.run([LLMLAB, "score", "-m", model, *([fmt] if fmt else []), *args], capture_output=True,
                       cwd=ROOT)
    if check and p.returncode != 0:
        raise RuntimeError(f"llmlab score {args} failed: {p.stderr.decode()}")
    return p


def parse_csv(out):
    texts = {}
    for r in csv.reader(io.StringIO(out)):
        if r[0] == "context":
            texts.setdefault(r[1], {"tok": []})["context"] = (int(r[2]), int(r[4]))
        elif r[0] == "token":
            texts[r[1]]["tok"].append((int(r[3]), float(r[5])))
        elif r[0] == "total":
            texts[r[1]]["total"] = (int(r[2]), float(r[3]), float(r[4]))
        elif r[0] == "compare":
            texts["compare"] = float(r[1])
    return texts


def load(model):
    d = model_dump.dump(model)
    cfg = d["cfg"]
    flat = torch.frombuffer(bytearray(d["params"]), dtype=torch.float32).double()
    return d, lm_torch.unpack(cfg, flat)


def ref_logp(P, cfg, seq):
    with torch.no_grad():
        logits = lm_torch.forward(P, cfg, torch.tensor([seq]))[0]
    lp = torch.log_softmax(logits, dim=-1)
    return [lp[t, seq[t + 1]].item() for t in range(len(seq) - 1)]


def check_text(ck, d, P, model, what, args, want_prepended):
    t = parse_csv(score(model, *args).stdout.decode())["A"]
    ctx_id, prepended = t["context"]
    seq = [ctx_id] + [i for i, _ in t["tok"]]
    ref = ref_logp(P, d["cfg"], seq)
    got = [lp for _, lp in t["tok"]]
    ck.add(f"{what}: ln p vs reference ({len(got)} tokens)", max(abs(a - b) for a, b in zip(got, ref)), 1e-4)
    ck.add(f"{what}: total = sum of ln p", abs(t["total"][1] - sum(got)), 1e-9)
    ck.add(f"{what}: count", float(t["total"][0] != len(got)), 0.0)
    ck.add(f"{what}: context is {'<|endoftext|>, prepended' if want_prepended else 'the first token'}",
           float(prepended != want_prepended or (want_prepended and ctx_id != d["eot"])), 0.0)
    return t


def check_table(ck, model, what, texts):
    """the printed table: the total is the sum of the printed ln p column, exactly"""
    out = score(model, *texts, fmt=None).stdout.decode()
    row = re.compile(r"^\s+\d+\s+\S+\s+\S+\s+(-?\d+\.\d{4})\s+\d+\.\d{2}(\s|$)")
    total = re.compile(r"^\s+sum\s+(-?\d+\.\d{4})$")
    line = re.compile(r"^ln p\(text\) = (-?\d+\.\d{4}) \(the sum of the ln p column\); "
                      r"in bits, log2 p\(text\) = (-?\d+\.\d{2}):")
    units = lambda s: int(s.replace(".", ""))  # noqa: E731  (fixed decimals: exact integers)
    tables, cur, sums = [], [], None
    for ln in out.splitlines():
        if row.match(ln):
            cur.append(row.match(ln).group(1))
        elif total.match(ln):
            sums = total.match(ln).group(1)
        elif line.match(ln):
            tables.append((cur, sums, line.match(ln).groups()))
            cur, sums = [], None
    bad, worst_bits = 0, 0.0
    for rows, sums, (said, log2p) in tables:
        bad += sums is None or sum(units(r) for r in rows) != units(sums)
        bad += said != sums
        worst_bits = max(worst_bits, abs(float(log2p) - float(said) / math.log(2)))
    ck.add(f"{what}: printed totals that are not the exact sum of the ln p column", float(bad), 0.0)
    ck.add(f"{what}: log2 p(text) = ln p(text) / ln 2 (to the printed 2 decimals)", worst_bits, 0.005 + 1e-9)
    ck.add(f"{what}: tables found", float(len(tables) != len(texts)), 0.0)


def n_tokens(text):
    return len(subprocess.run([LLMLAB, "tokenize", "--ids", text], check=True, capture_output=True,
                              cwd=ROOT).stdout.split())


def fit_text(n_max):
    """the longest prefix (in whole words) of GENESIS twice with at most n_max
    tokens, and the next one, with more: ((text, tokens), (text, tokens))"""
    words = (GENESIS + " " + GENESIS).split()
    lo, hi = 1, len(words)   # prefix lengths: lo fits, hi does not
    assert n_tokens(" ".join(words)) > n_max
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if n_tokens(" ".join(words[:mid])) <= n_max:
            lo = mid
        else:
            hi = mid
    fit, over = " ".join(words[:lo]), " ".join(words[:hi])
    return (fit, n_tokens(fit)), (over, n_tokens(over))


def base_checks():
    model = os.path.join(ROOT, "models", "base.llm")
    d, P = load(model)
    ck = model_dump.Checks("base.llm")
    check_text(ck, d, P, model, "short text", ["The cat sat on the mat."], 1)
    n_ctx = d["cfg"]["n_ctx"]
    (fit, nf), (over, no) = fit_text(n_ctx - 1)   # with <|endoftext|> before it: n_ctx tokens at most
    t = check_text(ck, d, P, model, f"long text ({nf} tokens)", [fit], 1)
    ck.add(f"the longest text fits: {nf} tokens + <|endoftext|> of {n_ctx}", float(nf < n_ctx - 4), 0.0)
    p = score(model, over, check=False)
    refused = p.returncode != 0 and f"the model reads at most {n_ctx}".encode() in p.stderr and not p.stdout
    ck.add(f"a text of {no} tokens (+ <|endoftext|> > {n_ctx}) is refused", float(not refused), 0.0)
    check_text(ck, d, P, model, "--chat", ["--chat", "When was Albert Einstein born?"], 0)
    check_text(ck, d, P, model, "one word", ["Hello"], 1)
    both = parse_csv(score(model, "The children of Israel", "The children of France").stdout.decode())
    ra = ref_logp(P, d["cfg"], [both["A"]["context"][0]] + [i for i, _ in both["A"]["tok"]])
    rb = ref_logp(P, d["cfg"], [both["B"]["context"][0]] + [i for i, _ in both["B"]["tok"]])
    ck.add("two texts: ln p(A) - ln p(B) vs reference", abs(both["compare"] - (sum(ra) - sum(rb))), 1e-4)
    check_table(ck, model, "table, one text", [GENESIS])
    check_table(ck, model, "table, two texts", ["The cat sat on the mat.", "The cat sit on the mat."])
    return ck


def random_checks(tmp):
    model = os.path.join(tmp, "r.llm")
    subprocess.run([LLMLAB, "init", "--layers", "2", "--heads", "2", "--width", "32", "--ctx", "24", "--seed", "3",
                    "--pos", "rotary", "-o", model], check=True, capture_output=True, cwd=ROOT)
    d, P = load(model)
    ck = model_dump.Checks("random byte model, no <|endoftext|>")
    ck.add("the tokeniser has no <|endoftext|>", float(d["eot"] != -1), 0.0)
    t = check_text(ck, d, P, model, "text", ["hello, world"], 0)
    ck.add("the first byte is not scored", float(len(t["tok"]) != len("hello, world") - 1), 0.0)
    p = score(model, "h", check=False)
    ck.add("one byte and no <|endoftext|>: refused", float(p.returncode == 0), 0.0)
    return ck


def main():
    with tempfile.TemporaryDirectory() as tmp:
        groups = [base_checks(), random_checks(tmp)]
    return model_dump.report(groups)


if __name__ == "__main__":
    sys.exit(main())
