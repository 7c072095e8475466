"""ngram_ref_test.py - the n-gram model (src/core/models/ngram/) against an
independent count in plain Python.

build/tools/ngram_dump (tests/tools/ngram_dump.c) counts a token stream with
the C core and prints its rows in the model file's order, its discounts and
whole next-token distributions under add-k (k = 1 and 0.5), interpolated
Kneser-Ney with plain, modified and fixed (0.75) discounts, for every order
1..N. This file counts the same stream itself, from the definitions (the
formulas of ngram.h, written out again here, not read from the C code), and
checks:
  the rows: the file's (context row, id, count) triples rebuild exactly the
    Python counts of every n-gram, sorted as documented;
  the discounts from the count-of-counts, per level;
  every probability of every distribution (within 1e-12), and that each
    distribution sums to 1;
  the nll of a held-out sequence (within 1e-9 relative);
  that counting in 7 chunks prints the same as counting in one go.
On failure it names the worst check and exits non-zero.
"""
import math
import os
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_dump  # noqa: E402  (Checks, report, ROOT, BUILD: no torch needed)

TOOL = os.path.join(model_dump.ROOT, model_dump.BUILD, "tools", "ngram_dump")

TEXT = """the cat sat on the mat . the dog sat on the log . the cat saw the dog .
the dog saw the cat and the cat ran . a cat and a dog sat on a mat .
the cat sat on the log and the dog sat on the mat . the end .
the cat sat . the cat sat . the dog ran on the mat . a dog ran .""".split()
HELD_OUT = "the dog sat on the cat . a cat ran on the log . the mat saw a dog".split()
N = 4
SMOOTH = {"addk1": ("addk", 1.0, 0.0), "addk0.5": ("addk", 0.5, 0.0), "kn": ("kn", 0, 0.0),
          "mkn": ("mkn", 0, 0.0), "kn0.75": ("kn", 0, 0.75)}


def count(ids, n_max):
    """c[n][g]: how often the n-gram g (a tuple) ends at some position"""
    c = {n: Counter() for n in range(1, n_max + 1)}
    for i in range(len(ids)):
        for n in range(1, n_max + 1):
            if i - n + 1 >= 0:
                c[n][tuple(ids[i - n + 1:i + 1])] += 1
    return c


class Model:
    """p(w | context) from counts c, for a query order `top` (<= N)"""

    def __init__(self, c, V, top, kind, k, fixed):
        self.V, self.top, self.kind, self.k = V, top, kind, k
        # a[n][g]: the raw count at the top level, the number of different
        # tokens seen just before g at the levels below (continuation count)
        self.a = {top: dict(c[top])}
        for n in range(1, top):
            left = defaultdict(set)
            for g in c[n + 1]:
                left[g[1:]].add(g[0])
            self.a[n] = {g: len(left[g]) for g in c[n]}
        self.raw = c
        self.D = {}
        for n in range(1, top + 1):
            h = Counter(v for v in self.a[n].values() if v > 0)
            n1, n2, n3, n4 = h[1], h[2], h[3], h[4]
            if fixed > 0:
                self.D[n] = (fixed,) * 3
                continue
            Y = n1 / (n1 + 2 * n2) if n1 > 0 else 0.5
            d = [Y, Y, Y]
            if kind == "mkn":
                if n2 > 0:
                    d[1] = 2 - 3 * Y * n3 / n2
                if n3 > 0:
                    d[2] = 3 - 4 * Y * n4 / n3
                d = [x if x > 0 else Y for x in d]
            self.D[n] = tuple(d)
        # per context h at level n: A(h) and how many continuations have a = 1, 2, >= 3
        self.ctx = {}
        for n in range(1, top + 1):
            for g, v in self.a[n].items():
                e = self.ctx.setdefault((n, g[:-1]), [0, 0, 0, 0])
                e[0] += v
                if v >= 1:
                    e[min(v, 3)] += 1
        self.S = Counter()           # S(h) = sum of c(h w), for contexts of every length below top
        for n in range(1, top + 1):
            for g, v in c[n].items():
                self.S[g[:-1]] += v

    def disc(self, n, a):
        return 0 if a <= 0 else self.D[n][min(a, 3) - 1]

    def prob(self, ctx, w):
        ctx = tuple(ctx[max(0, len(ctx) - (self.top - 1)):]) if self.top > 1 else ()
        if self.kind == "addk":
            S = self.S.get(ctx, 0)
            cw = self.raw[len(ctx) + 1].get(ctx + (w,), 0)
            return (cw + self.k) / (S + self.k * self.V)
        p = 1.0 / self.V
        for L in range(len(ctx) + 1):
            h, n = ctx[len(ctx) - L:], L + 1
            e = self.ctx.get((n, h))
            if not e or e[0] == 0:
                continue
            a = self.a[n].get(h + (w,), 0)
            gamma = sum(self.D[n][j] * e[j + 1] for j in range(3)) / e[0]
            p = max(a - self.disc(n, a), 0) / e[0] + gamma * p
        return p


