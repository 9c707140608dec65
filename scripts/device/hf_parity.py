"""pgx against transformers on the same GPU, same checkpoint, same text.

    python3 hf_parity.py make-model OUT_DIR --tokenizer DIR [--shape qwen3-0.6b]
        a random Qwen3 of that shape saved by transformers in bf16 (safetensors), with the real Qwen3 tokenizer files
    python3 hf_parity.py compare MODEL_DIR PGX_JSON [--text T]
        PGX_JSON is what `pgx logits --model MODEL_DIR --text T --out F --generate N` printed; compares with
        transformers on the same GPU: the prompt's token ids, its logits (max and mean absolute difference, positions
        whose argmax differs) and the greedy continuation (first divergence, and how close transformers' own logits
        were to a tie there). Prints one JSON object.
"""
import argparse
import json
import shutil
import sys

import torch

from bench_shapes import shape


def make_model(out, tokenizer, shape_name, seed=0):
    from hf_train_peer import build_model
    torch.manual_seed(seed)
    model = build_model(shape(shape_name), "cuda")
    model.save_pretrained(out, safe_serialization=True)
    # A model built from a config may save no dtype; pgx then loads fp32, so say bf16 (older and newer key alike).
    config = json.load(open(f"{out}/config.json"))
    if (config.get("dtype") or config.get("torch_dtype")) != "bfloat16":
        config["torch_dtype"] = "bfloat16"
        json.dump(config, open(f"{out}/config.json", "w"), indent=2)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(f"{tokenizer}/{name}", f"{out}/{name}")
    print(json.dumps({"model": out, "shape": shape_name, "parameters": sum(p.numel() for p in model.parameters())}))


def load_tokenizer(model_dir):
    from transformers import AutoTokenizer, PreTrainedTokenizerFast
    try:
        return AutoTokenizer.from_pretrained(model_dir)
    except Exception:  # a tokenizer_config.json naming a class this transformers lacks: tokenizer.json is the tokenizer
        return PreTrainedTokenizerFast(tokenizer_file=f"{model_dir}/tokenizer.json")


def greedy(model, ids, new_tokens):
    """Plain greedy decoding with the KV cache: argmax over the whole vocabulary, no stop tokens."""
    out, past = [], None
    step_input = ids
    with torch.no_grad():
        for _ in range(new_tokens):
            result = model(input_ids=step_input, past_key_values=past, use_cache=True)
            past = result.past_key_values
            token = int(result.logits[0, -1].float().argmax())
            out.append(token)
            step_input = torch.tensor([[token]], device=ids.device)
    return out


def compare(model_dir, pgx_json, text):
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM
    pgx = json.loads(open(pgx_json).read().strip().splitlines()[-1])  # the verb's JSON is its last line
    report = {"pgx_device": pgx["device"], "pgx_dtype": pgx["dtype"]}
    if text is not None:
        hf_ids = load_tokenizer(model_dir)(text, add_special_tokens=False)["input_ids"]
        report["prompt_tokens"] = len(hf_ids)
        report["token_ids_equal"] = hf_ids == pgx["prompt_ids"]
        if not report["token_ids_equal"]:
            report["first_token_difference"] = next(
                (i for i, (a, b) in enumerate(zip(hf_ids, pgx["prompt_ids"])) if a != b), min(len(hf_ids), len(pgx["prompt_ids"])))
    # Cast after loading: the dtype argument's name differs across transformers versions; bf16 weights cast exactly.
    model = AutoModelForCausalLM.from_pretrained(model_dir).to(device="cuda", dtype=torch.bfloat16).eval()
    report["transformers_attention"] = getattr(model.config, "_attn_implementation", "unknown")
    ids = torch.tensor([pgx["prompt_ids"]], device="cuda")
    with torch.no_grad():
        theirs = model(input_ids=ids).logits[0].float()
    ours = load_file(pgx["logits"])["logits"].to("cuda")
    diff = (theirs - ours).abs()
    differing = (theirs.argmax(-1) != ours.argmax(-1)).nonzero().flatten().tolist()
    report.update({
        "max_abs_logit_difference": float(diff.max()), "mean_abs_logit_difference": float(diff.mean()),
        "logit_std": float(theirs.std()), "positions": int(theirs.shape[0]),
        "argmax_differs_at": differing,
    })
    generated = pgx["generated_ids"]
    if generated:
        hf_generated = greedy(model, ids, len(generated))
        divergence = next((i for i, (a, b) in enumerate(zip(hf_generated, generated)) if a != b), None)
        report.update({"greedy_tokens": len(generated), "greedy_equal": divergence is None,
                       "greedy_first_divergence": divergence, "pgx_greedy": generated, "transformers_greedy": hf_generated})
        if divergence is not None:
            # transformers' logits on pgx's own path up to the divergence: a near tie there is bf16 rounding, a wide
            # gap is a real difference.
            path = torch.tensor([pgx["prompt_ids"] + generated[:divergence]], device="cuda")
            with torch.no_grad():
                last = model(input_ids=path).logits[0, -1].float()
            report["divergence_logit_gap"] = float(last[hf_generated[divergence]] - last[generated[divergence]])
    print(json.dumps(report))
    return report


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make-model")
    make.add_argument("out")
    make.add_argument("--tokenizer", required=True)
    make.add_argument("--shape", default="qwen3-0.6b")
    check = sub.add_parser("compare")
    check.add_argument("model_dir")
    check.add_argument("pgx_json")
    check.add_argument("--text", help="the text pgx encoded, to compare token ids too")
    args = parser.parse_args()
    if args.command == "make-model":
        make_model(args.out, args.tokenizer, args.shape)
    else:
        compare(args.model_dir, args.pgx_json, args.text)


if __name__ == "__main__":
    sys.exit(main())
