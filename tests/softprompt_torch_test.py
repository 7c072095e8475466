"""softprompt_torch_test.py - prompt tuning's soft inputs in the C core
against PyTorch on the same weights.

For each configuration, build/tools/softprompt_dump (tests/tools/
softprompt_dump.c) writes a model's weights, P soft vectors, a batch of
tokens, targets and loss mask, and what the C core computes with the soft
vectors in place of the first P token embeddings. This script rebuilds the
model in PyTorch (tests/lm_torch.py, float64, the soft vectors passed to its
embed step, positions still added) and compares:
  the logits of every position (max abs diff <= 1e-4) and the masked loss
    (<= 1e-5; on the shipped model <= 1e-4);
  the gradient of the loss w.r.t. the soft vectors
    (max|c - ref| / max|ref| <= 1e-3), the thing prompt tuning trains;
  the gradient w.r.t. every weight (the same relative limit): the token
    embedding rows get nothing from the soft positions, wpe does;
  the KV-cache decoder over row 0 with the soft vectors in front (logits
    <= 1e-4), which is how `prompt-tune generate` and eval decode;
  and that the soft vectors matter: the logits differ from the plain
    forward of the same tokens by far more than the tolerance.
Configurations: random small models (learned, sinusoidal and rotary
positions) and, when they exist, the shipped models/base.llm with
models/softprompt.llm. On failure it names the check and exits non-zero.
"""
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lm_torch  # noqa: E402
import model_dump  # noqa: E402

ROOT = model_dump.ROOT
TOOL = os.path.join(ROOT, model_dump.BUILD, "tools", "softprompt_dump")
POS, ACT = model_dump.POS, model_dump.ACT

#          name          L  H  C   M    n_ctx V   pos           act    B  T   P
CONFIGS = [
    ("learned", 2, 4, 32, 64, 24, 61, "learned", "gelu", 3, 13, 4),
    ("sinusoidal", 2, 2, 24, 48, 20, 50, "sinusoidal", "relu", 2, 11, 3),
    ("rotary", 2, 4, 32, 80, 24, 67, "rotary", "gelu", 2, 9, 5),
    ("one_vector", 1, 2, 16, 32, 16, 40, "learned", "gelu", 2, 8, 1),
]
SHIPPED = ("models/base.llm", "models/softprompt.llm")


def read_dump(path):
    r = lm_torch.Reader(open(path, "rb").read())
    assert r.d[:4] == b"LMSP", "bad magic"
    r.o = 4
    (ver,) = r.take("i")
    assert ver == 1, f"dump version {ver}, expected 1 (rebuild {TOOL})"
    L, H, C, M, n_ctx, V, pos, act, B, T, P = r.take("11i")
    cfg = dict(n_layer=L, n_head=H, d_model=C, d_mlp=M, n_ctx=n_ctx, vocab_size=V, pos=POS[pos], act=ACT[act])
    (npar,) = r.take("Q")
    d = dict(cfg=cfg, B=B, T=T, P=P, params=r.floats(npar))
    d["soft"] = r.floats(P * C).view(P, C)
    d["tokens"] = r.ints(B * T).view(B, T)
    d["targets"] = r.ints(B * T).view(B, T)
    d["mask"] = r.floats(B * T).view(B, T)
    (d["loss"],) = r.take("f")
    d["logits"] = r.floats(B * T * V).view(B, T, V)
    d["soft_grad"] = r.floats(P * C).view(P, C)
    d["grads"] = r.floats(npar)
    d["kv"] = r.floats(T * V).view(T, V)
    assert r.o == len(r.d), "trailing bytes in dump"
    return d


def rel(a, b):
    return (a - b).abs().max().item() / max(b.abs().max().item(), 1e-30)


def compare(name, d, loss_limit):
    cfg = d["cfg"]
    ck = model_dump.Checks(name)
    Q = lm_torch.unpack(cfg, d["params"], grad=True)
    soft = d["soft"].clone().requires_grad_(True)
    logits = lm_torch.forward(Q, cfg, d["tokens"], soft=soft)
    loss = lm_torch.masked_loss(logits, d["targets"], d["mask"])
    loss.backward()
    with torch.no_grad():
        plain = lm_torch.forward(Q, cfg, d["tokens"])
    ck.add("logits vs reference", (d["logits"] - logits.detach()).abs().max().item(), 1e-4)
    ck.add("loss vs reference", abs(d["loss"] - loss.item()), loss_limit)
    ck.add("d loss / d soft vectors (relative)", rel(d["soft_grad"], soft.grad), 1e-3)
    g = torch.cat([Q[n].grad.reshape(-1) for n in lm_torch.param_shapes(cfg)])
    ck.add("d loss / d weights (relative)", rel(d["grads"], g), 1e-3)
    ck.add("KV decoder with the soft vectors vs reference", (d["kv"] - logits[0].detach()).abs().max().item(), 1e-4)
    ck.add("the soft vectors change the logits (must exceed 1e-2)", -(plain - logits.detach()).abs().max().item(), -1e-2)
    return ck


def run(args):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "dump.bin")
        subprocess.run([TOOL, path, *map(str, args)], check=True)
        return read_dump(path)


def main():
    if not os.path.exists(TOOL):
        print(f"missing {TOOL}: build it with make {model_dump.BUILD}/tools/softprompt_dump")
        return 1
    groups = []
    for name, *spec in CONFIGS:
        groups.append(compare(name, run([*spec, 4321]), 1e-5))
    model, soft = (os.path.join(ROOT, p) for p in SHIPPED)
    if os.path.exists(model) and os.path.exists(soft):
        groups.append(compare("shipped", run(["--files", model, soft, 2, 24, 99]), 1e-4))
    else:
        print(f"[shipped] skipped: {SHIPPED[1]} not there")
    return model_dump.report(groups)


if __name__ == "__main__":
    sys.exit(main())
