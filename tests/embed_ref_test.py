"""embed_ref_test.py - `llmlab embed` against numpy on the same embedding
table (float64 reference).

For models/base.llm and a small random model, build/tools/model_dump gives
wte [V, C] exactly as the model file holds it; `llmlab embed --csv` gives
what the C core computes, and this script checks:
  cosine similarity: every similarity printed (one query with all V - 1
    neighbours, and the top 25 of several others) equals numpy's within 1e-5;
  neighbour and analogy rankings: equal to a brute-force ranking over every
    row (cosine with the query, or with b/|b| - a/|a| + c/|c| for the
    analogy "a is to b as c is to ?", leaving a, b, c out), except where
    two scores are within 1e-6 (a tie fp32 cannot order);
  PCA: the coordinates on the top two principal components of the centred
    rows (numpy's SVD; each axis's sign fixed as embedding.h says) within
    1e-5, and the share of the variance of each axis within 1e-6;
  words: a word resolves to the token of " word" (lm_embed_word's rule).
On failure it names the worst check and exits non-zero.
"""
import csv
import io
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_dump  # noqa: E402

ROOT = model_dump.ROOT
LLMLAB = os.environ.get("LLMLAB", "./llmlab")
if not os.path.isabs(LLMLAB):
    LLMLAB = os.path.join(ROOT, LLMLAB)


def run(model, *args):
    out = subprocess.run([LLMLAB, "embed", "-m", model, "--csv", *args], check=True, capture_output=True,
                         cwd=ROOT).stdout.decode()
    return list(csv.reader(io.StringIO(out)))


def table(model):
    d = model_dump.dump(model)
    V, C = d["cfg"]["vocab_size"], d["cfg"]["d_model"]
    E = np.frombuffer(d["params"], dtype="<f4", count=V * C).reshape(V, C).astype(np.float64)
    return E, d


def unit(E):
    n = np.linalg.norm(E, axis=1, keepdims=True)
    return np.where(n > 0, E / np.where(n > 0, n, 1), 0)


class Checks(model_dump.Checks):
    def __init__(self, name):
        super().__init__(name)
        self.ties = 0

    def note(self):
        return f"near-ties ordered differently (allowed): {self.ties}"

    def ranking(self, what, c_rows, score, exclude, k):
        """c_rows: [(id, sim)] as printed; score: the reference's [V] scores"""
        order = sorted((i for i in range(len(score)) if i not in exclude), key=lambda i: (-score[i], i))
        worst_sim, wrong = 0.0, 0
        for r, (cid, csim) in enumerate(c_rows):
            worst_sim = max(worst_sim, abs(csim - score[cid]))
            if cid != order[r]:
                if abs(score[cid] - score[order[r]]) <= 1e-6:
                    self.ties += 1
                else:
                    wrong += 1
        self.add(f"{what}: similarity vs numpy", worst_sim, 1e-5)
        self.add(f"{what}: ranks that differ from brute force", float(wrong), 0.0)
        want = min(k, len(order))
        self.add(f"{what}: listed {len(c_rows)}, wanted {want}", float(len(c_rows) != want), 0.0)


def hits(rows, kind):
    return [(int(r[2]), float(r[4])) for r in rows if r[0] == kind]


def check_near(ck, model, E, N, q, k):
    rows = run(model, "--near", q, "-k", str(k))
    qid = int(next(r for r in rows if r[0] == "query")[2])
    ck.ranking(f"near {q}", hits(rows, "near"), N @ N[qid], {qid}, k)
    return qid


def check_analogy(ck, model, N, a, b, c, k=25):
    rows = run(model, "--analogy", a, b, c, "-k", str(k))
    ia, ib, ic = map(int, next(r for r in rows if r[0] == "query")[2:5])
    t = N[ib] - N[ia] + N[ic]
    score = N @ (t / np.linalg.norm(t))
    ck.ranking(f"analogy {a}:{b}::{c}:?", hits(rows, "analogy"), score, {ia, ib, ic}, k)


