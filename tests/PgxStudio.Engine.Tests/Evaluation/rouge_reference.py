"""A small, independent Python statement of rouge_chinese's Rouge().get_scores(hyp, ref)[0][k]["f"] semantics
(rouge_chinese itself is not installable here). Tests only.

- sentences: newline inserted after 。！？? not followed by a closing quote, after '......' and '……', after a
  stop + closing quote not followed by punctuation; text right-stripped, split on '\n', empty pieces dropped,
  each piece's white space collapsed with ' '.join(piece.split()).
- words: each sentence split on ' '.
- ROUGE-N: sets of n-grams; P = overlap/|hyp|, R = overlap/|ref|, F = 2PR/(P+R+1e-8).
- ROUGE-L: rouge_chinese's rouge_l_summary_level (despite its name and docstring) takes the LCS of the whole
  hypothesis and reference word lists; P = LCS/|hyp words|, R = LCS/|ref words| (counts with repeats).
"""
import re


def sentences(text):
    text = re.sub("([。！？?])([^”’])", r"\1\n\2", text)
    text = re.sub(r"(\.{6})([^”’])", r"\1\n\2", text)
    text = re.sub("(…{2})([^”’])", r"\1\n\2", text)
    text = re.sub("([。！？?][”’])([^，。！？?])", r"\1\n\2", text)
    text = text.rstrip()
    return [" ".join(s.split()) for s in text.split("\n") if len(s) > 0]


def words(sents):
    return [w for s in sents for w in s.split(" ")]


def ngrams(ws, n):
    return {tuple(ws[i:i + n]) for i in range(len(ws) - n + 1)}


def f1(overlap, hyp_count, ref_count):
    p = 0.0 if hyp_count == 0 else overlap / hyp_count
    r = 0.0 if ref_count == 0 else overlap / ref_count
    return 2.0 * ((p * r) / (p + r + 1e-8))


def rouge_n(hyp, ref, n):
    h, r = ngrams(words(hyp), n), ngrams(words(ref), n)
    return f1(len(h & r), len(h), len(r))


def lcs_length(x, y):
    best = [[0] * (len(y) + 1) for _ in range(len(x) + 1)]
    for i, xw in enumerate(x, 1):
        for j, yw in enumerate(y, 1):
            best[i][j] = best[i - 1][j - 1] + 1 if xw == yw else max(best[i - 1][j], best[i][j - 1])
    return best[len(x)][len(y)]


def rouge_l(hyp, ref):
    h, r = words(hyp), words(ref)
    return f1(lcs_length(r, h), len(h), len(r))


def f_scores(hyp_text, ref_text):
    hyp, ref = sentences(hyp_text), sentences(ref_text)
    return rouge_n(hyp, ref, 1), rouge_n(hyp, ref, 2), rouge_l(hyp, ref)
