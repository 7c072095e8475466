"""torch_bench.py - PyTorch's side of bench/bench_model.sh, config C1
(4 layers, width 256, 4 heads, MLP 1024, vocab 4096, learned positions, GELU),
the same model as tests/lm_torch.py and the same work as bench/tools/model_bench.c.

usage: /usr/bin/python3 bench/torch_bench.py train|gen THREADS
  train: batch 8 x 128, one step = zero_grad, forward, loss, backward,
         clip_grad_norm_(1.0), AdamW; 2 warm-up steps, then 6 timed
  gen:   batch 1, n_ctx 512, KV cache, a 16-token prompt then 256 greedy
         tokens timed, best of 3
Set OMP_WAIT_POLICY in the environment before starting (the caller does).
Prints one line: "train tok_s=..." or "gen tok_s=...".
"""
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import lm_torch  # noqa: E402


def c1(n_ctx):
    return dict(n_layer=4, n_head=4, d_model=256, d_mlp=1024, n_ctx=n_ctx, vocab_size=4096,
                pos="learned", act="gelu")


def train(steps=6, warm=2):
    cfg = c1(128)
    P = {k: v.requires_grad_(True) for k, v in lm_torch.init_params(cfg, 42).items()}
    decay = [v for v in P.values() if v.dim() == 2]
    nodecay = [v for v in P.values() if v.dim() != 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": nodecay, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.95), eps=1e-8)
    g = torch.Generator().manual_seed(7)
    data = torch.randint(0, 4096, (8 * 128 + 1,), generator=g)
    idx, tgt = data[:-1].view(8, 128), data[1:].view(8, 128)
    t0 = 0
    for s in range(warm + steps):
        if s == warm:
            t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        logits = lm_torch.forward(P, cfg, idx)
        loss = F.cross_entropy(logits.view(-1, 4096), tgt.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(P.values()), 1.0)
        opt.step()
    dt = time.perf_counter() - t0
    print(f"train tok_s={8 * 128 * steps / dt:.1f} ms_step={dt * 1e3 / steps:.2f} loss={loss.item():.4f}")


def gen(n_new=256):
    cfg = c1(512)
    P = lm_torch.init_params(cfg, 42)
    best = 1e30
    with torch.inference_mode():
        for _ in range(3):
            dec = lm_torch.KVDecoder(P, cfg)
            for i in range(16):
                logits = dec.next(i * 37 % 4096)
            t0 = time.perf_counter()
            for _ in range(n_new):
                logits = dec.next(int(torch.argmax(logits)))
            best = min(best, time.perf_counter() - t0)
    print(f"gen tok_s={n_new / best:.1f} ms_token={best * 1e3 / n_new:.3f}")


if __name__ == "__main__":
    mode, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    {"train": train, "gen": gen}[mode]()
