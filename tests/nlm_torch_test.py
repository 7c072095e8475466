"""nlm_torch_test.py - the feed-forward LM (Bengio), the Elman RNN and the
GRU of the C core against PyTorch on the same random weights and tokens.

For each configuration, build/tools/nlm_dump (tests/tools/nlm_dump.c) writes
the weights, a batch, the logits, loss and every gradient the C core
computed, the per-step gradient norms |dL/dh_t| of a text (RNNs), and the
losses of 5 clipped AdamW steps. This script rebuilds each model from
PyTorch's own modules (nn.Embedding, nn.Linear, nn.RNN(nonlinearity='tanh'),
nn.GRU, F.cross_entropy, torch.optim.AdamW), written from the contracts in
src/core/models/fflm/fflm.h and src/core/models/rnn/rnn.h, in float64, and
compares:
  logits max abs diff <= 1e-5, loss <= 1e-6,
  every gradient: max|c - ref| / max(max|ref|, 1e-12) <= 1e-5,
  |dL/dh_t| per step: relative to each step's own value <= 1e-4 (the
    Elman's shrink by orders of magnitude; each must be right, not just the
    largest), computed in PyTorch by unrolling nn.RNNCell / nn.GRUCell
    (with the same weights) and retain_grad on every h_t,
  5 AdamW steps (clip 1, warmup then cosine): losses <= 1e-5, pre-clip
    norms rel 1e-5, the weights after them max abs diff <= 1e-5.
(fp32 against float64: the differences seen are about 1e-7.)
"""
import math
import os
import subprocess
import sys
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lm_torch  # noqa: E402
from model_dump import Checks, report  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("TEST_BUILD", "build")
TOOL = os.path.join(ROOT, BUILD, "tools", "nlm_dump")

#  name, tool arguments (after OUT)
CONFIGS = [
    ("fflm", ["fflm", "53", "3", "6", "10", "0", "3", "9", "11"]),
    ("fflm_direct", ["fflm", "41", "4", "5", "7", "1", "2", "13", "12"]),
    ("fflm_context1", ["fflm", "37", "1", "8", "6", "0", "4", "5", "13"]),
    ("elman", ["rnn", "47", "6", "9", "elman", "3", "12", "21"]),
    ("gru", ["rnn", "43", "5", "8", "gru", "2", "14", "22"]),
    ("gru_long", ["rnn", "31", "4", "6", "gru", "1", "40", "23"]),
    ("elman_long", ["rnn", "29", "4", "6", "elman", "1", "40", "24"]),
]


def read_dump(path):
    r = lm_torch.Reader(open(path, "rb").read())
    assert r.d[:4] == b"LMNL", "bad magic"
    r.o = 4
    (ver,) = r.take("i")
    assert ver == 1, f"dump version {ver}, expected 1 (rebuild {TOOL})"
    kind = r.d[r.o:r.o + 16].split(b"\0")[0].decode()
    r.o += 16
    (n_cfg,) = r.take("i")
    cfg = r.take(f"{n_cfg}i")
    B, T, n_steps = r.take("3i")
    lr, b1, b2, eps, wd, clip, min_lr = r.take("7f")
    warmup, total = r.take("2i")
    (nr,) = r.take("i")
    ranges = []
    for _ in range(nr):
        name = r.d[r.o:r.o + 32].split(b"\0")[0].decode()
        r.o += 32
        off, numel = r.take("2Q")
        (decay,) = r.take("i")
        ranges.append((name, off, numel, decay))
    (n,) = r.take("Q")
    d = dict(kind=kind, cfg=cfg, B=B, T=T, n_steps=n_steps, lr=lr, betas=(b1, b2), eps=eps, wd=wd, clip=clip,
             min_lr=min_lr, warmup=warmup, total=total, ranges=ranges, n=n)
    d["params"] = r.floats(n)
    d["tokens"], d["targets"] = r.ints(B * T).view(B, T), r.ints(B * T).view(B, T)
    V = cfg[0]
    d["logits"] = r.floats(B * T * V).view(B, T, V)
    (d["loss"],) = r.take("f")
    d["grads"] = r.floats(n)
    (n_text,) = r.take("i")
    d["text"] = r.ints(n_text) if n_text else None
    d["norms"] = r.floats(n_text - 1) if n_text else None
    d["step_loss"], d["step_norm"] = r.floats(n_steps), r.floats(n_steps)
    d["params_after"] = r.floats(n)
    assert r.o == len(r.d), "trailing bytes in the dump"
    return d