def pca_ref(X):
    Xc = X - X.mean(axis=0)
    U, S, _ = np.linalg.svd(Xc, full_matrices=False)
    xy = U[:, :2] * S[:2]
    if xy.shape[1] < 2:
        xy = np.hstack([xy, np.zeros((xy.shape[0], 1))])
    for a in range(2):   # the point farthest along the axis is positive (the first on a tie)
        col = xy[:, a]
        far = 0
        for i in range(1, len(col)):
            if abs(col[i]) > abs(col[far]) + 1e-9 * max(1.0, abs(col[far])):
                far = i
        if col[far] < 0:
            xy[:, a] = -col
    lam = S ** 2
    var = [lam[a] / lam.sum() if a < len(lam) and lam.sum() > 0 else 0.0 for a in range(2)]
    return xy, var


def check_pca(ck, model, E, words, what):
    rows = run(model, "--pca", ",".join(words))
    var = [float(v) for v in next(r for r in rows if r[0] == "pca_var")[1:3]]
    pts = [r for r in rows if r[0] == "pca"]
    ids = [int(r[2]) for r in pts]
    xy = np.array([[float(r[4]), float(r[5])] for r in pts])
    ref, rvar = pca_ref(E[ids])
    ck.add(f"pca {what}: coordinates vs numpy", float(np.abs(xy - ref).max()), 1e-5)
    ck.add(f"pca {what}: variance shares", max(abs(var[0] - rvar[0]), abs(var[1] - rvar[1])), 1e-6)
    return ids


def base_checks():
    model = os.path.join(ROOT, "models", "base.llm")
    E, d = table(model)
    N = unit(E)
    V = len(E)
    ck = Checks("base.llm")
    pieces = d["pieces"]
    qid = check_near(ck, model, E, N, "king", V)   # every similarity of one row
    ck.add("'king' is the token ' king'", float(pieces[qid] != b" king"), 0.0)
    for q in ["Moses", "two", "he", "said", "France", "id:0", f"id:{d['eot']}", "id:4000", " the"]:
        check_near(ck, model, E, N, q, 25)
    for a, b, c in [("man", "men", "woman"), ("he", "she", "his"), ("is", "was", "are"),
                    ("father", "mother", "brother"), ("id:17", "id:1000", "id:2500")]:
        check_analogy(ck, model, N, a, b, c)
    words = "he,she,him,her,his,father,mother,brother,sister,son,daughter,two,three,four,five".split(",")
    ids = check_pca(ck, model, E, words, "15 words")
    ck.add("pca words resolve to ' word'", float(any(pieces[i] != b" " + w.encode() for i, w in zip(ids, words))), 0.0)
    rng = np.random.default_rng(7)
    check_pca(ck, model, E, [f"id:{i}" for i in rng.choice(V, 128, replace=False)], "128 random tokens")
    check_pca(ck, model, E, ["king", "Moses"], "two tokens")
    check_pca(ck, model, E, ["king", "Moses", "David"], "three tokens")
    return ck


def random_checks(tmp):
    model = os.path.join(tmp, "r.llm")
    subprocess.run([LLMLAB, "init", "--layers", "1", "--heads", "2", "--width", "48", "--ctx", "16",
                    "--seed", "7", "-o", model], check=True, capture_output=True, cwd=ROOT)
    E, _ = table(model)
    N = unit(E)
    ck = Checks("random char model")
    check_near(ck, model, E, N, "id:65", len(E))
    check_near(ck, model, E, N, "id:0", 25)
    check_analogy(ck, model, N, "id:1", "id:2", "id:3")
    check_pca(ck, model, E, [f"id:{i}" for i in range(40, 90)], "50 tokens")
    return ck


def main():
    with tempfile.TemporaryDirectory() as tmp:
        groups = [base_checks(), random_checks(tmp)]
    return model_dump.report(groups)


if __name__ == "__main__":
    sys.exit(main())
