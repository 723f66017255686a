"""PyTorch peer of bench/forward.bench.ts: the same Llama-shaped forward pass (fp32, CPU, logits
at the last position) on the same weights, timed inside Python.

usage: /usr/bin/python3 bench/torch_forward.py <checkpoint dir> <threads> <prompts.json>
prompts.json holds a list of batches (lists of token-id lists). Once loaded, the script prints one
JSON line {"threads": n, "logits": [...]} (the first prompt's logits alone, for the caller to check
both sides agree); then, for each line "<i>" read from stdin, it runs batch i once and prints the
time in milliseconds, measured inside Python. The caller interleaves these calls with its own
runs so that machine noise hits both alike.
"""
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch


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
        out[name] = torch.from_numpy(np.frombuffer(body, dtype="<f4", count=(b - a) // 4, offset=a).reshape(info["shape"]).copy())
    return out


def main():
    folder, threads, prompts_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    torch.set_num_threads(threads)
    cfg = json.load(open(os.path.join(folder, "config.json")))
    w = read_safetensors(os.path.join(folder, "model.safetensors"))
    batches = json.load(open(prompts_file))
    H, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = H // nh
    eps = cfg["rms_norm_eps"]
    L = cfg["num_hidden_layers"]
    inv = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.float32) / d))
    layers = []
    for l in range(L):
        p = f"model.layers.{l}."
        layers.append({
            "ln1": w[p + "input_layernorm.weight"], "ln2": w[p + "post_attention_layernorm.weight"],
            "qkv": torch.cat([w[p + "self_attn.q_proj.weight"], w[p + "self_attn.k_proj.weight"], w[p + "self_attn.v_proj.weight"]]),
            "o": w[p + "self_attn.o_proj.weight"],
            "gu": torch.cat([w[p + "mlp.gate_proj.weight"], w[p + "mlp.up_proj.weight"]]),
            "down": w[p + "mlp.down_proj.weight"],
        })
    emb, norm, head = w["model.embed_tokens.weight"], w["model.norm.weight"], w["lm_head.weight"]

    def rms(x, g):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * g

    def rope(x, cos, sin):
        a, b = x[..., : d // 2], x[..., d // 2:]
        return torch.cat([a * cos - b * sin, b * cos + a * sin], dim=-1)

    def forward(ids):
        B, S = ids.shape
        ang = torch.arange(S, dtype=torch.float32)[:, None] * inv[None, :]
        cos, sin = torch.cos(ang), torch.sin(ang)
        mask = torch.full((S, S), float("-inf")).triu(1)
        x = emb[ids]
        for ly in layers:
            h = rms(x, ly["ln1"])
            q, k, v = torch.nn.functional.linear(h, ly["qkv"]).split([nh * d, nkv * d, nkv * d], dim=-1)
            q = rope(q.view(B, S, nh, d).transpose(1, 2), cos, sin)
            k = rope(k.view(B, S, nkv, d).transpose(1, 2), cos, sin)
            v = v.view(B, S, nkv, d).transpose(1, 2)
            if nkv != nh:
                k = k.repeat_interleave(nh // nkv, dim=1)
                v = v.repeat_interleave(nh // nkv, dim=1)
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + mask, dim=-1) @ v
            x = x + torch.nn.functional.linear(att.transpose(1, 2).reshape(B, S, nh * d), ly["o"])
            g, u = torch.nn.functional.linear(rms(x, ly["ln2"]), ly["gu"]).chunk(2, dim=-1)
            x = x + torch.nn.functional.linear(torch.nn.functional.silu(g) * u, ly["down"])
        return rms(x[:, -1], norm) @ head.T

    ids = [torch.tensor(prompts) for prompts in batches]
    with torch.inference_mode():
        first = forward(ids[0][:1]).flatten().tolist()
        print(json.dumps({"threads": torch.get_num_threads(), "logits": first}), flush=True)
        for line in sys.stdin:
            batch = ids[int(line)]
            t0 = time.perf_counter()
            forward(batch)
            print((time.perf_counter() - t0) * 1000, flush=True)


if __name__ == "__main__":
    main()
