"""word2vec_torch_test.py - word2vec's maths in C against PyTorch and Python.

build/tools/w2v_dump (tests/tools/w2v_dump.c) writes what the C core
computes; this script recomputes it independently:
  SGNS loss and gradients: for random tables W_in, W_out and random
    (center, context, negatives) triples - repeated words, negatives equal
    to the context, saturated sigmas included - PyTorch (float64 autograd)
    computes sum_i [-log sigma(u_o . v) - sum_k log sigma(-u_k . v)] and its
    gradient with respect to both tables; the C loss must agree to 1e-6
    relative and every gradient entry to 1e-5 of the largest;
  vocabulary: the word rule (lowercase; runs of ASCII letters and digits
    and non-punctuation UTF-8; "<|endoftext|>" no word), the counts, the
    order (count, then bytes), min count and size, recomputed in Python on a
    hand-made text with every odd case and on data/corpus/val.txt: equal;
  noise distribution: count^0.75 / sum within 1e-12, and 100000 draws within
    5 standard deviations of it for every word drawn often enough to tell;
  subsampling: keep = min(1, (sqrt(f/t) + 1) t / f) within 1e-6.
On failure it names the worst check and exits non-zero.
"""
import math
import os
import struct
import subprocess
import sys
import tempfile
from collections import Counter

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_dump  # noqa: E402
from lm_torch import Reader  # noqa: E402

ROOT = model_dump.ROOT
BUILD = os.environ.get("TEST_BUILD", "build")
TOOL = os.path.join(ROOT, BUILD, "tools", "w2v_dump")


def run(*args):
    subprocess.run([TOOL, *map(str, args)], check=True, cwd=ROOT)


# ---- SGNS loss and gradient ----

def sgns_check(ck, tmp, seed, V, D, N, K):
    out = os.path.join(tmp, f"sgns{seed}.bin")
    run("sgns", seed, V, D, N, K, out)
    r = Reader(open(out, "rb").read())
    V, D, N, K = r.take("4i")
    W_in = r.floats(V * D).view(V, D).requires_grad_()
    W_out = r.floats(V * D).view(V, D).requires_grad_()
    pairs = r.ints(2 * N).view(N, 2)
    neg = r.ints(N * K).view(N, K)
    (c_loss,) = r.take("d")
    c_gin = r.floats(V * D).view(V, D)
    c_gout = r.floats(V * D).view(V, D)
    v = W_in[pairs[:, 0]]                                   # [N, D] center vectors
    u_o = W_out[pairs[:, 1]]                                # [N, D] context vectors
    u_n = W_out[neg]                                        # [N, K, D] negatives
    pos = (u_o * v).sum(-1)                                 # [N]
    negs = (u_n * v[:, None, :]).sum(-1)                    # [N, K]
    loss = torch.nn.functional.softplus(-pos).sum() + torch.nn.functional.softplus(negs).sum()
    loss.backward()
    tag = f"V={V} D={D} N={N} K={K}"
    ck.add(f"loss, relative ({tag})", abs(c_loss - loss.item()) / abs(loss.item()), 1e-6)
    for name, c, t in (("dW_in", c_gin, W_in.grad), ("dW_out", c_gout, W_out.grad)):
        ck.add(f"{name} vs autograd, / max |grad| ({tag})", (c - t).abs().max().item() / t.abs().max().item(), 1e-5)
    sat = ((pos.abs() > 6).sum() + (negs.abs() > 6).sum()).item()
    ck.add(f"saturated sigmas exercised ({tag}: {sat})", 0.0 if sat > 0 else 1.0, 0.5)


# ---- the word rule, vocabulary, noise, subsampling ----

PUNCT = lambda cp: 0x80 <= cp <= 0xBF or cp in (0xD7, 0xF7) or 0x2000 <= cp <= 0x206F  # noqa: E731


def words_of(data):
    """vocab.h's rule, written again from its contract."""
    data = data.replace(b"<|endoftext|>", b" ")
    text = data.decode("utf-8", errors="surrogateescape")   # invalid bytes -> U+DC80..U+DCFF
    out = []
    for ch in text:
        cp = ord(ch)
        if cp < 0x80:
            c = ch.lower() if "A" <= ch <= "Z" else ch
            out.append(c if ("a" <= c <= "z" or "0" <= c <= "9") else " ")
        elif 0xDC80 <= cp <= 0xDCFF or PUNCT(cp):
            out.append(" ")
        else:
            out.append(ch)
    return [w.encode() for w in "".join(out).split(" ") if w]


