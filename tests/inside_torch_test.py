"""inside_torch_test.py - the inside views (Q.K of one head, one position's
path through every block, the position encodings) of the C core against
PyTorch on the same random weights.

For each configuration build/tools/inside_dump (tests/tools/inside_dump.c)
writes the weights, the tokens and what src/core/models/gpt/inside.h
computes; this script runs the decoder again in float64, block by block,
from the pieces of tests/lm_torch.py (its output checked equal to
lm_torch.forward, so the loop here is that model), and compares within 1e-4
(absolute, or relative to the size of the value when it is above 1):
  scores q.k/sqrt(hd) before the mask, the mask (-inf exactly above the
    diagonal), the softmax (the attention probabilities), q, k, v (after the
    rotation for rotary), the head's output y, its contribution W_o y, every
    head's contribution norm and share, the layer's attention output norm;
  every block at the chosen position: each step's vector and norm (input,
    LN1, attention, x + attn, LN2, MLP up, activation, MLP down, output), the
    LayerNorms' mean and standard deviation, the fraction of active units;
  the position table (wpe, the sinusoid table, or the rotary angles), its
    row norms and the cosine of each row with the previous one.
On failure it names the worst check and exits non-zero.
"""
import math
import os
import subprocess
import sys
import tempfile

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lm_torch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("TEST_BUILD", "build")
TOOL = os.path.join(ROOT, BUILD, "tools", "inside_dump")

#        name           L  H  C   M   n_ctx V   pos           act    T   layer head qpos
CONFIGS = [
    ("learned_gelu", 3, 4, 32, 64, 24, 61, "learned", "gelu", 13, 1, 2, 9),
    ("rotary_gelu", 2, 4, 32, 80, 24, 67, "rotary", "gelu", 17, 1, 3, 16),
    ("sinusoidal_relu", 2, 2, 24, 48, 20, 50, "sinusoidal", "relu", 20, 0, 1, 0),
]
POS = ["learned", "sinusoidal", "rotary"]
ACT = ["gelu", "relu"]
TOL = 1e-4




def read_dump(path):
    r = lm_torch.Reader(open(path, "rb").read())
    assert r.d[:4] == b"LMID", "bad magic"
    r.o = 4
    (ver,) = r.take("i")
    assert ver == 1, f"dump version {ver}"
    L, H, C, M, n_ctx, V, pos, act, T, layer, head, qpos = r.take("12i")
    cfg = dict(n_layer=L, n_head=H, d_model=C, d_mlp=M, n_ctx=n_ctx, vocab_size=V,
               pos=POS[pos], act=ACT[act])
    hd = C // H
    (npar,) = r.take("Q")
    d = dict(cfg=cfg, T=T, layer=layer, head=head, qpos=qpos, params=r.floats(npar), tokens=r.ints(T))
    for name, n in (("scores", T * T), ("masked", T * T), ("probs", T * T), ("q", hd), ("k", hd),
                    ("v", hd), ("y", hd), ("contrib", C), ("head_norm", H), ("head_share", H)):
        d[name] = r.floats(n)
    for name in ("scores", "masked", "probs"):
        d[name] = d[name].view(T, T)
    d["norms"] = r.floats(6)
    d["blocks"] = []
    for _ in range(L):
        steps = []
        for _ in range(9):
            (size,) = r.take("i")
            (norm,) = r.take("f")
            steps.append((size, norm, r.floats(size)))
        d["blocks"].append((steps, r.floats(5)))
    n_pos, n_dim = r.take("2i")
    d["pos_table"] = r.floats(n_pos * n_dim).view(n_pos, n_dim)
    d["pos_norm"], d["pos_cos"] = r.floats(n_pos), r.floats(n_pos)
    assert r.o == len(r.d), "trailing bytes in dump"
    return d




