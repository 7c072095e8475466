"""model_dump.py - reads what build/tools/model_dump (tests/tools/model_dump.c)
writes: a model's config, its weights in the parameter table's order, each
token id's piece and <|endoftext|>'s id. Used by tests/embed_ref_test.py and
tests/score_torch_test.py, with the checks table both report through
(Checks, report)."""
import os
import struct
import subprocess
import tempfile

POS = ["learned", "sinusoidal", "rotary"]
ACT = ["gelu", "relu"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("TEST_BUILD", "build")
TOOL = os.path.join(ROOT, BUILD, "tools", "model_dump")


def dump(model_path):
    """runs the tool on model_path and returns the dict of read()"""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "model.bin")
        subprocess.run([TOOL, model_path, out], check=True)
        with open(out, "rb") as f:
            return read(f.read())


def read(d):
    assert d[:4] == b"LMMP", "bad magic"
    (ver,) = struct.unpack_from("<i", d, 4)
    assert ver == 1, f"dump version {ver}, expected 1 (rebuild {TOOL})"
    o = 8
    L, H, C, M, n_ctx, V, pos, act = struct.unpack_from("<8i", d, o)
    o += 32
    (n,) = struct.unpack_from("<Q", d, o)
    o += 8
    params = d[o:o + 4 * n]   # raw little-endian float32
    o += 4 * n
    pieces = []
    for _ in range(V):
        (ln,) = struct.unpack_from("<i", d, o)
        o += 4
        if ln < 0:
            pieces.append(None)
        else:
            pieces.append(d[o:o + ln])
            o += ln
    (eot,) = struct.unpack_from("<i", d, o)
    o += 4
    assert o == len(d), "trailing bytes in the dump"
    cfg = dict(n_layer=L, n_head=H, d_model=C, d_mlp=M, n_ctx=n_ctx, vocab_size=V, pos=POS[pos], act=ACT[act])
    return dict(cfg=cfg, n_params=n, params=params, pieces=pieces, eot=eot)


class Checks:
    """A named group of (what, got, limit) rows; a row fails when got > limit."""

    def __init__(self, name):
        self.name, self.rows = name, []

    def add(self, what, got, limit):
        self.rows.append((what, got, limit))

    def note(self):
        """An extra line a group may print after its rows (None: none)."""
        return None


def report(groups):
    """Prints every row of every group and its verdict; 0 when all hold."""
    ok = True
    for ck in groups:
        bad = [r for r in ck.rows if r[1] > r[2]]
        for what, got, lim in ck.rows:
            print(f"[{ck.name}] {what}: {got:.3e} (limit {lim:.0e})")
        if ck.note():
            print(f"[{ck.name}] {ck.note()}")
        if bad:
            ok = False
            print(f"[{ck.name}] FAIL: " + "; ".join(b[0] for b in bad))
        else:
            print(f"[{ck.name}] ok")
    return 0 if ok else 1
