# PyTorch-eager peer for `pgx bench train`: the same Qwen3-shaped model trained the same way (random tokens,
# AdamW, LoRA on every projection or full fine-tuning; bf16 as PEFT and autocast do it: a bf16 base with fp32 LoRA
# matrices, or fp32 master weights under autocast for full fine-tuning; torch.utils.checkpoint per layer when
# checkpointing), timed the same way. Its loss takes the whole logits, as transformers does. Reports its peak RSS. Optional: the benchmark runs it when
# /usr/bin/python3 has torch (Debian's python3-torch; install libopenblas0-pthread or its matmuls run ~30x slower).
# Usage: pytorch_train_peer.py '{"hidden":..,"layers":..,"heads":..,"kv_heads":..,"head_dim":..,"intermediate":..,
#        "vocab":..,"seq":..,"batch":..,"steps":..,"method":"lora"|"full","rank":..,"dtype":"float32"|"bfloat16",
#        "checkpointing":true|false}'
import contextlib, json, math, os, resource, sys, time
import torch
import torch.utils.checkpoint
import torch.nn as nn
import torch.nn.functional as F

c = json.loads(sys.argv[1])
torch.manual_seed(0)
torch.set_num_threads(os.cpu_count() or 1)  # the same threads the studio uses
dtype = torch.bfloat16 if c["dtype"] == "bfloat16" else torch.float32

class RMS(nn.Module):
    def __init__(s, n): super().__init__(); s.weight = nn.Parameter(torch.ones(n))
    def forward(s, x):
        x32 = x.float(); return s.weight * (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + 1e-6)).to(x.dtype)

class Proj(nn.Module):
    def __init__(s, i, o, r):
        super().__init__(); s.base = nn.Linear(i, o, bias=False); s.r = r
        if r: s.a = nn.Parameter(torch.randn(r, i) / math.sqrt(i)); s.b = nn.Parameter(torch.zeros(o, r))
    def forward(s, x):
        y = s.base(x)
        return y + (F.linear(F.linear(x.to(s.a.dtype), s.a), s.b) * 2.0).to(y.dtype) if s.r else y

def rot(x):
    h = x.shape[-1] // 2; return torch.cat([-x[..., h:], x[..., :h]], -1)

class Layer(nn.Module):
    def __init__(s, r):
        super().__init__(); H, d, nh, kv, I = c["hidden"], c["head_dim"], c["heads"], c["kv_heads"], c["intermediate"]
        s.q, s.k, s.v, s.o = Proj(H, nh*d, r), Proj(H, kv*d, r), Proj(H, kv*d, r), Proj(nh*d, H, r)
        s.g, s.u, s.dn = Proj(H, I, r), Proj(H, I, r), Proj(I, H, r)
        s.n1, s.n2, s.qn, s.kn = RMS(H), RMS(H), RMS(d), RMS(d)
    def forward(s, x, cos, sin):
        b, t, _ = x.shape; nh, kv, d = c["heads"], c["kv_heads"], c["head_dim"]
        h = s.n1(x)
        q = s.qn(s.q(h).view(b, t, nh, d)).transpose(1, 2); k = s.kn(s.k(h).view(b, t, kv, d)).transpose(1, 2)
        v = s.v(h).view(b, t, kv, d).transpose(1, 2)
        q, k = q*cos + rot(q)*sin, k*cos + rot(k)*sin
        k, v = k.repeat_interleave(nh//kv, 1), v.repeat_interleave(nh//kv, 1)
        # torch 1.13 (Debian's) has no scaled_dot_product_attention: the same causal attention written out.
        mask = torch.full((t, t), float("-inf"), dtype=q.dtype).triu(1)
        a = ((q @ k.transpose(-1, -2)) / math.sqrt(d) + mask).softmax(-1) @ v
        a = a.transpose(1, 2).reshape(b, t, nh*d)
        x = x + s.o(a); h = s.n2(x)
        return x + s.dn(F.silu(s.g(h)) * s.u(h))

class Model(nn.Module):
    def __init__(s, r):
        super().__init__(); s.emb = nn.Embedding(c["vocab"], c["hidden"]); s.layers = nn.ModuleList([Layer(r) for _ in range(c["layers"])]); s.norm = RMS(c["hidden"])
    def forward(s, ids):
        t = ids.shape[1]; d = c["head_dim"]
        inv = 1.0 / (1e6 ** (torch.arange(0, d, 2).float() / d)); f = torch.arange(t).float()[:, None] * inv[None]
        e = torch.cat([f, f], -1); cos, sin = e.cos().to(dtype), e.sin().to(dtype)
        x = s.emb(ids)
        for l in s.layers:
            x = torch.utils.checkpoint.checkpoint(l, x, cos, sin, use_reentrant=False) if c.get("checkpointing") else l(x, cos, sin)
        return F.linear(s.norm(x), s.emb.weight)

lora = c["method"] == "lora"
m = Model(c["rank"] if lora else 0)
if lora:
    m = m.to(dtype)
    for n, p in m.named_parameters():
        p.requires_grad = n.endswith(".a") or n.endswith(".b")
        if p.requires_grad: p.data = p.data.float()
opt = torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], lr=1e-4)
autocast = torch.autocast("cpu", dtype=torch.bfloat16) if not lora and dtype == torch.bfloat16 else contextlib.nullcontext()
def step():
    ids = torch.randint(0, c["vocab"], (c["batch"], c["seq"]))
    with autocast:
        logits = m(ids)
    loss = F.cross_entropy(logits[:, :-1].float().reshape(-1, c["vocab"]), ids[:, 1:].reshape(-1))
    loss.backward(); opt.step(); opt.zero_grad()
step()
start = time.perf_counter()
for _ in range(c["steps"]): step()
elapsed = time.perf_counter() - start
print(json.dumps({"tokens_per_second": c["batch"] * c["seq"] * c["steps"] / elapsed, "torch": torch.__version__, "threads": torch.get_num_threads(),
                  "peak_memory_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
