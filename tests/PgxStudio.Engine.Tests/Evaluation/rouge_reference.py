"""A small, independent Python statement of rouge_chinese's Rouge().get_scores(hyp, ref)[0][k]["f"] semantics
(rouge_chinese itself is not installable here). Tests only.

- sentences: newline inserted after 。！？? not followed by a closing quote, after '......' and '……', after a
  stop + closing quote not followed by punctuation; text right-stripped, split on '\n', empty pieces dropped,
  each piece's white space collapsed with ' '.join(piece.split()).
- words: each sentence split on ' '.
- ROUGE-N: sets of n-grams; P = overlap/|hyp|, R = overlap/|ref|, F = 2PR/(P+R+1e-8).
- ROUGE-L: summary-level union LCS; the union holds (word, position in its reference sentence) and carries over
  from one reference sentence to the next; P and R divide by the number of distinct words.
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


def lcs_tokens(x, y):
    rows, cols = len(x), len(y)
    table = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            if x[i - 1] == y[j - 1]:
                table[i][j] = table[i - 1][j - 1] + 1
            else:
                table[i][j] = max(table[i - 1][j], table[i][j - 1])
    picked = []
    i, j = rows, cols
    while i > 0 and j > 0:
        if x[i - 1] == y[j - 1]:
            picked.append((x[i - 1], i))
            i, j = i - 1, j - 1
        elif table[i - 1][j] > table[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return picked


def rouge_l(hyp, ref):
    m = len(set(words(ref)))
    n = len(set(words(hyp)))
    union = set()
    total = 0
    for ref_s in ref:
        before = len(union)
        for hyp_s in hyp:
            union |= set(lcs_tokens(ref_s.split(" "), hyp_s.split(" ")))
        total += len(union) - before
    return f1(total, n, m)


def f_scores(hyp_text, ref_text):
    hyp, ref = sentences(hyp_text), sentences(ref_text)
    return rouge_n(hyp, ref, 1), rouge_n(hyp, ref, 2), rouge_l(hyp, ref)
