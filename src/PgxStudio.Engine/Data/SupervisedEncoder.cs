using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Engine.Data;

/// <summary>SFT options with LLaMA-Factory's names and defaults.</summary>
public sealed record SupervisedOptions
{
    public int CutoffLen { get; init; } = 2048;
    /// <summary>Learn the prompts too (their labels are the ids instead of -100).</summary>
    public bool TrainOnPrompt { get; init; }
    /// <summary>Learn only the last turn; earlier responses are masked and the last turns win the cutoff.</summary>
    public bool MaskHistory { get; init; }
}

/// <summary>Encodes conversations for supervised fine-tuning and for prediction.</summary>
public static class SupervisedEncoder
{
    public static EncodedExample Encode(Conversation c, ChatTemplate template, ITokenizer tokenizer, SupervisedOptions options)
    {
        var pairs = template.EncodeMultiTurn(tokenizer, c.Messages, c.System);
        if (options.MaskHistory) pairs.Reverse(); // the last turns get the length budget first
        var input = new List<int>();
        var labels = new List<int>();
        var total = 0;
        for (var turn = 0; turn < pairs.Count; turn++)
        {
            if (total >= options.CutoffLen) break;
            var (sourceLen, targetLen) = SequenceLength.Infer(pairs[turn].Prompt.Count, pairs[turn].Response.Count, options.CutoffLen - total);
            var source = pairs[turn].Prompt.Take(sourceLen).ToList();
            var target = pairs[turn].Response.Take(targetLen).ToList();
            total += sourceLen + targetLen;
            var sourceLabels = options.TrainOnPrompt ? source : Enumerable.Repeat(EncodedExample.IgnoreIndex, sourceLen).ToList();
            var targetLabels = options.MaskHistory && turn != 0 ? Enumerable.Repeat(EncodedExample.IgnoreIndex, targetLen).ToList() : target;
            if (options.MaskHistory)
            {
                input.InsertRange(0, [.. source, .. target]);
                labels.InsertRange(0, [.. sourceLabels, .. targetLabels]);
            }
            else
            {
                input.AddRange(source); input.AddRange(target);
                labels.AddRange(sourceLabels); labels.AddRange(targetLabels);
            }
        }
        return new EncodedExample(input, labels);
    }

    /// <summary>
    /// For prediction: the prompt is every turn before the last, the label is the last response (both cut to
    /// <paramref name="cutoffLen"/> by <see cref="SequenceLength.Infer"/>).
    /// </summary>
    public static EncodedExample EncodeForPrediction(Conversation c, ChatTemplate template, ITokenizer tokenizer, int cutoffLen)
    {
        var messages = c.Response.Count > 0 ? c.Messages : [.. c.Prompt, Message.Assistant("")];
        var (prompt, response) = template.EncodeOneTurn(tokenizer, messages, c.System);
        var (sourceLen, targetLen) = SequenceLength.Infer(prompt.Count, response.Count, cutoffLen);
        return new EncodedExample(prompt.Take(sourceLen).ToList(), response.Take(targetLen).ToList());
    }

    /// <summary>
    /// Packs encoded examples greedily (longest first) into sequences of at most <paramref name="cutoffLen"/>
    /// tokens; labels keep their masks, so each example still learns only its responses. Attention crosses example
    /// boundaries, as with LLaMA-Factory's packing without neat_packing.
    /// </summary>
    public static List<EncodedExample> Pack(IEnumerable<EncodedExample> examples, int cutoffLen)
    {
        var bins = new List<(List<int> Ids, List<int> Labels)>();
        foreach (var e in examples.Where(e => e.InputIds.Count <= cutoffLen).OrderByDescending(e => e.InputIds.Count))
        {
            var bin = bins.FirstOrDefault(b => b.Ids.Count + e.InputIds.Count <= cutoffLen);
            if (bin.Ids is null) { bin = ([], []); bins.Add(bin); }
            bin.Ids.AddRange(e.InputIds); bin.Labels.AddRange(e.Labels);
        }
        return bins.Select(b => new EncodedExample(b.Ids, b.Labels)).ToList();
    }
}