def vocab_check(ck, tmp, name, path, min_count, max_words, t):
    out = os.path.join(tmp, "vocab.bin")
    run("vocab", path, min_count, max_words, t, out)
    d = open(out, "rb").read()
    r = Reader(d)
    (n,) = r.take("i")
    (total,) = r.take("q")
    c_words, c_count, c_p, c_keep = [], [], [], []
    for _ in range(n):
        (wl,) = r.take("i")
        c_words.append(bytes(r.d[r.o:r.o + wl]))
        r.o += wl
        c_count.append(r.take("q")[0])
        c_p.append(r.take("d")[0])
        c_keep.append(r.take("f")[0])
    draws = r.ints(100000).tolist()

    words = words_of(open(path, "rb").read())
    cnt = Counter(words)
    ranked = sorted(cnt.items(), key=lambda kv: (-kv[1], kv[0]))
    want = [(w, c) for w, c in ranked if c >= min_count][:max_words]
    got = list(zip(c_words, c_count))
    first_diff = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), None)
    ck.add(f"{name}: vocabulary ({len(want)} words) and counts equal"
           + (f" (first difference at {first_diff}: C {got[first_diff]} Python {want[first_diff]})"
              if first_diff is not None else ""),
           0.0 if got == want else 1.0, 0.5)
    kept_total = sum(c for w, c in want)
    ck.add(f"{name}: total in-vocabulary words {total}", abs(total - kept_total), 0)

    z = sum(c ** 0.75 for _, c in want)
    p = [c ** 0.75 / z for _, c in want]
    ck.add(f"{name}: noise P(w) = count^0.75 / sum", max(abs(a - b) for a, b in zip(c_p, p)), 1e-12)
    keep = [min(1.0, (math.sqrt((c / kept_total) / t) + 1) * t / (c / kept_total)) if t > 0 else 1.0
            for _, c in want]
    ck.add(f"{name}: subsampling keep(w), t={t}", max(abs(a - b) for a, b in zip(c_keep, keep)), 1e-6)
    freq = Counter(draws)
    worst = 0.0
    for i, pi in enumerate(p):
        if 100000 * pi < 20:
            continue
        sd = math.sqrt(100000 * pi * (1 - pi))
        worst = max(worst, abs(freq.get(i, 0) - 100000 * pi) / sd)
    ck.add(f"{name}: noise draws, worst |count - expected| in standard deviations", worst, 5.0)
    never = [i for i in freq if i < 0 or i >= n]
    ck.add(f"{name}: draws outside the vocabulary", len(never), 0)
    return want


def main():
    sg = model_dump.Checks("sgns")
    vc = model_dump.Checks("vocabulary")
    with tempfile.TemporaryDirectory() as tmp:
        sgns_check(sg, tmp, 1, 50, 16, 64, 5)
        sgns_check(sg, tmp, 2, 7, 3, 40, 10)       # many repeats: a word twice in one triple
        sgns_check(sg, tmp, 3, 300, 100, 256, 5)
        odd = os.path.join(tmp, "odd.txt")
        with open(odd, "wb") as f:
            f.write("The King's men. THE king; the KING!\n<|endoftext|>\nW\u00fcrzburg w\u00fcrzburg "
                    "\u2019quoted\u2019 dash\u2014dash 1685 1685 x\u00d7y caf\u00e9 caf\u00e9 "
                    "the the a a b c 10\u00b0 tab\there\r\n".encode()
                    + b"bad\xffbyte bad \xc0\xafover \xed\xa0\x80sur the king")
        want = vocab_check(vc, tmp, "hand-made text", odd, 1, 1000, 1e-3)
        vc.add("hand-made text: 'the' first with 6, 'king' second with 4",
               0.0 if want[:2] == [(b"the", 6), (b"king", 4)] else 1.0, 0.5)
        vc.add("hand-made text: w\u00fcrzburg one word, '\u2019' and '\u2014' separate, "
               "endoftext no word",
               0.0 if (("w\u00fcrzburg".encode(), 2) in want and (b"quoted", 1) in want
                       and (b"dash", 2) in want and all(w != b"endoftext" for w, _ in want)) else 1.0, 0.5)
        vocab_check(vc, tmp, "val.txt min 3, 2000 words", os.path.join(ROOT, "data/corpus/val.txt"), 3, 2000, 1e-3)
        vocab_check(vc, tmp, "val.txt min 1, t=1e-4", os.path.join(ROOT, "data/corpus/val.txt"), 1, 100000, 1e-4)
    return model_dump.report([sg, vc])


if __name__ == "__main__":
    sys.exit(main())