def reference(P, cfg, idx):
    """the decoder block by block, keeping what the inside views show"""
    T = idx.shape[0]
    C, H = cfg["d_model"], cfg["n_head"]
    hd = C // H
    x = lm_torch.embed(P, cfg, idx.view(1, -1))[0]
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    layers = []
    for l in range(cfg["n_layer"]):
        p = f"h.{l}."
        ln1 = F.layer_norm(x, (C,), P[p + "ln1.w"], P[p + "ln1.b"], 1e-5)
        q, k, v = (t.view(T, H, hd).transpose(0, 1) for t in
                   F.linear(ln1, P[p + "attn.w_qkv"], P[p + "attn.b_qkv"]).split(C, dim=-1))
        if cfg["pos"] == "rotary":
            cos, sin = lm_torch.rotary_tables(T, hd, x.dtype)
            q, k = lm_torch.rotate(q, cos, sin), lm_torch.rotate(k, cos, sin)
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd)              # [H, T, T]
        masked = scores.masked_fill(~causal, float("-inf"))
        probs = torch.softmax(masked, dim=-1)
        y = probs @ v                                                 # [H, T, hd]
        Wo = P[p + "attn.w_o"]
        contrib = torch.stack([y[h] @ Wo[:, h * hd:(h + 1) * hd].t() for h in range(H)])   # [H, T, C]
        attn = contrib.sum(0) + P[p + "attn.b_o"]
        mid = x + attn
        ln2 = F.layer_norm(mid, (C,), P[p + "ln2.w"], P[p + "ln2.b"], 1e-5)
        up = F.linear(ln2, P[p + "mlp.w_fc"], P[p + "mlp.b_fc"])
        act = F.gelu(up, approximate="tanh") if cfg["act"] == "gelu" else F.relu(up)
        down = F.linear(act, P[p + "mlp.w_proj"], P[p + "mlp.b_proj"])
        out = mid + down
        layers.append(dict(x=x, ln1=ln1, q=q, k=k, v=v, scores=scores, masked=masked, probs=probs,
                           y=y, contrib=contrib, attn=attn, mid=mid, ln2=ln2, up=up, act=act,
                           down=down, out=out))
        x = out
    return layers, lm_torch.final_head(P, cfg, x)


def diff(a, b):
    """max |a - b| / max(1, |b|), elementwise"""
    a, b = torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
    return ((a - b).abs() / b.abs().clamp(min=1)).max().item()


