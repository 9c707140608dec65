"""Turns the files scripts/device/cuda-proof.sh left in OUT into summary.json and summary.md (the README's table).
Every figure is read from those files; a step that failed or never ran shows as such.

    python3 summarize.py OUT "qwen3-0.6b qwen3-4b"
"""
import json
import os
import sys

from bench_shapes import flops_per_token, shape


def read_json(path):
    try:
        with open(path) as f:
            text = f.read().strip()
        return json.loads(text.splitlines()[-1]) if text else None  # a verb's JSON is its last line
    except (OSError, ValueError):
        return None


def peak_mib(out, name):
    """Highest GPU memory in use while the step ran, less what was in use before the run started."""
    try:
        baseline = int(open(os.path.join(out, "baseline.mem")).read().split()[0])
        samples = [int(line) for line in open(os.path.join(out, f"{name}.mem")) if line.strip().isdigit()]
    except (OSError, ValueError, IndexError):
        return None
    return max(samples) - baseline if samples else None


def lora_row(result):
    """pgx bench train's row for the LoRA run (its JSON has a `results` list, one row per method)."""
    if not result:
        return None
    return next((r for r in result.get("results", []) if r.get("method") == "lora"), None)


def summarize(out, shapes):
    steps = dict(line.rstrip("\n").split("=", 1) for line in open(os.path.join(out, "steps.txt")) if "=" in line)
    summary = {"steps": steps, "device": read_json(os.path.join(out, "device.json")),
               "env": read_json_whole(os.path.join(out, "env.json")),
               "parity": read_json(os.path.join(out, "parity.json")), "training": []}
    for name in shapes:
        ours, theirs = read_json(os.path.join(out, f"pgx-train-{name}.json")), read_json(os.path.join(out, f"hf-train-{name}.json"))
        row = {"shape": name, "pgx_tokens_per_second": None, "hf_tokens_per_second": None}
        fpt = flops_per_token(shape(name), (theirs or ours or {}).get("seq", 1024), lora=True)
        torch_peak = (theirs or {}).get("matmul_flops_per_second")
        if lora_row(ours):
            tps = lora_row(ours)["tokens_per_second"]
            row.update(pgx_tokens_per_second=tps, pgx_mfu_own_peak=lora_row(ours).get("mfu"),
                       pgx_matmul_flops_per_second=ours.get("matmul_flops_per_second"),
                       pgx_mfu=round(tps * fpt / torch_peak, 4) if torch_peak else None)
        if theirs:
            row.update(hf_tokens_per_second=theirs["tokens_per_second"], hf_mfu=theirs["mfu"],
                       torch_matmul_flops_per_second=torch_peak, hf_peak_reserved_mib=round(theirs["peak_reserved_bytes"] / 2**20))
        row["pgx_peak_mib"] = peak_mib(out, f"pgx-train-{name}")
        row["hf_peak_mib"] = peak_mib(out, f"hf-train-{name}")
        if row["pgx_tokens_per_second"] and row["hf_tokens_per_second"]:
            row["ratio"] = round(row["pgx_tokens_per_second"] / row["hf_tokens_per_second"], 3)
        summary["training"].append(row)
    json.dump(summary, open(os.path.join(out, "summary.json"), "w"), indent=1)
    open(os.path.join(out, "summary.md"), "w").write(markdown(summary))
    print(markdown(summary))


def read_json_whole(path):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return None


def show(value, fmt="{:,.0f}"):
    return "—" if value is None else fmt.format(value)


def markdown(s):
    device = s["device"] or {}
    lines = [f"GPU: {device.get('gpu')}; PyTorch {device.get('torch')} (CUDA {device.get('torch_cuda')}), "
             f"transformers {device.get('transformers')}, peft {device.get('peft')}", "",
             "Steps: " + "; ".join(f"{k} {v}" for k, v in s["steps"].items()), ""]
    p = s["parity"]
    if p:
        lines += [f"Parity (bf16, {p.get('positions')} prompt tokens): token ids equal {p.get('token_ids_equal')}; "
                  f"max |Δlogit| {p['max_abs_logit_difference']:.4f} (mean {p['mean_abs_logit_difference']:.5f}, "
                  f"logit std {p['logit_std']:.3f}); argmax differs at {len(p['argmax_differs_at'])} positions; greedy "
                  + ("equal for all %d tokens" % p["greedy_tokens"] if p.get("greedy_equal")
                     else f"first diverges at token {p.get('greedy_first_divergence')} (transformers' logit gap there "
                          f"{p.get('divergence_logit_gap', float('nan')):.4f})"), ""]
    lines += ["| model shape (LoRA r=8, bf16, seq 1024) | pgx tokens/s | transformers+PEFT tokens/s | pgx / HF | "
              "pgx MFU | HF MFU | pgx peak GPU MiB | HF peak GPU MiB |", "|---|---|---|---|---|---|---|---|"]
    for r in s["training"]:
        lines.append(f"| {r['shape']} | {show(r['pgx_tokens_per_second'])} | {show(r['hf_tokens_per_second'])} | "
                     f"{show(r.get('ratio'), '{:.2f}')} | {show(r.get('pgx_mfu'), '{:.1%}')} | {show(r.get('hf_mfu'), '{:.1%}')} | "
                     f"{show(r['pgx_peak_mib'])} | {show(r['hf_peak_mib'])} |")
    peaks = [r.get("torch_matmul_flops_per_second") for r in s["training"] if r.get("torch_matmul_flops_per_second")]
    if peaks:
        lines += ["", f"MFU: model FLOPs per token (pgx's count) × tokens/s ÷ the bf16 matmul peak PyTorch measured on "
                      f"this GPU ({max(peaks) / 1e12:,.0f} TFLOP/s, 8192³). Peak memory: nvidia-smi, less the memory "
                      f"in use before the run."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    summarize(sys.argv[1], sys.argv[2].split())
