"""torch_ref_test.py - the C core against PyTorch on the same random weights.

For each configuration, build/tools/torch_dump (tests/tools/torch_dump.c)
writes the weights, inputs, logits, loss, every gradient and the losses of 10
clipped AdamW steps computed by the C core; this script rebuilds the model in
PyTorch (tests/lm_torch.py, float64) from the same weights and compares:
  logits max abs diff <= 1e-4, loss <= 1e-5,
  every gradient: max|c - ref| / max(max|ref|, 1e-12) <= 1e-3,
  10 AdamW losses <= 1e-4 (and the pre-clip gradient norms, rel 1e-3).
On failure it names the worst tensor and exits non-zero.
"""
import math
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lm_torch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("TEST_BUILD", "build")
TOOL = os.path.join(ROOT, BUILD, "tools", "torch_dump")

#        name            L  H  C   M   n_ctx V   pos           act    B  T  mask
CONFIGS = [
    ("rotary_gelu_mask", 2, 4, 32, 80, 24, 67, "rotary", "gelu", 3, 17, 1),
    ("sinusoidal_relu", 2, 2, 24, 48, 20, 50, "sinusoidal", "relu", 2, 20, 0),
    ("learned_gelu_mask", 3, 4, 32, 64, 32, 61, "learned", "gelu", 2, 13, 1),
]
POS = ["learned", "sinusoidal", "rotary"]
ACT = ["gelu", "relu"]




def schedule_lr(max_lr, min_lr, warmup, total, step):
    """Linear warmup over `warmup` steps reaching max_lr at step warmup-1
    ((step+1)/warmup, as llm.c), then cosine from max_lr at step `warmup` to
    min_lr at step `total`, then min_lr."""
    if step < warmup:
        return max_lr * (step + 1) / warmup
    if step >= total:
        return min_lr
    frac = (step - warmup) / (total - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * frac)) * (max_lr - min_lr)


def read_dump(path):
    r = lm_torch.Reader(open(path, "rb").read(), wide=False)
    assert r.d[:4] == b"LMTD", "bad magic"
    r.o = 4
    (ver,) = r.take("i")
    assert ver == 2, f"dump version {ver}, expected 2 (rebuild build/tools/torch_dump)"
    L, H, C, M, n_ctx, V, pos, act, B, T, use_mask, n_steps = r.take("12i")
    lr, b1, b2, eps, wd, clip = r.take("6f")
    (min_lr,) = r.take("f")
    warmup, total = r.take("2i")
    (nv,) = r.take("i")
    views = []
    for _ in range(nv):
        name = r.d[r.o:r.o + 32].split(b"\0")[0].decode()
        r.o += 32
        ndim, s0, s1, decay = r.take("4i")
        off, numel = r.take("2Q")
        views.append((name, ndim, (s0, s1)[:ndim], decay, off, numel))
    (npar,) = r.take("Q")
    params = r.floats(npar)
    N = B * T
    d = dict(cfg=dict(n_layer=L, n_head=H, d_model=C, d_mlp=M, n_ctx=n_ctx, vocab_size=V,
                      pos=POS[pos], act=ACT[act]),
             B=B, T=T, use_mask=use_mask, n_steps=n_steps, lr=lr, betas=(b1, b2), eps=eps,
             wd=wd, clip=clip, min_lr=min_lr, warmup=warmup, total=total, views=views, params=params)
    d["tokens"], d["targets"], d["mask"] = r.ints(N), r.ints(N), r.floats(N)
    d["logits"] = r.floats(N * V).view(B, T, V)
    (d["loss"],) = r.take("f")
    d["grads"] = r.floats(npar)
    d["step_loss"] = r.floats(n_steps)
    d["step_norm"] = r.floats(n_steps)
    d["step_lr"] = r.floats(n_steps)
    assert r.o == len(r.d), "trailing bytes in dump"
    return d


def rel_err(c, ref):
    return ((c - ref).abs().max() / max(ref.abs().max().item(), 1e-12)).item()


