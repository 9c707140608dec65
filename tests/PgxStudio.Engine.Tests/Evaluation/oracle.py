"""Test oracle for PgxStudio.Engine.Evaluation (tests only, never the product).

Reads a JSON list of [predict, label] pairs and writes, per pair: NLTK's character BLEU-4 with method3 smoothing,
jieba.cut words of both texts, ROUGE F-scores from rouge_reference.py, all as LLaMA-Factory's
ComputeSimilarity computes them (x100, round(..., 4)), and the float(np.mean(...)) of each score.
usage: /usr/bin/python3 oracle.py pairs.json out.json
"""
import json
import logging
import sys

import jieba
import numpy as np
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

import rouge_reference

jieba.setLogLevel(logging.ERROR)


def main(src, dst):
    with open(src, encoding="utf-8") as f:
        pairs = json.load(f)
    out = []
    for predict, label in pairs:
        hyp = list(jieba.cut(predict))
        ref = list(jieba.cut(label))
        if len(" ".join(hyp).split()) == 0 or len(" ".join(ref).split()) == 0:
            r1 = r2 = rl = 0.0
        else:
            r1, r2, rl = rouge_reference.f_scores(" ".join(hyp), " ".join(ref))
        bleu = sentence_bleu([list(label)], list(predict), smoothing_function=SmoothingFunction().method3)
        out.append({
            "predict_words": hyp,
            "label_words": ref,
            "bleu": round(bleu * 100, 4),
            "rouge1": round(r1 * 100, 4),
            "rouge2": round(r2 * 100, 4),
            "rougel": round(rl * 100, 4),
        })
    means = {k: float(np.mean([o[k] for o in out])) for k in ("bleu", "rouge1", "rouge2", "rougel")}
    with open(dst, "w", encoding="utf-8") as f:
        json.dump({"pairs": out, "means": means}, f, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
