"""scaling_fit_test.py - the scaling laws llmlab fits to a results file,
checked against numpy on the same points.

For random sweeps (sizes x budgets, losses from a power law with noise, rows
in random order), this script writes a results file, runs
build/tools/scaling_fit (tests/tools/scaling_fit.c: llmlab's reader, point
selection and fit) and recomputes everything on its own:
  the parameter counts, by the hand formula N = 12 L C^2 + 13 L C + 2 C
    (non-embedding) and N + V C + ctx C (all), which the reader must accept;
  L(N)'s points: each size's row with the most tokens (the first on a tie),
    in order of N;
  L(C)'s points: the compute frontier, rows in order of C = 6 N D kept while
    their loss falls below every one kept before;
  both fits with numpy.polyfit on log10 x, log10 y (a, alpha, R^2 agree to
    1e-9 relative);
  the fits with an offset, L = c + a x^-alpha: llmlab's c gives a squared
    error of log10 L no worse than the best of 4000 values of c numpy tries,
    and its R^2 is never below the plain law's (c = 0 is one of the tries).
Then exact synthetic points with a known exponent: `llmlab scaling plot`
must print it (L = 7 C^-0.05, L = 4 N^-0.08, R^2 1.000), and the offset
fit must find c, a and alpha of L = 1.25 + 4 N^-0.3.
On failure it names the check and exits non-zero.
"""
import os
import random
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("TEST_BUILD", "build")
TOOL = os.path.join(ROOT, BUILD, "tools", "scaling_fit")
LLMLAB = os.environ.get("LLMLAB", os.path.join(ROOT, "llmlab"))
COLUMNS = ("layers width heads ctx vocab params params_nonembed tokens steps batch seq lr seed "
           "train_loss val_loss seconds").split()

failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
    if not ok:
        failures.append(name)


def counts(L, C, ctx, V):
    nonembed = 12 * L * C * C + 13 * L * C + 2 * C
    return nonembed + V * C + ctx * C, nonembed


def make_row(L, C, H, tokens_steps, val, batch=8, seq=32, V=256):
    total, nonembed = counts(L, C, seq, V)
    steps = tokens_steps
    return {"layers": L, "width": C, "heads": H, "ctx": seq, "vocab": V, "params": total,
            "params_nonembed": nonembed, "tokens": steps * batch * seq, "steps": steps, "batch": batch,
            "seq": seq, "lr": "0.003", "seed": 1234, "train_loss": repr(val * 1.01), "val_loss": repr(val),
            "seconds": "1.0"}


def write(path, rows):
    with open(path, "w") as f:
        f.write("# written by scaling_fit_test.py\n# source: synthetic\n")
        f.write("\t".join(COLUMNS) + "\n")
        for r in rows:
            f.write("\t".join(str(r[c]) for c in COLUMNS) + "\n")