def check(name, spec, attn="causal"):
    """attn: "causal" (the decoder) or "bidirectional" (an encoder, no mask)"""
    _, L, H, C, M, n_ctx, V, pos, act, B, T, mask = spec
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "dump.bin")
        subprocess.run([TOOL, out, *map(str, (L, H, C, M, n_ctx, V, pos, act, B, T, mask, 1234, attn))],
                       check=True)
        d = read_dump(out)
    cfg = d["cfg"]
    cfg["bidirectional"] = attn == "bidirectional"
    shapes = lm_torch.param_shapes(cfg)
    names = [v[0] for v in d["views"]]
    if names != list(shapes):
        print(f"[{name}] FAIL parameter names/order differ from model.h: {names}")
        return False
    P = {}
    for (vname, ndim, shape, decay, off, numel) in d["views"]:
        if tuple(shape) != shapes[vname]:
            print(f"[{name}] FAIL tensor {vname} shape {shape} != {shapes[vname]}")
            return False
        P[vname] = d["params"][off:off + numel].view(*shape).double().requires_grad_(True)
    idx = d["tokens"].long().view(d["B"], d["T"])
    tgt = d["targets"].long().view(d["B"], d["T"])
    msk = d["mask"].double().view(d["B"], d["T"])

    logits = lm_torch.forward(P, cfg, idx)
    loss = lm_torch.masked_loss(logits, tgt, msk)
    loss.backward()
    failures = []
    dl = (d["logits"].double() - logits.detach()).abs().max().item()
    dloss = abs(d["loss"] - loss.item())
    print(f"[{name}] logits max abs diff {dl:.3e}, loss {d['loss']:.6f} vs {loss.item():.6f} "
          f"(diff {dloss:.3e})")
    if dl > 1e-4:
        failures.append(("logits", dl))
    if dloss > 1e-5:
        failures.append(("loss", dloss))
    worst = ("", 0.0)
    for (vname, ndim, shape, decay, off, numel) in d["views"]:
        g = d["grads"][off:off + numel].double().view(*shape)
        e = rel_err(g, P[vname].grad)
        if e > worst[1]:
            worst = (vname, e)
        if e > 1e-3:
            failures.append(("grad " + vname, e))
    print(f"[{name}] worst gradient: {worst[0]} rel err {worst[1]:.3e}")

    # 10 AdamW steps with gradient clipping, decay only on views with decay=1,
    # at the warmup + cosine learning rate computed here independently
    Q = {k: v.detach().clone().requires_grad_(True) for k, v in P.items()}
    decay = [Q[v[0]] for v in d["views"] if v[3]]
    nodecay = [Q[v[0]] for v in d["views"] if not v[3]]
    optim = torch.optim.AdamW([{"params": decay, "weight_decay": d["wd"]},
                               {"params": nodecay, "weight_decay": 0.0}],
                              lr=d["lr"], betas=d["betas"], eps=d["eps"])
    worst_step = 0.0
    for s in range(d["n_steps"]):
        lr_s = schedule_lr(d["lr"], d["min_lr"], d["warmup"], d["total"], s)
        elr = abs(d["step_lr"][s].item() - lr_s) / lr_s
        if elr > 1e-5:
            failures.append((f"schedule lr step {s} (C {d['step_lr'][s].item():.6e}, py {lr_s:.6e})", elr))
        for g in optim.param_groups:
            g["lr"] = lr_s
        optim.zero_grad()
        ls = lm_torch.masked_loss(lm_torch.forward(Q, cfg, idx), tgt, msk)
        ls.backward()
        norm = torch.nn.utils.clip_grad_norm_(list(Q.values()), d["clip"]).item()
        optim.step()
        e = abs(d["step_loss"][s].item() - ls.item())
        worst_step = max(worst_step, e)
        if e > 1e-4:
            failures.append((f"adamw step {s} loss", e))
        en = abs(d["step_norm"][s].item() - norm) / max(norm, 1e-12)
        if en > 1e-3:
            failures.append((f"adamw step {s} grad norm", en))
    print(f"[{name}] AdamW losses {d['step_loss'][0]:.5f} -> {d['step_loss'][-1]:.5f}, "
          f"worst diff {worst_step:.3e}")
    if failures:
        failures.sort(key=lambda f: -f[1])
        print(f"[{name}] FAIL: worst is {failures[0][0]} ({failures[0][1]:.3e}); "
              f"{len(failures)} check(s) over tolerance: " + ", ".join(f[0] for f in failures[:8]))
        return False
    print(f"[{name}] ok")
    return True


def main():
    if not os.path.exists(TOOL):
        print(f"missing {TOOL}: build it with make {BUILD}/tools/torch_dump")
        return 1
    torch.manual_seed(0)
    ok = all([check(c[0], c) for c in CONFIGS])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