def run_tool(ids, V, chunks, queries):
    with tempfile.TemporaryDirectory() as tmp:
        fi, fq = os.path.join(tmp, "ids"), os.path.join(tmp, "q")
        with open(fi, "w") as f:
            f.write(" ".join(map(str, ids)) + "\n")
        with open(fq, "w") as f:
            for kind, q in queries:
                f.write(kind + "".join(f" {t}" for t in q) + "\n")
        p = subprocess.run([TOOL, str(N), str(V), str(chunks), fi, fq], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"ngram_dump failed: {p.stderr}")
        return p.stdout


def main():
    vocab = sorted(set(TEXT) | set(HELD_OUT))
    V = len(vocab) + 3          # three ids never seen at all
    ids = [vocab.index(w) for w in TEXT]
    held = [vocab.index(w) for w in HELD_OUT]
    enc = lambda s: [vocab.index(w) for w in s.split()]  # noqa: E731
    queries = [("ctx", []), ("ctx", enc("the")), ("ctx", enc("the cat")), ("ctx", enc("sat on the")),
               ("ctx", enc("on the cat sat on the")), ("ctx", enc("mat saw")), ("ctx", [V - 1]),
               ("ctx", [V - 2] + enc("the dog")), ("ctx", enc(". the end")), ("nll", held)]
    out = run_tool(ids, V, 1, queries)
    out7 = run_tool(ids, V, 7, queries)
    c = count(ids, N)

    rows_ck = model_dump.Checks("rows")
    keys = {n: [] for n in range(1, N + 1)}      # (context row, id) of each row, in the file's order
    grams = {n: [] for n in range(1, N + 1)}     # the n-gram each row stands for
    got = {n: {} for n in range(1, N + 1)}
    for line in out.splitlines():
        w = line.split()
        if w[0] != "rows":
            continue
        n, ctx, tid, cnt = int(w[1]), int(float(w[2])), int(float(w[3])), int(float(w[4]))
        g = (tid,) if n == 1 else grams[n - 1][ctx] + (tid,)
        keys[n].append((ctx, tid))
        grams[n].append(g)
        got[n][g] = cnt
    bad_order = sum(1 for n in keys for i in range(1, len(keys[n])) if keys[n][i] <= keys[n][i - 1])
    mismatch = sum(1 for n in range(1, N + 1) for g in set(c[n]) | set(got[n]) if c[n].get(g) != got[n].get(g))
    rows_ck.add("n-grams whose count differs from Python's", mismatch, 0)
    rows_ck.add("rows out of (context row, id) order", bad_order, 0)
    rows_ck.add("distinct 4-grams counted (must be > 40)", -len(got[4]), -41)

    disc_ck, dist_ck, sum_ck, nll_ck = (model_dump.Checks(x) for x in ("discounts", "distributions", "sums", "nll"))
    worst_d = worst_p = worst_s = worst_n = 0.0
    n_dist = 0
    models = {}
    for line in out.splitlines():
        w = line.split()
        if w[0] == "rows":
            continue
        name, order = w[1], int(w[2])
        key = (name, order)
        if key not in models:
            kind, k, fixed = SMOOTH[name]
            models[key] = Model(c, V, order, kind, k, fixed)
        m = models[key]
        if w[0] == "disc":
            lev = int(w[3])
            worst_d = max(worst_d, max(abs(float(x) - y) for x, y in zip(w[4:7], m.D[lev])))
        elif w[0] == "dist":
            q = queries[int(w[3])][1]
            ps = [float(x) for x in w[4:]]
            worst_p = max(worst_p, max(abs(ps[t] - m.prob(q, t)) for t in range(V)))
            worst_s = max(worst_s, abs(sum(ps) - 1))
            if min(ps) <= 0:
                worst_s = max(worst_s, 1.0)
            n_dist += 1
        elif w[0] == "nll":
            q = queries[int(w[3])][1]
            want = -sum(math.log(m.prob(q[:i], q[i])) for i in range(1, len(q)))
            worst_n = max(worst_n, abs(float(w[4]) - want) / want)
    disc_ck.add("largest discount difference", worst_d, 1e-12)
    dist_ck.add(f"largest probability difference over {n_dist} distributions x {V} ids", worst_p, 1e-12)
    dist_ck.add("distributions compared (must be 5 smoothings x 4 orders x 9 contexts)", abs(n_dist - 180), 0)
    sum_ck.add("largest |sum of p - 1| (1 when some p <= 0)", worst_s, 1e-12)
    nll_ck.add("largest relative nll difference", worst_n, 1e-9)
    chunk_ck = model_dump.Checks("chunks")
    chunk_ck.add("output lines that differ when counted in 7 chunks", sum(
        1 for a, b in zip(out.splitlines(), out7.splitlines()) if a != b) + abs(len(out) - len(out7)), 0)
    # the smoothing matters: Kneser-Ney beats add-one on the held-out text at order 3
    better = models[("kn", 3)]
    nll_kn = -sum(math.log(better.prob(held[:i], held[i])) for i in range(1, len(held)))
    nll_a1 = -sum(math.log(models[("addk1", 3)].prob(held[:i], held[i])) for i in range(1, len(held)))
    nll_ck.add("Kneser-Ney's held-out nll minus add-one's at order 3 (must be < 0)", nll_kn - nll_a1, -1e-6)
    return model_dump.report([rows_ck, disc_ck, dist_ck, sum_ck, nll_ck, chunk_ck])


if __name__ == "__main__":
    sys.exit(main())