def named(d, flat):
    """the flat buffer as {range name: 1-D tensor}"""
    return {name: flat[off:off + numel] for name, off, numel, _ in d["ranges"]}


class FFLM(nn.Module):
    """Bengio et al. 2003 from fflm.h: one embedding table for every slot of
    the window of n previous tokens (zero vectors before a row's start),
    concatenated oldest first, tanh hidden layer, softmax output (+ D e)."""

    def __init__(self, V, n, E, H, direct):
        super().__init__()
        self.n, self.E = n, E
        self.emb = nn.Embedding(V, E)
        self.hidden = nn.Linear(n * E, H)
        self.out = nn.Linear(H, V)
        self.direct = nn.Linear(n * E, V, bias=False) if direct else None

    def load(self, P, cfg):
        V, n, E, H, _ = cfg
        with torch.no_grad():
            self.emb.weight.copy_(P["emb.E"].view(V, E))
            self.hidden.weight.copy_(P["hidden.W"].view(H, n * E))
            self.hidden.bias.copy_(P["hidden.b"])
            self.out.weight.copy_(P["out.U"].view(V, H))
            self.out.bias.copy_(P["out.b"])
            if self.direct is not None:
                self.direct.weight.copy_(P["direct.D"].view(V, n * E))

    def grads(self):
        g = {"emb.E": self.emb.weight.grad, "hidden.W": self.hidden.weight.grad, "hidden.b": self.hidden.bias.grad,
             "out.U": self.out.weight.grad, "out.b": self.out.bias.grad}
        if self.direct is not None:
            g["direct.D"] = self.direct.weight.grad
        return g

    def forward(self, tokens):
        B, T = tokens.shape
        # pad the rows on the left with n-1 zero vectors, then slide a window
        e = self.emb(tokens)                                              # [B, T, E]
        e = torch.cat([torch.zeros(B, self.n - 1, self.E, dtype=e.dtype), e], dim=1)
        win = torch.stack([e[:, j:j + T] for j in range(self.n)], dim=2)  # [B, T, n, E], oldest first
        x = win.reshape(B, T, self.n * self.E)
        y = self.out(torch.tanh(self.hidden(x)))
        if self.direct is not None:
            y = y + self.direct(x)
        return y


class RNNLM(nn.Module):
    """rnn.h: embedding, nn.RNN(tanh) or nn.GRU (batch first, h_0 = 0), linear out."""

    def __init__(self, V, E, H, cell):
        super().__init__()
        self.cell = cell
        self.emb = nn.Embedding(V, E)
        self.rnn = nn.GRU(E, H, batch_first=True) if cell == 1 else nn.RNN(E, H, nonlinearity="tanh",
                                                                           batch_first=True)
        self.out = nn.Linear(H, V)

    def load(self, P, cfg):
        V, E, H, cell = cfg
        G = 3 if cell == 1 else 1
        with torch.no_grad():
            self.emb.weight.copy_(P["emb.E"].view(V, E))
            self.rnn.weight_ih_l0.copy_(P["rnn.W"].view(G * H, E))
            self.rnn.weight_hh_l0.copy_(P["rnn.U"].view(G * H, H))
            self.rnn.bias_ih_l0.copy_(P["rnn.b_W"])
            self.rnn.bias_hh_l0.copy_(P["rnn.b_U"])
            self.out.weight.copy_(P["out.V"].view(V, H))
            self.out.bias.copy_(P["out.b"])

    def grads(self):
        return {"emb.E": self.emb.weight.grad, "rnn.W": self.rnn.weight_ih_l0.grad, "rnn.U": self.rnn.weight_hh_l0.grad,
                "rnn.b_W": self.rnn.bias_ih_l0.grad, "rnn.b_U": self.rnn.bias_hh_l0.grad,
                "out.V": self.out.weight.grad, "out.b": self.out.bias.grad}

    def forward(self, tokens):
        h, _ = self.rnn(self.emb(tokens))
        return self.out(h)

    def state_norms(self, text):
        """|dL/dh_t| for L = the loss at the last position of text, by
        unrolling the cell (nn.RNNCell / nn.GRUCell with the same weights)"""
        E, H = self.rnn.input_size, self.rnn.hidden_size
        cell = nn.GRUCell(E, H) if self.cell == 1 else nn.RNNCell(E, H, nonlinearity="tanh")
        cell = cell.double()
        with torch.no_grad():
            for a in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(cell, a).copy_(getattr(self.rnn, a + "_l0"))
        x = self.emb(text[None, :-1])[0]
        h = torch.zeros(1, H, dtype=torch.float64)
        hs = []
        for t in range(x.shape[0]):
            h = cell(x[t:t + 1], h)
            h.retain_grad()
            hs.append(h)
        loss = F.cross_entropy(self.out(hs[-1]), text[-1:])
        loss.backward()
        return torch.tensor([float(h.grad.norm()) for h in hs], dtype=torch.float64)


