"""lens_torch_test.py - the logit lens and head ablation of the C core against
PyTorch on the same random weights.

For each configuration, build/tools/lens_dump (tests/tools/lens_dump.c)
writes the weights, a prompt, and what the C core computes; this script
rebuilds the model in PyTorch (tests/lm_torch.py, float64) and compares:
  the lens of every layer l (0 = embeddings) at every position equals the
    reference's final LayerNorm + tied head applied to the residual stream
    after block l: max abs diff of the logits <= 1e-4;
  the last layer's lens equals the model's output logits (C against C:
    <= 1e-5; and against the reference as above);
  lm_lens_compute's grid: top-1 token where the reference's top two differ
    by more than 1e-4, and its probability / the target's probability per
    layer within 1e-5;
  ablating heads equals zeroing their attention output before w_o in the
    reference, for the full forward, the lens of that forward, the KV-cache
    decoder and the plain reference decoder (logits <= 1e-4), and the
    gradients of the ablated loss (max|c - ref| / max|ref| <= 1e-3);
  and the ablation changes the logits by far more than the tolerance (so the
    comparison cannot pass by the mask being ignored).
On failure it names the worst check and exits non-zero.
"""
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lm_torch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("TEST_BUILD", "build")
TOOL = os.path.join(ROOT, BUILD, "tools", "lens_dump")

#        name             L  H  C    M    n_ctx V   pos           act    T   heads to ablate
CONFIGS = [
    ("learned_one_head", 3, 4, 32, 64, 24, 61, "learned", "gelu", 13, "1.2"),
    ("rotary_layer", 2, 4, 32, 80, 24, 67, "rotary", "gelu", 17, "0.*,1.3"),
    ("sinusoidal_relu", 2, 2, 24, 48, 20, 50, "sinusoidal", "relu", 20, "1.0"),
    # over 200k weights: the KV decoder splits the heads over 2 threads
    ("learned_threads", 2, 4, 128, 256, 24, 61, "learned", "gelu", 19, "0.1,1.2,1.3"),
]
POS = ["learned", "sinusoidal", "rotary"]
ACT = ["gelu", "relu"]




def read_dump(path):
    r = lm_torch.Reader(open(path, "rb").read())
    assert r.d[:4] == b"LMLD", "bad magic"
    r.o = 4
    (ver,) = r.take("i")
    assert ver == 1, f"dump version {ver}, expected 1 (rebuild build/tools/lens_dump)"
    L, H, C, M, n_ctx, V, pos, act, T = r.take("9i")
    cfg = dict(n_layer=L, n_head=H, d_model=C, d_mlp=M, n_ctx=n_ctx, vocab_size=V,
               pos=POS[pos], act=ACT[act])
    (npar,) = r.take("Q")
    d = dict(cfg=cfg, T=T, params=r.floats(npar))
    d["mask"] = r.arr(L * H, torch.uint8, 1).view(L, H)
    d["tokens"], d["targets"] = r.ints(T), r.ints(T)
    R = L + 1
    d["logits"] = r.floats(T * V).view(T, V)
    d["lens"] = r.floats(R * T * V).view(R, T, V)
    (d["target"],) = r.take("i")
    d["target_p"] = r.floats(R)
    d["top"] = r.ints(R * T).view(R, T)
    d["top_p"] = r.floats(R * T).view(R, T)
    d["abl_logits"] = r.floats(T * V).view(T, V)
    d["abl_lens"] = r.floats(R * T * V).view(R, T, V)
    d["abl_kv"] = r.floats(T * V).view(T, V)
    d["abl_ref"] = r.floats(T * V).view(T, V)
    (d["abl_loss"],) = r.take("f")
    d["abl_grads"] = r.floats(npar)
    assert r.o == len(r.d), "trailing bytes in dump"
    return d




def maxdiff(a, b):
    return (a - b).abs().max().item()


