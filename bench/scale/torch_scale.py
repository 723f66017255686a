"""PyTorch peer of the scale bench: the same Llama forward pass (CPU; bf16 weights cast to fp32;
Llama-3 RoPE scaling, grouped-query attention, tied or untied embeddings), logits at the last
position of one prompt, timed inside Python.

usage: /usr/bin/python3 bench/scale/torch_scale.py <checkpoint dir> <threads> <prompt.json> <runs> [<logits.f32> ...]

Before reading any weight it checks that the fp32 model fits in the memory available now, and if
not prints the reason instead of running. Prints one JSON line: the peer's configuration, seconds
per forward (median of the timed runs after one warm-up), its peak resident memory, and the largest
|logit difference| against each of our logits files given (raw little-endian fp32).
"""
import json
import math
import os
import resource
import struct
import sys
import time

import numpy as np
import torch


def mem_available():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def headers(folder):
    """{tensor name: (file, dtype, shape, absolute begin, absolute end)} over every shard."""
    index = os.path.join(folder, "model.safetensors.index.json")
    files = sorted(set(json.load(open(index))["weight_map"].values())) if os.path.exists(index) else ["model.safetensors"]
    out = {}
    for name in files:
        path = os.path.join(folder, name)
        with open(path, "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(n))
        for tensor, info in header.items():
            if tensor == "__metadata__":
                continue
            a, b = info["data_offsets"]
            out[tensor] = (path, info["dtype"], info["shape"], 8 + n + a, 8 + n + b)
    return out


def read_fp32(entry):
    path, dtype, shape, begin, end = entry
    with open(path, "rb") as f:
        f.seek(begin)
        raw = f.read(end - begin)
    if dtype == "BF16":
        bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        values = bits.view(np.float32)
    elif dtype == "F16":
        values = np.frombuffer(raw, dtype="<f2").astype(np.float32)
    elif dtype == "F32":
        values = np.frombuffer(raw, dtype="<f4").copy()
    else:
        raise SystemExit(f"unsupported dtype {dtype}")
    return torch.from_numpy(values.reshape(shape))


def inverse_frequencies(cfg, d):
    inv = 1.0 / (cfg.get("rope_theta", 10000.0) ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    s = cfg.get("rope_scaling")
    if s and (s.get("rope_type") or s.get("type")) == "llama3":
        # Long wavelengths are slowed down by `factor`, short ones kept, the band between blended.
        old = s["original_max_position_embeddings"]
        low_wavelen = old / s["low_freq_factor"]
        high_wavelen = old / s["high_freq_factor"]
        wavelen = 2 * math.pi / inv
        blend = (old / wavelen - s["low_freq_factor"]) / (s["high_freq_factor"] - s["low_freq_factor"])
        scaled = torch.where(wavelen > low_wavelen, inv / s["factor"], inv)
        middle = (wavelen <= low_wavelen) & (wavelen >= high_wavelen)
        inv = torch.where(middle, (1 - blend) * inv / s["factor"] + blend * inv, scaled)
    return inv.to(torch.float32)


def main():
    folder, threads, prompt_file, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    ours = sys.argv[5:]
    torch.set_num_threads(threads)
    cfg = json.load(open(os.path.join(folder, "config.json")))
    entries = headers(folder)
    params = sum(math.prod(e[2]) for e in entries.values())
    peer = {"torch": torch.__version__, "threads": torch.get_num_threads(), "device": "cpu", "weights": "bf16 cast to fp32", "params": params}
    need = params * 4
    avail = mem_available()
    if need + (1 << 30) > avail:
        peer["fits"] = False
        peer["reason"] = f"its fp32 weights need {need / 2**30:.1f} GiB and {avail / 2**30:.1f} GiB of memory are available"
        print(json.dumps(peer))
        return
    peer["fits"] = True

    H, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = cfg.get("head_dim") or H // nh
    eps = cfg["rms_norm_eps"]
    w = lambda name: read_fp32(entries[name])
    layers = []
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        layers.append({
            "ln1": w(p + "input_layernorm.weight"), "ln2": w(p + "post_attention_layernorm.weight"),
            "q": w(p + "self_attn.q_proj.weight"), "k": w(p + "self_attn.k_proj.weight"), "v": w(p + "self_attn.v_proj.weight"),
            "o": w(p + "self_attn.o_proj.weight"),
            "gate": w(p + "mlp.gate_proj.weight"), "up": w(p + "mlp.up_proj.weight"), "down": w(p + "mlp.down_proj.weight"),
        })
    emb = w("model.embed_tokens.weight")
    norm = w("model.norm.weight")
    head = w("lm_head.weight") if "lm_head.weight" in entries else emb
    inv = inverse_frequencies(cfg, d)
    F = torch.nn.functional

    def rms(x, g):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * g

    def rope(x, cos, sin):
        a, b = x[..., : d // 2], x[..., d // 2:]
        return torch.cat([a * cos - b * sin, b * cos + a * sin], dim=-1)

    def forward(ids):
        S = ids.shape[0]
        ang = torch.arange(S, dtype=torch.float32)[:, None] * inv[None, :]
        cos, sin = torch.cos(ang), torch.sin(ang)
        mask = torch.full((S, S), float("-inf")).triu(1)
        x = emb[ids]
        for ly in layers:
            h = rms(x, ly["ln1"])
            q = rope(F.linear(h, ly["q"]).view(S, nh, d).transpose(0, 1), cos, sin)
            k = rope(F.linear(h, ly["k"]).view(S, nkv, d).transpose(0, 1), cos, sin)
            v = F.linear(h, ly["v"]).view(S, nkv, d).transpose(0, 1)
            k = k.repeat_interleave(nh // nkv, dim=0)
            v = v.repeat_interleave(nh // nkv, dim=0)
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + mask, dim=-1) @ v
            x = x + F.linear(att.transpose(0, 1).reshape(S, nh * d), ly["o"])
            h = rms(x, ly["ln2"])
            x = x + F.linear(F.silu(F.linear(h, ly["gate"])) * F.linear(h, ly["up"]), ly["down"])
        return rms(x[-1], norm) @ head.T

    ids = torch.tensor(json.load(open(prompt_file)))
    times = []
    with torch.inference_mode():
        for i in range(runs + 1):
            t0 = time.perf_counter()
            logits = forward(ids)
            if i > 0:
                times.append(time.perf_counter() - t0)
    times.sort()
    peer["seconds_per_forward"] = times[len(times) // 2]
    peer["times"] = times
    peer["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    diffs = {}
    for f in ours:
        if os.path.exists(f):
            theirs = torch.from_numpy(np.fromfile(f, dtype="<f4"))
            diffs[os.path.basename(f)] = float((theirs - logits).abs().max())
    peer["max_abs_logit_diff"] = diffs
    print(json.dumps(peer))


if __name__ == "__main__":
    main()