def schedule_lr(max_lr, min_lr, warmup, total, step):
    if step < warmup:
        return max_lr * (step + 1) / warmup
    if step >= total:
        return min_lr
    frac = (step - warmup) / (total - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * frac)) * (max_lr - min_lr)


def rel(a, b):
    return float((a - b).abs().max() / max(float(b.abs().max()), 1e-12))


def check(name, args, tmp):
    out = os.path.join(tmp, name + ".bin")
    subprocess.run([TOOL, out] + args, check=True)
    d = read_dump(out)
    cfg = d["cfg"]
    model = (FFLM(*cfg) if d["kind"] == "fflm" else RNNLM(*cfg)).double()
    model.load(named(d, d["params"]), cfg)
    tokens, targets = d["tokens"], d["targets"]
    V = cfg[0]
    ck = Checks(name)
    logits = model(tokens)
    loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-1)
    loss.backward()
    ck.add("logits max abs diff", float((logits.detach() - d["logits"]).abs().max()), 1e-5)
    ck.add("loss abs diff", abs(float(loss) - d["loss"]), 1e-6)
    cg = named(d, d["grads"])
    for pname, g in model.grads().items():
        ck.add(f"grad {pname} rel", rel(cg[pname], g.reshape(-1)), 1e-5)
    assert set(cg) == set(model.grads()), f"parameter tables differ: {sorted(cg)} vs {sorted(model.grads())}"
    if d["norms"] is not None:
        model.zero_grad()
        ref = model.state_norms(d["text"])
        got = d["norms"]
        ck.add("|dL/dh_t| per step rel", float(((got - ref).abs() / ref.clamp_min(1e-30)).max()), 1e-4)
        ck.add("|dL/dh_t| at the last step is not 0 (a real check)", 0.0 if float(ref[-1]) > 1e-3 else 1.0, 0.5)
    # 5 AdamW steps on the same batch, decay on the ranges that say so
    model.load(named(d, d["params"]), cfg)
    decay_names = {n for n, _, _, dec in d["ranges"] if dec}
    by_name = {"emb.E": model.emb.weight}
    if d["kind"] == "fflm":
        by_name.update({"hidden.W": model.hidden.weight, "hidden.b": model.hidden.bias, "out.U": model.out.weight,
                        "out.b": model.out.bias})
        if model.direct is not None:
            by_name["direct.D"] = model.direct.weight
    else:
        by_name.update({"rnn.W": model.rnn.weight_ih_l0, "rnn.U": model.rnn.weight_hh_l0,
                        "rnn.b_W": model.rnn.bias_ih_l0, "rnn.b_U": model.rnn.bias_hh_l0,
                        "out.V": model.out.weight, "out.b": model.out.bias})
    groups = [{"params": [p for n, p in by_name.items() if n in decay_names], "weight_decay": d["wd"]},
              {"params": [p for n, p in by_name.items() if n not in decay_names], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=d["lr"], betas=d["betas"], eps=d["eps"])
    losses, norms = [], []
    for s in range(d["n_steps"]):
        lr = schedule_lr(d["lr"], d["min_lr"], d["warmup"], d["total"], s)
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad()
        l = F.cross_entropy(model(tokens).reshape(-1, V), targets.reshape(-1), ignore_index=-1)
        l.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(list(by_name.values()), d["clip"])))
        losses.append(float(l))
        opt.step()
    ck.add("AdamW step losses max abs diff", float((torch.tensor(losses) - d["step_loss"]).abs().max()), 1e-5)
    ck.add("AdamW pre-clip norms rel", float(((torch.tensor(norms) - d["step_norm"]).abs() / torch.tensor(norms)).max()),
           1e-5)
    after = named(d, d["params_after"])
    worst = max(float((after[n] - p.detach().reshape(-1)).abs().max()) for n, p in by_name.items())
    ck.add("weights after 5 steps max abs diff", worst, 1e-5)
    return ck


def main():
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        groups = [check(name, args, tmp) for name, args in CONFIGS]
    return report(groups)


if __name__ == "__main__":
    sys.exit(main())
