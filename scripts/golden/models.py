"""Golden values for the model graphs (test/golden/models).

Writes, for each supported architecture, a tiny seeded random checkpoint
(test/golden/models/fixtures/<arch>/{config.json, model.safetensors}) and expected.json holding
the logits of a few prompts at every position. The logits come from a plain PyTorch forward pass
written here from each architecture's published equations, in float64, reading the weights back
from the safetensors file; it shares no code with the TypeScript graph builder.

Run with /usr/bin/python3 (torch 1.13, numpy):  /usr/bin/python3 scripts/golden/models.py
"""
import json
import math
import os
import struct

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "golden", "models", "fixtures")
VOCAB = 96
PROMPTS = [
    [5, 17, 42, 8, 77, 3, 60],
    [11, 2, 90, 33],
    [7, 7, 19, 64, 28, 51, 4, 88, 36],
]

# ---------------------------------------------------------------- safetensors (spec: 8-byte LE
# header length, JSON header with dtype/shape/data_offsets, raw little-endian data)


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, arr in tensors.items():
        data = np.ascontiguousarray(arr, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        body = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        arr = np.frombuffer(body[a:b], dtype="<f4").reshape(info["shape"])
        out[name] = torch.tensor(arr.astype(np.float64))
    return out


# ---------------------------------------------------------------- checkpoints


def random_llama_family(cfg, rng, gemma=False, biases=False):
    H, I = cfg["hidden_size"], cfg["intermediate_size"]
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = cfg.get("head_dim", H // nh)
    mat = lambda r, c, s=0.2: rng.normal(0, s, (r, c))
    # Gemma stores norm scales as offsets from 1; others as the scale itself.
    norm = lambda: rng.normal(0, 0.2, (H,)) + (0.0 if gemma else 1.0)
    # A tied table doubles as the unembedding: a smaller scale keeps logits in a realistic range
    # (about ±10) instead of ±25 (Gemma's final soft-capping bounds its logits anyway).
    embed_std = 0.5 if cfg.get("tie_word_embeddings", False) and not gemma else 1.0
    t = {"model.embed_tokens.weight": rng.normal(0, embed_std, (VOCAB, H)), "model.norm.weight": norm()}
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        t[p + "input_layernorm.weight"] = norm()
        t[p + "post_attention_layernorm.weight"] = norm()
        if gemma:
            t[p + "pre_feedforward_layernorm.weight"] = norm()
            t[p + "post_feedforward_layernorm.weight"] = norm()
        t[p + "self_attn.q_proj.weight"] = mat(nh * d, H)
        t[p + "self_attn.k_proj.weight"] = mat(nkv * d, H)
        t[p + "self_attn.v_proj.weight"] = mat(nkv * d, H)
        t[p + "self_attn.o_proj.weight"] = mat(H, nh * d)
        if biases:
            t[p + "self_attn.q_proj.bias"] = rng.normal(0, 0.2, (nh * d,))
            t[p + "self_attn.k_proj.bias"] = rng.normal(0, 0.2, (nkv * d,))
            t[p + "self_attn.v_proj.bias"] = rng.normal(0, 0.2, (nkv * d,))
        t[p + "mlp.gate_proj.weight"] = mat(I, H)
        t[p + "mlp.up_proj.weight"] = mat(I, H)
        t[p + "mlp.down_proj.weight"] = mat(H, I)
    if not cfg.get("tie_word_embeddings", False):
        t["lm_head.weight"] = mat(VOCAB, H)
    return t


def random_gpt2(cfg, rng):
    H = cfg["n_embd"]
    I = 4 * H
    t = {
        "transformer.wte.weight": rng.normal(0, 0.5, (VOCAB, H)),
        "transformer.wpe.weight": rng.normal(0, 0.3, (cfg["n_positions"], H)),
        "transformer.ln_f.weight": 1 + rng.normal(0, 0.2, (H,)),
        "transformer.ln_f.bias": rng.normal(0, 0.2, (H,)),
    }
    for l in range(cfg["n_layer"]):
        p = f"transformer.h.{l}."
        for ln in ("ln_1", "ln_2"):
            t[p + ln + ".weight"] = 1 + rng.normal(0, 0.2, (H,))
            t[p + ln + ".bias"] = rng.normal(0, 0.2, (H,))
        # Conv1D weights are stored [in, out].
        t[p + "attn.c_attn.weight"] = rng.normal(0, 0.2, (H, 3 * H))
        t[p + "attn.c_attn.bias"] = rng.normal(0, 0.2, (3 * H,))
        t[p + "attn.c_proj.weight"] = rng.normal(0, 0.2, (H, H))
        t[p + "attn.c_proj.bias"] = rng.normal(0, 0.2, (H,))
        t[p + "mlp.c_fc.weight"] = rng.normal(0, 0.2, (H, I))
        t[p + "mlp.c_fc.bias"] = rng.normal(0, 0.2, (I,))
        t[p + "mlp.c_proj.weight"] = rng.normal(0, 0.2, (I, H))
        t[p + "mlp.c_proj.bias"] = rng.normal(0, 0.2, (H,))
    return t


CONFIGS = {
    "llama": {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": VOCAB,
        "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "max_position_embeddings": 512,
        "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                         "original_max_position_embeddings": 64},
        "tie_word_embeddings": False, "hidden_act": "silu",
    },
    "mistral": {
        "architectures": ["MistralForCausalLM"], "model_type": "mistral", "vocab_size": VOCAB,
        "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 1, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "max_position_embeddings": 512,
        "sliding_window": 4, "tie_word_embeddings": False, "hidden_act": "silu",
    },
    "qwen2": {
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": VOCAB,
        "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "max_position_embeddings": 512,
        "use_sliding_window": False, "tie_word_embeddings": True, "hidden_act": "silu",
    },
    "gemma2": {
        "architectures": ["Gemma2ForCausalLM"], "model_type": "gemma2", "vocab_size": VOCAB,
        "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 3, "num_attention_heads": 4,
        "num_key_value_heads": 2, "head_dim": 16, "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
        "max_position_embeddings": 512, "query_pre_attn_scalar": 24, "attn_logit_softcapping": 2.0,
        "final_logit_softcapping": 10.0, "sliding_window": 3, "hidden_activation": "gelu_pytorch_tanh",
        "tie_word_embeddings": True,
    },
    "gpt2": {
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": VOCAB, "n_embd": 32,
        "n_layer": 2, "n_head": 4, "n_positions": 32, "layer_norm_epsilon": 1e-5,
        "activation_function": "gelu_new", "bos_token_id": 1, "eos_token_id": 1,
    },
}

# ---------------------------------------------------------------- reference forward passes
# One prompt at a time (no padding): x is [S, H].


def rms_norm(x, w, eps, offset):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * (offset + w)


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def inv_frequencies(cfg, d):
    base = cfg["rope_theta"]
    inv = torch.tensor([base ** (-2 * i / d) for i in range(d // 2)], dtype=torch.float64)
    rs = cfg.get("rope_scaling")
    if not rs:
        return inv
    # Llama 3.1: wavelengths above original/low_freq_factor are divided by factor, those below
    # original/high_freq_factor kept, and the band in between interpolated linearly in 1/wavelength.
    orig, lo, hi, factor = rs["original_max_position_embeddings"], rs["low_freq_factor"], rs["high_freq_factor"], rs["factor"]
    out = []
    for f in inv.tolist():
        wl = 2 * math.pi / f
        if wl < orig / hi:
            out.append(f)
        elif wl > orig / lo:
            out.append(f / factor)
        else:
            s = (orig / wl - lo) / (hi - lo)
            out.append((1 - s) * f / factor + s * f)
    return torch.tensor(out, dtype=torch.float64)


def rotate(x, inv):
    # x [heads, S, d]; pairs (i, i + d/2) rotated by angle pos * inv[i].
    S, d = x.shape[1], x.shape[2]
    ang = torch.arange(S, dtype=torch.float64)[:, None] * inv[None, :]
    c, s = torch.cos(ang), torch.sin(ang)
    a, b = x[..., : d // 2], x[..., d // 2:]
    return torch.cat([a * c - b * s, b * c + a * s], dim=-1)


def attend(q, k, v, scale, window=None, cap=None):
    # q [nh, S, d], k/v [nkv, S, d]; query head h reads key/value head h // (nh / nkv).
    nh, S, _ = q.shape
    group = nh // k.shape[0]
    k = k.repeat_interleave(group, dim=0)
    v = v.repeat_interleave(group, dim=0)
    scores = q @ k.transpose(1, 2) * scale
    if cap is not None:
        scores = cap * torch.tanh(scores / cap)
    i = torch.arange(S)[:, None]
    j = torch.arange(S)[None, :]
    allowed = j <= i
    if window is not None:
        allowed = allowed & (i - j < window)
    scores = scores.masked_fill(~allowed, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def llama_family_forward(cfg, w, ids, arch):
    gemma = arch == "gemma2"
    H, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = cfg.get("head_dim", H // nh)
    eps = cfg["rms_norm_eps"]
    off = 1.0 if gemma else 0.0
    inv = inv_frequencies(cfg, d)
    S = len(ids)
    x = w["model.embed_tokens.weight"][ids]
    if gemma:
        x = x * math.sqrt(H)
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps, off)

        def proj(name, n):
            y = h @ w[p + f"self_attn.{name}.weight"].T
            if arch == "qwen2":
                y = y + w[p + f"self_attn.{name}.bias"]
            return y.reshape(S, n, d).transpose(0, 1)

        q, k, v = proj("q_proj", nh), proj("k_proj", nkv), proj("v_proj", nkv)
        q, k = rotate(q, inv), rotate(k, inv)
        if gemma:
            scale = cfg["query_pre_attn_scalar"] ** -0.5
            window = cfg["sliding_window"] if l % 2 == 0 else None
            cap = cfg["attn_logit_softcapping"]
        else:
            scale, window, cap = d ** -0.5, cfg.get("sliding_window"), None
        a = attend(q, k, v, scale, window, cap).transpose(0, 1).reshape(S, nh * d)
        a = a @ w[p + "self_attn.o_proj.weight"].T
        if gemma:
            a = rms_norm(a, w[p + "post_attention_layernorm.weight"], eps, off)
        x = x + a
        h = rms_norm(x, w[p + ("pre_feedforward_layernorm.weight" if gemma else "post_attention_layernorm.weight")], eps, off)
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        up = h @ w[p + "mlp.up_proj.weight"].T
        act = gelu_tanh(gate) if gemma else gate * torch.sigmoid(gate)
        m = (act * up) @ w[p + "mlp.down_proj.weight"].T
        if gemma:
            m = rms_norm(m, w[p + "post_feedforward_layernorm.weight"], eps, off)
        x = x + m
    x = rms_norm(x, w["model.norm.weight"], eps, off)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", gemma) else w["lm_head.weight"]
    logits = x @ head.T
    if gemma:
        cap = cfg["final_logit_softcapping"]
        logits = cap * torch.tanh(logits / cap)
    return logits


def gpt2_forward(cfg, w, ids):
    H, nh = cfg["n_embd"], cfg["n_head"]
    d = H // nh
    eps = cfg["layer_norm_epsilon"]
    S = len(ids)
    t = lambda n: w["transformer." + n]
    x = t("wte.weight")[ids] + t("wpe.weight")[torch.arange(S)]
    for l in range(cfg["n_layer"]):
        p = f"h.{l}."
        h = layer_norm(x, t(p + "ln_1.weight"), t(p + "ln_1.bias"), eps)
        qkv = h @ t(p + "attn.c_attn.weight") + t(p + "attn.c_attn.bias")
        q, k, v = (z.reshape(S, nh, d).transpose(0, 1) for z in qkv.split(H, dim=-1))
        a = attend(q, k, v, d ** -0.5).transpose(0, 1).reshape(S, H)
        x = x + a @ t(p + "attn.c_proj.weight") + t(p + "attn.c_proj.bias")
        h = layer_norm(x, t(p + "ln_2.weight"), t(p + "ln_2.bias"), eps)
        m = gelu_tanh(h @ t(p + "mlp.c_fc.weight") + t(p + "mlp.c_fc.bias"))
        x = x + m @ t(p + "mlp.c_proj.weight") + t(p + "mlp.c_proj.bias")
    x = layer_norm(x, t("ln_f.weight"), t("ln_f.bias"), eps)
    return x @ t("wte.weight").T


def main():
    for seed, (arch, cfg) in enumerate(CONFIGS.items()):
        folder = os.path.join(ROOT, arch)
        os.makedirs(folder, exist_ok=True)
        rng = np.random.RandomState(1000 + seed)
        if arch == "gpt2":
            tensors = random_gpt2(cfg, rng)
        else:
            tensors = random_llama_family(cfg, rng, gemma=arch == "gemma2", biases=arch == "qwen2")
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
            f.write("\n")
        write_safetensors(os.path.join(folder, "model.safetensors"), tensors)
        w = read_safetensors(os.path.join(folder, "model.safetensors"))
        logits = []
        for ids in PROMPTS:
            with torch.no_grad():
                out = gpt2_forward(cfg, w, ids) if arch == "gpt2" else llama_family_forward(cfg, w, ids, arch)
            logits.append([[round(v, 7) for v in row] for row in out.tolist()])
        expected = {
            "note": "float64 PyTorch reference from scripts/golden/models.py; logits [position][token] per prompt",
            "prompts": PROMPTS,
            "logits": logits,
        }
        with open(os.path.join(folder, "expected.json"), "w") as f:
            json.dump(expected, f, separators=(",", ":"))
            f.write("\n")
        size = sum(os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder))
        print(f"{arch}: {size} bytes, logit range {min(min(min(r) for r in p) for p in logits):.3f}..{max(max(max(r) for r in p) for p in logits):.3f}")


if __name__ == "__main__":
    main()