def check_lens(d, P, out):
    """the unablated lens, grid and target column"""
    cfg, idx = d["cfg"], d["tokens"].view(1, -1)
    resid = []
    with torch.no_grad():
        logits = lm_torch.forward(P, cfg, idx, resid=resid)[0]
        lens = torch.stack([lm_torch.final_head(P, cfg, x[0]) for x in resid])   # [R, T, V]
    out.append(("logits vs reference", maxdiff(d["logits"], logits), 1e-4))
    out.append(("lens vs reference (every layer)", maxdiff(d["lens"], lens), 1e-4))
    out.append(("last layer's lens vs the model's logits (C)", maxdiff(d["lens"][-1], d["logits"]), 1e-5))
    probs = torch.softmax(lens, dim=-1)
    top2 = probs.topk(2, dim=-1)
    clear = (top2.values[..., 0] - top2.values[..., 1]) > 1e-4
    wrong = ((d["top"] != top2.indices[..., 0]) & clear).sum().item()
    out.append(("lens grid top-1 tokens that differ", float(wrong), 0.0))
    out.append(("lens grid top-1 probability", maxdiff(d["top_p"], top2.values[..., 0]), 1e-5))
    target = probs[-1, -1].argmax().item()
    out.append(("default target is the model's top-1", float(target != d["target"]), 0.0))
    out.append(("target probability per layer", maxdiff(d["target_p"], probs[:, -1, target]), 1e-5))
    return logits


def check_ablation(d, P, base_logits, out):
    cfg, idx = d["cfg"], d["tokens"].view(1, -1)
    heads = [(l, h) for l in range(cfg["n_layer"]) for h in range(cfg["n_head"]) if d["mask"][l, h]]
    Q = lm_torch.unpack(cfg, d["params"], grad=True)
    resid = []
    logits = lm_torch.forward(Q, cfg, idx, ablate=heads, resid=resid)
    loss = lm_torch.masked_loss(logits, d["targets"].view(1, -1), torch.ones(1, d["T"], dtype=torch.float64))
    loss.backward()
    logits = logits[0].detach()
    with torch.no_grad():
        lens = torch.stack([lm_torch.final_head(P, cfg, x[0]) for x in resid])
        dec = lm_torch.KVDecoder(P, cfg, ablate=heads)
        kv = torch.stack([dec.next(t) for t in d["tokens"].tolist()])
    out.append(("ablation changes the logits (must exceed 1e-2)", -maxdiff(logits, base_logits), -1e-2))
    out.append(("ablated forward vs reference", maxdiff(d["abl_logits"], logits), 1e-4))
    out.append(("ablated lens vs reference", maxdiff(d["abl_lens"], lens), 1e-4))
    out.append(("ablated KV decoder vs reference", maxdiff(d["abl_kv"], kv), 1e-4))
    out.append(("ablated plain decoder vs reference", maxdiff(d["abl_ref"], kv), 1e-4))
    out.append(("ablated loss", abs(d["abl_loss"] - loss.item()), 1e-5))
    g = torch.cat([Q[n].grad.reshape(-1) for n in lm_torch.param_shapes(cfg)])
    out.append(("ablated gradients (relative)", maxdiff(d["abl_grads"], g) / g.abs().max().item(), 1e-3))
    return heads


def check(spec):
    name, L, H, C, M, n_ctx, V, pos, act, T, ablate = spec
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "dump.bin")
        subprocess.run([TOOL, path, *map(str, (L, H, C, M, n_ctx, V, pos, act, T, 4321)), ablate],
                       check=True)
        d = read_dump(path)
    P = lm_torch.unpack(d["cfg"], d["params"])
    results = []
    base = check_lens(d, P, results)
    heads = check_ablation(d, P, base, results)
    bad = [r for r in results if r[1] > r[2]]
    print(f"[{name}] ablated {heads}")
    for what, got, tol in results:
        print(f"[{name}]   {what}: {abs(got):.3e} (limit {abs(tol):.0e})")
    if bad:
        print(f"[{name}] FAIL: " + ", ".join(b[0] for b in bad))
        return False
    print(f"[{name}] ok")
    return True


def main():
    if not os.path.exists(TOOL):
        print(f"missing {TOOL}: build it with make {BUILD}/tools/lens_dump")
        return 1
    ok = all([check(c) for c in CONFIGS])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