def ref_positions(P, cfg):
    n, C = cfg["n_ctx"], cfg["d_model"]
    if cfg["pos"] == "learned":
        tab = P["wpe"]
    elif cfg["pos"] == "sinusoidal":
        tab = lm_torch.sinusoid_table(n, C, torch.float64)
    else:
        hd = C // cfg["n_head"]
        inv = torch.pow(10000.0, -torch.arange(0, hd // 2, dtype=torch.float64) * 2.0 / hd)
        tab = torch.arange(n, dtype=torch.float64)[:, None] * inv[None, :]
        norm = torch.full((n,), math.sqrt(hd // 2), dtype=torch.float64)
        cprev = torch.cos(inv).mean().repeat(n)
        cprev[0] = 0
        return tab, norm, cprev
    norm = tab.norm(dim=1)
    cprev = torch.zeros(n, dtype=torch.float64)
    cprev[1:] = F.cosine_similarity(tab[1:], tab[:-1], dim=1)
    return tab, norm, cprev


def check_qk(d, R, out):
    l, h, t = d["layer"], d["head"], d["qpos"]
    r = R[l]
    fin = torch.isfinite(d["masked"])
    out.append(("mask: -inf exactly above the diagonal",
                float((fin != torch.ones_like(fin).tril()).sum().item()), 0.0))
    out.append(("scores before the mask", diff(d["scores"], r["scores"][h]), TOL))
    out.append(("masked scores (finite cells)", diff(d["masked"][fin], r["masked"][h][fin]), TOL))
    out.append(("softmax = attention probabilities", diff(d["probs"], r["probs"][h]), TOL))
    for name in ("q", "k", "v"):
        out.append((f"{name} at position {t}", diff(d[name], r[name][h, t]), TOL))
    out.append(("head output y", diff(d["y"], r["y"][h, t]), TOL))
    out.append(("contribution W_o y", diff(d["contrib"], r["contrib"][h, t]), TOL))
    hn = r["contrib"][:, t].norm(dim=-1)
    out.append(("every head's contribution norm", diff(d["head_norm"], hn), TOL))
    out.append(("every head's share", diff(d["head_share"], hn / hn.sum()), TOL))
    want = torch.stack([r["q"][h, t].norm(), r["k"][h, t].norm(), r["v"][h, t].norm(), r["y"][h, t].norm(),
                        hn[h], r["attn"][t].norm()])
    out.append(("norms of q, k, v, y, contribution, attention output", diff(d["norms"], want), TOL))


def check_blocks(d, R, cfg, out):
    t = d["qpos"]
    keys = ("x", "ln1", "attn", "mid", "ln2", "up", "act", "down", "out")
    worst_v = worst_n = worst_s = 0.0
    wrong_active = 0
    for l, (steps, extra) in enumerate(d["blocks"]):
        r = R[l]
        for (size, norm, vec), key in zip(steps, keys):
            ref = r[key][t]
            if size != ref.numel():
                out.append((f"block {l} step {key} size {size} vs {ref.numel()}", 1.0, 0.0))
            worst_v = max(worst_v, diff(vec, ref))
            worst_n = max(worst_n, diff(norm, ref.norm()))
        x, mid, up = r["x"][t], r["mid"][t], r["up"][t]
        stats = torch.stack([x.mean(), x.std(unbiased=False), mid.mean(), mid.std(unbiased=False)])
        worst_s = max(worst_s, diff(extra[:4], stats))
        clear = up.abs() > 1e-5
        n_on = ((up > 0) & clear).sum().item()
        lo, hi = n_on, n_on + (~clear).sum().item()
        got = round(extra[4].item() * up.numel())
        wrong_active += 0 if lo <= got <= hi else 1
    out.append(("block steps' vectors (every layer)", worst_v, TOL))
    out.append(("block steps' norms (every layer)", worst_n, TOL))
    out.append(("LayerNorm mean and std", worst_s, TOL))
    out.append(("layers whose fraction of active units differs", float(wrong_active), 0.0))


def check(spec):
    name, L, H, C, M, n_ctx, V, pos, act, T, layer, head, qpos = spec
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "dump.bin")
        subprocess.run([TOOL, path, *map(str, (L, H, C, M, n_ctx, V, pos, act, T, 4321, layer, head, qpos))],
                       check=True)
        d = read_dump(path)
    cfg = d["cfg"]
    P = lm_torch.unpack(cfg, d["params"])
    results = []
    with torch.no_grad():
        R, logits = reference(P, cfg, d["tokens"])
        full = lm_torch.forward(P, cfg, d["tokens"].view(1, -1))[0]
    results.append(("this loop equals lm_torch.forward (logits)", diff(logits, full), 1e-9))
    sharp = R[layer]["probs"][head].max().item()
    results.append(("attention far from uniform (max p must exceed 0.5)", -sharp, -0.5))
    check_qk(d, R, results)
    check_blocks(d, R, cfg, results)
    tab, norm, cprev = ref_positions(P, cfg)
    results.append(("position table", diff(d["pos_table"], tab), TOL))
    results.append(("position row norms", diff(d["pos_norm"], norm), TOL))
    results.append(("cosine with the previous position", diff(d["pos_cos"], cprev), TOL))
    bad = [r for r in results if r[1] > r[2]]
    for what, got, tol in results:
        print(f"[{name}]   {what}: {abs(got):.3e} (limit {abs(tol):.0e})")
    if bad:
        print(f"[{name}] FAIL: " + ", ".join(b[0] for b in bad))
        return False
    print(f"[{name}] ok")
    return True


def main():
    if not os.path.exists(TOOL):
        print(f"missing {TOOL}: build it with make {BUILD}/tools/inside_dump")
        return 1
    ok = all([check(c) for c in CONFIGS])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
