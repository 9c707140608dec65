# An independent reference forward pass (plain PyTorch, no transformers) for Llama / Qwen2 / Qwen3 checkpoints,
# written from the Hugging Face modelling code's semantics. Usage: reference_forward.py MODEL_DIR IDS_JSON OUT_JSON
import json, math, struct, sys
import numpy as np
import torch

model_dir, ids_json, out_json = sys.argv[1:4]
cfg = json.load(open(f"{model_dir}/config.json"))

def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32", "the reference reads fp32 checkpoints"
        b, t = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[b:t], dtype=np.float32).copy()).reshape(e["shape"])
    return out

W = read_safetensors(f"{model_dir}/model.safetensors")
arch = cfg["architectures"][0]
H, L = cfg["hidden_size"], cfg["num_hidden_layers"]
nh, nkv = cfg["num_attention_heads"], cfg.get("num_key_value_heads", cfg["num_attention_heads"])
hd = cfg.get("head_dim") or H // nh
eps, theta = cfg.get("rms_norm_eps", 1e-6), cfg.get("rope_theta", 10000.0)
qk_norm = arch == "Qwen3ForCausalLM"

def rms(x, w):
    v = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(v + eps))

inv = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
rs = cfg.get("rope_scaling")
if rs and rs.get("rope_type", rs.get("type")) == "llama3":
    factor, lf, hf, old = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"], rs["original_max_position_embeddings"]
    low_w, high_w = old / lf, old / hf
    wl = 2 * math.pi / inv
    inv_l = torch.where(wl > low_w, inv / factor, inv)
    smooth = (old / wl - lf) / (hf - lf)
    smoothed = (1 - smooth) * inv_l / factor + smooth * inv_l
    medium = ~(wl < high_w) & ~(wl > low_w)
    inv = torch.where(medium, smoothed, inv_l)
inv = inv.float()

def rot(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], -1)

ids = torch.tensor(json.load(open(ids_json)))
b, s = ids.shape
pos = torch.arange(s).float()
freqs = pos[:, None] * inv[None, :]
emb = torch.cat([freqs, freqs], -1)
cos, sin = emb.cos(), emb.sin()
x = W["model.embed_tokens.weight"][ids]
causal = torch.full((s, s), float("-inf")).triu(1)
for i in range(L):
    p = f"model.layers.{i}."
    h = rms(x, W[p + "input_layernorm.weight"])
    def lin(name, t):
        y = t @ W[p + name + ".weight"].T
        return y + W[p + name + ".bias"] if p + name + ".bias" in W else y
    q = lin("self_attn.q_proj", h).view(b, s, nh, hd)
    k = lin("self_attn.k_proj", h).view(b, s, nkv, hd)
    v = lin("self_attn.v_proj", h).view(b, s, nkv, hd).transpose(1, 2)
    if qk_norm:
        q = rms(q, W[p + "self_attn.q_norm.weight"])
        k = rms(k, W[p + "self_attn.k_norm.weight"])
    q, k = q.transpose(1, 2), k.transpose(1, 2)
    q = q * cos + rot(q) * sin
    k = k * cos + rot(k) * sin
    k = k.repeat_interleave(nh // nkv, dim=1)
    v = v.repeat_interleave(nh // nkv, dim=1)
    att = (q @ k.transpose(-1, -2)) / math.sqrt(hd) + causal
    o = (att.softmax(-1) @ v).transpose(1, 2).reshape(b, s, nh * hd)
    x = x + lin("self_attn.o_proj", o)
    h = rms(x, W[p + "post_attention_layernorm.weight"])
    g = lin("mlp.gate_proj", h)
    x = x + lin("mlp.down_proj", torch.nn.functional.silu(g) * lin("mlp.up_proj", h))
x = rms(x, W["model.norm.weight"])
head = W["lm_head.weight"] if "lm_head.weight" in W else W["model.embed_tokens.weight"]
logits = x @ head.T
json.dump(logits.tolist(), open(out_json, "w"))