def run_tool(path):
    out = subprocess.run([TOOL, path], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("scaling_fit refused %s: %s" % (path, out.stderr))
    laws = {}
    for line in out.stdout.splitlines():
        w = line.split()
        if w[0] == "sizes":
            laws["sizes"] = int(w[1])
        elif w[0].endswith("_offset"):
            laws[w[0]] = tuple(float(v) for v in w[1:6])
        else:
            n = int(w[4])
            laws[w[0]] = (None if w[1] == "nofit" else (float(w[1]), float(w[2]), float(w[3])),
                          [int(i) for i in w[5:5 + n]])
    return laws


def numpy_fit(x, y):
    lx, ly = np.log10(np.array(x, dtype=float)), np.log10(np.array(y, dtype=float))
    slope, intercept = np.polyfit(lx, ly, 1)
    res = ly - (intercept + slope * lx)
    ss_tot = float(np.sum((ly - ly.mean()) ** 2))
    r2 = 1.0 - float(np.sum(res ** 2)) / ss_tot if ss_tot > 0 else 1.0
    return 10.0 ** intercept, -slope, r2


def offset_sse(x, y, c):
    # the squared error of log10 L under c + a x^-alpha, a and alpha fitted to L - c in log space
    # (by numpy.polyfit), for each c of the array c at once
    c = np.atleast_1d(np.asarray(c, dtype=float))
    lx, y = np.log10(np.array(x, dtype=float)), np.array(y, dtype=float)
    ly = np.log10(y[None, :] - c[:, None])                      # [K, n]
    fits = np.polyfit(lx, ly.T, 1)                               # [2, K]: slope, intercept of each c
    pred = c[:, None] + 10.0 ** (fits[1][:, None] + fits[0][:, None] * lx[None, :])
    return np.sum((np.log10(y)[None, :] - np.log10(pred)) ** 2, axis=1)


def expected_points(rows):
    key = lambda r: (r["params_nonembed"], r["layers"], r["width"], r["heads"], r["ctx"], r["vocab"])
    best = {}
    for i, r in enumerate(rows):
        k = key(r)
        if k not in best or r["tokens"] > rows[best[k]]["tokens"]:
            best[k] = i
    by_params = [best[k] for k in sorted(best)]
    comp = lambda r: 6.0 * r["params_nonembed"] * r["tokens"]
    order = sorted(range(len(rows)), key=lambda i: (comp(rows[i]), float(rows[i]["val_loss"]), i))
    frontier = []
    for i in order:
        if not frontier or float(rows[i]["val_loss"]) < float(rows[frontier[-1]]["val_loss"]):
            frontier.append(i)
    return len(best), by_params, frontier


def close(a, b, tol=1e-9):
    return abs(a - b) <= tol * max(1.0, abs(b))


def random_sweep(tmp, seed):
    rnd = random.Random(seed)
    sizes = [(1, 16, 1), (1, 32, 1), (2, 48, 1), (2, 64, 2), (3, 96, 3), (4, 128, 4), (2, 64, 4)]
    rnd.shuffle(sizes)
    sizes = sizes[:rnd.randint(2, len(sizes))]
    budgets = rnd.sample([10, 40, 160, 640, 2560], rnd.randint(1, 4))
    rows = []
    for (L, C, H) in sizes:
        for steps in budgets:
            _, n = counts(L, C, 32, 256)
            d = steps * 8 * 32
            val = 9.0 * n ** -0.07 + 40.0 * d ** -0.3
            rows.append(make_row(L, C, H, steps, val * float(np.exp(rnd.gauss(0, 0.03)))))
    rnd.shuffle(rows)
    path = os.path.join(tmp, "sweep%d.tsv" % seed)
    write(path, rows)
    got = run_tool(path)
    n_sizes, by_params, frontier = expected_points(rows)
    tag = "sweep %d (%d rows)" % (seed, len(rows))
    check(tag + ": sizes", got["sizes"] == n_sizes, "%s vs %d" % (got["sizes"], n_sizes))
    for law, idx, xf in (("params", by_params, lambda r: r["params_nonembed"]),
                         ("compute", frontier, lambda r: 6.0 * r["params_nonembed"] * r["tokens"])):
        fit, gidx = got[law]
        check("%s: %s points" % (tag, law), gidx == idx, "%s vs %s" % (gidx, idx))
        if len(idx) < 2:
            check("%s: %s has no fit with one point" % (tag, law), fit is None, str(fit))
            continue
        a, alpha, r2 = numpy_fit([xf(rows[i]) for i in idx], [float(rows[i]["val_loss"]) for i in idx])
        ok = fit is not None and close(fit[0], a) and close(fit[1], alpha) and close(fit[2], r2, 1e-8)
        check("%s: %s fit = numpy" % (tag, law), ok, "llmlab %s, numpy %s" % (fit, (a, alpha, r2)))
        # with an offset: llmlab's c is as good as the best of 4000 values numpy tries in [0, min L)
        x = [xf(rows[i]) for i in idx]
        y = [float(rows[i]["val_loss"]) for i in idx]
        off = got.get(law + "_offset")
        if len(idx) < 4:
            check("%s: %s has no offset fit with %d points" % (tag, law, len(idx)), off is None, str(off))
            continue
        best = float(np.min(offset_sse(x, y, min(y) * np.arange(4000) / 4000)))
        mine = float(offset_sse(x, y, off[0])[0]) if off else float("inf")
        check("%s: %s offset c=%.4f as good as numpy's grid" % (tag, law, off[0] if off else -1),
              off is not None and mine <= best * (1 + 1e-6) + 1e-15 and close(off[4], mine, 1e-6),
              "llmlab sse %r (reported %r), numpy grid %r" % (mine, off and off[4], best))
        check("%s: %s offset R^2 >= plain R^2" % (tag, law), off is not None and off[3] >= r2 - 1e-12,
              "%r < %r" % (off and off[3], r2))


def exact_law(tmp):
    # every row on L = 7 C^-0.05 exactly, so every row is on the frontier; and
    # the largest budget of each size on L = 4 N^-0.08 cannot both hold, so
    # two files
    rows = []
    for (L, C, H) in [(1, 16, 1), (1, 32, 1), (2, 64, 2)]:
        for steps in (10, 100, 1000):
            _, n = counts(L, C, 32, 256)
            rows.append(make_row(L, C, H, steps, 7.0 * (6.0 * n * steps * 256) ** -0.05))
    path = os.path.join(tmp, "exact_c.tsv")
    write(path, rows)
    fit, idx = run_tool(path)["compute"]
    check("exact C law: all 9 rows on the frontier", len(idx) == 9, str(idx))
    check("exact C law: alpha 0.05, a 7, R^2 1", fit is not None and close(fit[1], 0.05, 1e-12) and
          close(fit[0], 7.0, 1e-10) and close(fit[2], 1.0, 1e-12), str(fit))
    out = subprocess.run([LLMLAB, "scaling", "plot", path], capture_output=True, text=True)
    check("plot prints the exact C law", out.returncode == 0 and
          "L = 7 * C^-0.050   (alpha 0.050, R^2 1.000, 9 points)" in out.stdout, out.stdout + out.stderr)

    rows = []
    for (L, C, H) in [(1, 16, 1), (1, 32, 1), (2, 48, 1), (2, 64, 2), (3, 96, 3)]:
        _, n = counts(L, C, 32, 256)
        rows.append(make_row(L, C, H, 50, 1.25 + 4.0 * n ** -0.3))
    path = os.path.join(tmp, "exact_offset.tsv")
    write(path, rows)
    off = run_tool(path).get("params_offset")
    check("exact law with an offset: c 1.25, a 4, alpha 0.3", off is not None and close(off[0], 1.25, 1e-6) and
          close(off[1], 4.0, 1e-4) and close(off[2], 0.3, 1e-5), str(off))

    rows = []
    for (L, C, H) in [(1, 16, 1), (1, 32, 1), (2, 48, 1), (2, 64, 2), (3, 96, 3)]:
        _, n = counts(L, C, 32, 256)
        rows.append(make_row(L, C, H, 50, 4.0 * n ** -0.08))
    path = os.path.join(tmp, "exact_n.tsv")
    write(path, rows)
    out = subprocess.run([LLMLAB, "scaling", "plot", path], capture_output=True, text=True)
    check("plot prints the exact N law", out.returncode == 0 and
          "L = 4 * N^-0.080   (alpha 0.080, R^2 1.000, 5 points)" in out.stdout, out.stdout + out.stderr)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, 31):
            random_sweep(tmp, seed)
        exact_law(tmp)
    if failures:
        print("%d failed: %s" % (len(failures), ", ".join(failures)))
        sys.exit(1)
    print("all passed")


if __name__ == "__main__":
    main()
