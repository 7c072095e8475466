"""lm_torch.py - llmlab's decoder written independently in PyTorch, from the
contract in src/core/models/gpt/model.h (not from the C code). Used by
tests/torch_ref_test.py (float64 reference) and bench/torch_bench.py.

params: dict name -> tensor, names and shapes as in model.h
cfg: dict with n_layer n_head d_model d_mlp n_ctx vocab_size pos act
     (pos in {"learned","sinusoidal","rotary"}, act in {"gelu","relu"}) and
     optionally bidirectional (True: an encoder, attention without the causal
     mask; model.h lm_model.bidirectional)
"""
import math
import struct

import torch
import torch.nn.functional as F


def sinusoid_table(n, C, dtype):
    pos = torch.arange(n, dtype=torch.float64)[:, None]
    i2 = torch.arange(0, C, 2, dtype=torch.float64)[None, :]
    ang = pos / torch.pow(10000.0, i2 / C)
    pe = torch.zeros(n, C, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(ang)
    pe[:, 1::2] = torch.cos(ang)[:, : C // 2]
    return pe.to(dtype)


def rotary_tables(n, hd, dtype):
    inv = torch.pow(10000.0, -torch.arange(0, hd // 2, dtype=torch.float64) * 2.0 / hd)
    ang = torch.arange(n, dtype=torch.float64)[:, None] * inv[None, :]
    return torch.cos(ang).to(dtype), torch.sin(ang).to(dtype)


def rotate(x, cos, sin):
    """x [..., T, hd], cos/sin [T, hd/2]; rotate-half pairing (i, i + hd/2)."""
    h = x.shape[-1] // 2
    x1, x2 = x[..., :h], x[..., h:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


def block_pre(P, cfg, l, x):
    C = cfg["d_model"]
    return F.layer_norm(x, (C,), P[f"h.{l}.ln1.w"], P[f"h.{l}.ln1.b"], 1e-5)


def mlp(P, cfg, l, x):
    C = cfg["d_model"]
    h = F.layer_norm(x, (C,), P[f"h.{l}.ln2.w"], P[f"h.{l}.ln2.b"], 1e-5)
    h = F.linear(h, P[f"h.{l}.mlp.w_fc"], P[f"h.{l}.mlp.b_fc"])
    h = F.gelu(h, approximate="tanh") if cfg["act"] == "gelu" else F.relu(h)
    return F.linear(h, P[f"h.{l}.mlp.w_proj"], P[f"h.{l}.mlp.b_proj"])


def embed(P, cfg, idx, start=0, soft=None):
    """soft [S, C]: prompt tuning's soft vectors, which replace the token
    embeddings of positions 0..S-1 (positions are still added)"""
    T = idx.shape[1]
    x = P["wte"][idx]
    if soft is not None:
        S = soft.shape[0]
        x = torch.cat([soft.unsqueeze(0).expand(idx.shape[0], S, -1), x[:, S:]], dim=1)
    if cfg["pos"] == "learned":
        x = x + P["wpe"][start:start + T]
    elif cfg["pos"] == "sinusoidal":
        x = x + sinusoid_table(start + T, cfg["d_model"], x.dtype)[start:]
    return x


def keep_heads(cfg, ablate, dtype):
    """ablate: iterable of (layer, head) knocked out -> keep [L, H], 0 where
    a head's attention output is zeroed before w_o (model.h, head ablation)"""
    keep = torch.ones(cfg["n_layer"], cfg["n_head"], dtype=dtype)
    for l, h in ablate:
        keep[l, h] = 0
    return keep


def final_head(P, cfg, x):
    """the final LayerNorm and the tied head: x [..., C] -> logits [..., V];
    applied to any layer's residual stream it is the logit lens"""
    x = F.layer_norm(x, (cfg["d_model"],), P["ln_f.w"], P["ln_f.b"], 1e-5)
    return x @ P["wte"].t()


def forward(P, cfg, idx, ablate=(), resid=None, soft=None):
    """idx [B, T] long -> logits [B, T, V]. ablate: (layer, head) pairs whose
    attention output is zeroed; resid: a list that receives the residual
    stream [B, T, C] before block 0 (the embeddings) and after every block;
    soft: vectors replacing the first positions' token embeddings (embed)."""
    B, T = idx.shape
    C, H = cfg["d_model"], cfg["n_head"]
    hd = C // H
    x = embed(P, cfg, idx, soft=soft)
    if cfg["pos"] == "rotary":
        cos, sin = rotary_tables(T, hd, x.dtype)
    causal = torch.ones(T, T, dtype=torch.bool)
    if not cfg.get("bidirectional", False):
        causal = causal.tril()   # the decoder's mask: query t sees keys 0..t
    keep = keep_heads(cfg, ablate, x.dtype)
    if resid is not None:
        resid.append(x)
    for l in range(cfg["n_layer"]):
        h = block_pre(P, cfg, l, x)
        qkv = F.linear(h, P[f"h.{l}.attn.w_qkv"], P[f"h.{l}.attn.b_qkv"])
        q, k, v = (t.view(B, T, H, hd).transpose(1, 2) for t in qkv.split(C, dim=-1))
        if cfg["pos"] == "rotary":
            q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        s = s.masked_fill(~causal, float("-inf"))
        y = torch.softmax(s, dim=-1) @ v                      # [B, H, T, hd]
        y = y * keep[l].view(1, H, 1, 1)
        y = y.transpose(1, 2).reshape(B, T, C)
        x = x + F.linear(y, P[f"h.{l}.attn.w_o"], P[f"h.{l}.attn.b_o"])
        x = x + mlp(P, cfg, l, x)
        if resid is not None:
            resid.append(x)
    return final_head(P, cfg, x)


def masked_loss(logits, targets, mask):
    """mean over sum(mask * ce) / sum(mask); targets < 0 are ignored."""
    V = logits.shape[-1]
    m = mask.to(logits.dtype) * (targets >= 0).to(logits.dtype)
    ce = F.cross_entropy(logits.reshape(-1, V), targets.clamp(min=0).reshape(-1), reduction="none")
    s = m.sum()
    return (ce * m.reshape(-1)).sum() / s if s > 0 else ce.sum() * 0


class KVDecoder:
    """Incremental decoding with a key/value cache, batch 1."""

    def __init__(self, P, cfg, ablate=()):
        self.P, self.cfg = P, cfg
        self.keep = keep_heads(cfg, ablate, P["wte"].dtype)
        L, C, n = cfg["n_layer"], cfg["d_model"], cfg["n_ctx"]
        dt = P["wte"].dtype
        self.k = torch.zeros(L, n, C, dtype=dt)
        self.v = torch.zeros(L, n, C, dtype=dt)
        self.len = 0
        hd = C // cfg["n_head"]
        if cfg["pos"] == "rotary":
            self.cos, self.sin = rotary_tables(n, hd, dt)
        if cfg["pos"] == "sinusoidal":
            self.pe = sinusoid_table(n, C, dt)

    def next(self, token):
        P, cfg = self.P, self.cfg
        C, H = cfg["d_model"], cfg["n_head"]
        hd = C // H
        t = self.len
        x = P["wte"][token]
        if cfg["pos"] == "learned":
            x = x + P["wpe"][t]
        elif cfg["pos"] == "sinusoidal":
            x = x + self.pe[t]
        for l in range(cfg["n_layer"]):
            h = block_pre(P, cfg, l, x)
            qkv = F.linear(h, P[f"h.{l}.attn.w_qkv"], P[f"h.{l}.attn.b_qkv"])
            q, k, v = qkv.split(C)
            if cfg["pos"] == "rotary":
                q = rotate(q.view(H, hd), self.cos[t], self.sin[t]).reshape(C)
                k = rotate(k.view(H, hd), self.cos[t], self.sin[t]).reshape(C)
            self.k[l, t] = k
            self.v[l, t] = v
            K = self.k[l, : t + 1].view(t + 1, H, hd).transpose(0, 1)   # [H, t+1, hd]
            Vv = self.v[l, : t + 1].view(t + 1, H, hd).transpose(0, 1)
            a = torch.softmax((K @ q.view(H, hd, 1)).squeeze(-1) / math.sqrt(hd), dim=-1)
            y = ((a.unsqueeze(1) @ Vv).squeeze(1) * self.keep[l].view(H, 1)).reshape(C)
            x = x + F.linear(y, P[f"h.{l}.attn.w_o"], P[f"h.{l}.attn.b_o"])
            x = x + mlp(P, cfg, l, x)
        self.len += 1
        x = F.layer_norm(x, (C,), P["ln_f.w"], P["ln_f.b"], 1e-5)
        return P["wte"] @ x


def param_names(cfg):
    names = ["wte"] + (["wpe"] if cfg["pos"] == "learned" else [])
    for l in range(cfg["n_layer"]):
        for s in ("ln1.w", "ln1.b", "attn.w_qkv", "attn.b_qkv", "attn.w_o", "attn.b_o",
                  "ln2.w", "ln2.b", "mlp.w_fc", "mlp.b_fc", "mlp.w_proj", "mlp.b_proj"):
            names.append(f"h.{l}.{s}")
    return names + ["ln_f.w", "ln_f.b"]


def param_shapes(cfg):
    C, M, V, n = cfg["d_model"], cfg["d_mlp"], cfg["vocab_size"], cfg["n_ctx"]
    sh = {"wte": (V, C), "wpe": (n, C), "ln_f.w": (C,), "ln_f.b": (C,)}
    for l in range(cfg["n_layer"]):
        p = f"h.{l}."
        sh.update({p + "ln1.w": (C,), p + "ln1.b": (C,), p + "attn.w_qkv": (3 * C, C),
                   p + "attn.b_qkv": (3 * C,), p + "attn.w_o": (C, C), p + "attn.b_o": (C,),
                   p + "ln2.w": (C,), p + "ln2.b": (C,), p + "mlp.w_fc": (M, C),
                   p + "mlp.b_fc": (M,), p + "mlp.w_proj": (C, M), p + "mlp.b_proj": (C,)})
    return {k: sh[k] for k in param_names(cfg)}


def init_params(cfg, seed, dtype=torch.float32):
    """GPT-2 initialisation (torch's own RNG; for benchmarks)."""
    g = torch.Generator().manual_seed(seed)
    L = cfg["n_layer"]
    P = {}
    for name, shape in param_shapes(cfg).items():
        if len(shape) == 2:
            std = 0.02 / math.sqrt(2 * L) if name.endswith(("attn.w_o", "mlp.w_proj")) else 0.02
            P[name] = torch.randn(shape, generator=g, dtype=dtype) * std
        elif name.endswith(".w"):
            P[name] = torch.ones(shape, dtype=dtype)
        else:
            P[name] = torch.zeros(shape, dtype=dtype)
    return P


# ---- reading what the C dump tools (tests/tools/*_dump.c) write ----

class Reader:
    """Little-endian values from a dump, in order. floats/ints widen to
    float64/int64 unless the reader was made with wide=False."""

    def __init__(self, data, wide=True):
        self.d, self.o, self.wide = data, 0, wide

    def take(self, fmt):
        v = struct.unpack_from("<" + fmt, self.d, self.o)
        self.o += struct.calcsize("<" + fmt)
        return v

    def arr(self, n, dtype, size):
        t = torch.frombuffer(bytearray(self.d[self.o:self.o + size * n]), dtype=dtype)
        self.o += size * n
        return t.clone()

    def floats(self, n):
        t = self.arr(n, torch.float32, 4)
        return t.double() if self.wide else t

    def ints(self, n):
        t = self.arr(n, torch.int32, 4)
        return t.long() if self.wide else t


def unpack(cfg, flat, grad=False):
    """The flat parameter buffer as named tensors, in the order of the
    parameter table (param_shapes)."""
    P, off = {}, 0
    for name, shape in param_shapes(cfg).items():
        n = math.prod(shape)
        P[name] = flat[off:off + n].view(*shape).clone().requires_grad_(grad)
        off += n
    assert off == flat.numel(), f"{flat.numel()} floats, the parameter table wants {off}"
    return P
