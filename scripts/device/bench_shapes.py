"""The model shapes of `pgx bench train --shape` and the FLOPs one trained token costs, as pgx counts them
(BenchShapes.cs, ModelThroughput.MatmulParameters, TrainingThroughput.FlopsPerToken), so the transformers peer trains
the same model and its MFU is computed the same way. A test checks this table against pgx's own.

    python3 bench_shapes.py --json     # every shape with its parameters and FLOPs per token at seq 1024
"""
import json
import sys

# name: (hidden, layers, heads, kv_heads, head_dim, intermediate, vocab, tied)
SHAPES = {
    "qwen3-0.6b": (1024, 28, 16, 8, 128, 3072, 151936, True),
    "qwen3-1.7b": (2048, 28, 16, 8, 128, 6144, 151936, True),
    "qwen3-4b": (2560, 36, 32, 8, 128, 9728, 151936, True),
    "qwen3-8b": (4096, 36, 32, 8, 128, 12288, 151936, False),
}


def shape(name):
    if name not in SHAPES:
        sys.exit(f"--shape {name} is not one of {', '.join(SHAPES)}.")
    hidden, layers, heads, kv_heads, head_dim, intermediate, vocab, tied = SHAPES[name]
    return dict(hidden=hidden, layers=layers, heads=heads, kv_heads=kv_heads, head_dim=head_dim,
                intermediate=intermediate, vocab=vocab, tied=tied)


def matmul_parameters(s):
    """Weights that take part in a matmul per token: attention and MLP projections, and the output projection."""
    attention = s["hidden"] * s["head_dim"] * (s["heads"] * 2 + s["kv_heads"] * 2)
    mlp = 3 * s["hidden"] * s["intermediate"]
    return s["layers"] * (attention + mlp) + s["vocab"] * s["hidden"]


def flops_per_token(s, seq, lora):
    """Forward 2N, backward 4N for full fine-tuning but 2N for LoRA, plus causal attention (three times its forward)."""
    return (4.0 if lora else 6.0) * matmul_parameters(s) + 3 * 2.0 * s["layers"] * seq * s["heads"] * s["head_dim"]


if __name__ == "__main__":
    seq = 1024
    table = {name: dict(shape(name), matmul_parameters=matmul_parameters(shape(name)),
                        lora_flops_per_token=flops_per_token(shape(name), seq, True),
                        full_flops_per_token=flops_per_token(shape(name), seq, False), seq=seq)
             for name in SHAPES}
    print(json.dumps(table, indent=None if "--json" in sys.argv else 1))
