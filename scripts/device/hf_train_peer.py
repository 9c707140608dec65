"""transformers + PEFT doing what `pgx bench train --methods lora --dtype bfloat16 --peer none` does, on the same GPU:
a random Qwen3 of the same shape in bf16, LoRA (rank r, alpha 2r, no dropout) on every attention and MLP projection,
AdamW (lr 1e-4, no weight decay) on the adapters only, random token batches, one warm-up step and then `steps` timed
optimizer steps. Prints one JSON object: tokens/s, MFU against this GPU's bf16 matmul peak measured here (best of
five 8192³ matmuls, as pgx measures it on CUDA), and peak memory.

    python3 hf_train_peer.py --shape qwen3-0.6b --seq 1024 --steps 8 [--batch 1] [--rank 8]
"""
import argparse
import json
import time

import torch

from bench_shapes import flops_per_token, shape


def matmul_peak(device, dtype=torch.bfloat16, size=8192, repeats=5):
    a = torch.randn(size, size, device=device).to(dtype)
    b = torch.randn(size, size, device=device).to(dtype)
    _ = a @ b
    best = float("inf")
    for _ in range(repeats):
        synchronize(device)
        start = time.perf_counter()
        _ = a @ b
        synchronize(device)
        best = min(best, time.perf_counter() - start)
    return 2.0 * size ** 3 / best


def synchronize(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def build_model(s, device):
    from transformers import Qwen3Config, Qwen3ForCausalLM
    config = Qwen3Config(
        vocab_size=s["vocab"], hidden_size=s["hidden"], intermediate_size=s["intermediate"],
        num_hidden_layers=s["layers"], num_attention_heads=s["heads"], num_key_value_heads=s["kv_heads"],
        head_dim=s["head_dim"], tie_word_embeddings=s["tied"], max_position_embeddings=40960,
        rope_theta=1_000_000.0, rms_norm_eps=1e-6, use_cache=False)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16)  # built in bf16 on the GPU: no fp32 copy of an 8B model on the host
    try:
        with torch.device(device):
            model = Qwen3ForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", default="qwen3-0.6b")
    parser.add_argument("--seq", type=int, default=1024)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--device", default="cuda")
    args = parser.parse_args()
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(0)
    s = shape(args.shape)
    device = args.device
    peak = matmul_peak(device)
    model = build_model(s, device)
    model = get_peft_model(model, LoraConfig(
        r=args.rank, lora_alpha=2 * args.rank, lora_dropout=0.0, bias="none", task_type="CAUSAL_LM",
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=1e-4, weight_decay=0.0)
    model.train()

    def step():
        ids = torch.randint(0, s["vocab"], (args.batch, args.seq), device=device)
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return loss

    step()  # warm-up: allocations, kernels chosen, optimizer state
    synchronize(device)
    start = time.perf_counter()
    for _ in range(args.steps):
        loss = step()
    synchronize(device)
    elapsed = time.perf_counter() - start
    tokens_per_second = args.batch * args.seq * args.steps / elapsed
    cuda = torch.device(device).type == "cuda"
    print(json.dumps({
        "engine": "transformers+peft", "shape": args.shape, "seq": args.seq, "batch": args.batch, "steps": args.steps,
        "rank": args.rank, "dtype": "bfloat16", "device": torch.cuda.get_device_name() if cuda else device,
        "tokens_per_second": round(tokens_per_second, 2),
        "matmul_flops_per_second": peak,
        "mfu": round(tokens_per_second * flops_per_token(s, args.seq, lora=True) / peak, 4),
        "peak_allocated_bytes": torch.cuda.max_memory_allocated() if cuda else None,
        "peak_reserved_bytes": torch.cuda.max_memory_reserved() if cuda else None,
        "trainable_parameters": sum(p.numel() for p in trainable),
        "last_loss": float(loss),
        "versions": versions(),
    }))


def versions():
    import peft
    import transformers
    return {"torch": torch.__version__, "cuda": torch.version.cuda, "transformers": transformers.__version__,
            "peft": peft.__version__}


if __name__ == "__main__":
    main()
