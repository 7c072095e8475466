"""encoder_torch_test.py - the encoder (the transformer with bidirectional
attention, model.h lm_model.bidirectional) against PyTorch on the same random
weights.

build/tools/torch_dump (tests/tools/torch_dump.c) run with ATTN=bidirectional
writes the weights, inputs, logits, loss, every gradient and 10 clipped AdamW
steps of the C core; tests/torch_ref_test.py's check rebuilds the model in
float64 (tests/lm_torch.py with cfg["bidirectional"] = True: the attention
mask is all ones, every query sees every key) and compares with the same
tolerances as the decoder's test:
  logits <= 1e-4, loss <= 1e-5, every gradient rel <= 1e-3, AdamW losses
  <= 1e-4.
The test can tell the two masks apart: on the same dump, PyTorch's causal
model must disagree with the C encoder's logits by far more than the
tolerance (otherwise an encoder that kept the causal mask would pass).
"""
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lm_torch  # noqa: E402
import torch_ref_test  # noqa: E402

#        name              L  H  C   M   n_ctx V   pos           act    B  T  mask
CONFIGS = [
    ("enc_learned_gelu_mask", 2, 4, 32, 64, 32, 61, "learned", "gelu", 2, 13, 1),
    ("enc_rotary_gelu", 2, 4, 32, 80, 24, 67, "rotary", "gelu", 3, 17, 0),
    ("enc_sinusoidal_relu_mask", 2, 2, 24, 48, 20, 50, "sinusoidal", "relu", 2, 20, 1),
]


def masks_differ(spec):
    """C's encoder logits against PyTorch's causal and bidirectional models."""
    name, L, H, C, M, n_ctx, V, pos, act, B, T, mask = spec
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "dump.bin")
        subprocess.run([torch_ref_test.TOOL, out, *map(str, (L, H, C, M, n_ctx, V, pos, act, B, T, mask, 1234)),
                        "bidirectional"], check=True)
        d = torch_ref_test.read_dump(out)
    cfg = dict(d["cfg"])
    P = lm_torch.unpack(cfg, d["params"].double())
    idx = d["tokens"].long().view(B, T)
    c_logits = d["logits"].double()
    with torch.no_grad():
        bi = lm_torch.forward(P, dict(cfg, bidirectional=True), idx)
        causal = lm_torch.forward(P, dict(cfg, bidirectional=False), idx)
    d_bi = (c_logits - bi).abs().max().item()
    d_causal = (c_logits - causal).abs().max().item()
    print(f"[{name}] C encoder vs torch bidirectional {d_bi:.3e}, vs torch causal {d_causal:.3e}")
    ok = d_bi <= 1e-4 and d_causal > 1e-2
    print(f"[{name}] {'ok' if ok else 'FAIL: the masks are not told apart'}")
    return ok


def main():
    if not os.path.exists(torch_ref_test.TOOL):
        print(f"missing {torch_ref_test.TOOL}: build it with make {torch_ref_test.BUILD}/tools/torch_dump")
        return 1
    torch.manual_seed(0)
    ok = all([torch_ref_test.check(c[0], c, attn="bidirectional") for c in CONFIGS])
    ok = masks_differ(CONFIGS[0]) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
