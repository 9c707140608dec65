using System.Runtime.CompilerServices;
using PgxStudio.Engine.Models;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Inference;

/// <summary>
/// Prefill then token-by-token decoding over a preallocated KV cache, with explicit masks so left-padded batches
/// decode exactly like their rows alone. Stops on max tokens, a stop token, or cancellation (checked every token).
/// </summary>
public sealed class TokenGenerator(CausalLM model)
{
    const long PadId = 0;

    /// <summary>Generates for each prompt; returns only the new ids (stop tokens excluded).</summary>
    public IReadOnlyList<IReadOnlyList<int>> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options, CancellationToken cancellation = default)
    {
        var outputs = prompts.Select(_ => new List<int>()).ToArray();
        foreach (var step in Steps(prompts, options, cancellation))
            for (int row = 0; row < step.Length; row++)
                if (step[row] is { } id) outputs[row].Add(id);
        return outputs;
    }

    /// <summary>Streams the new ids of one prompt as they are chosen.</summary>
    public async IAsyncEnumerable<int> StreamAsync(IReadOnlyList<int> prompt, GenerationOptions options, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        // Decoding is CPU/GPU-bound work: run each step off the caller's thread.
        using var steps = Steps([prompt], options, cancellation).GetEnumerator();
        while (await Task.Run(steps.MoveNext, CancellationToken.None))
            if (steps.Current[0] is { } id) yield return id;
    }

    /// <summary>One array per decoding step: each row's new id, or null once that row has stopped.</summary>
    IEnumerable<int?[]> Steps(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options, CancellationToken cancellation)
    {
        options.Validate();
        if (prompts.Count == 0) yield break;
        if (prompts.Any(p => p.Count == 0)) throw new ArgumentException("A prompt is empty; give at least one token.");
        int batch = prompts.Count, longest = prompts.Max(p => p.Count);
        int capacity = longest + options.MaxNewTokens;
        if (capacity > model.Config.MaxPositionEmbeddings)
            throw new ArgumentException($"The prompt of {longest} tokens plus max_new_tokens {options.MaxNewTokens} exceeds the model's context of {model.Config.MaxPositionEmbeddings} tokens; shorten the prompt or lower max_new_tokens.");

        var device = model.Device;
        var ids = new long[batch * longest];
        var mask = new long[batch * capacity];
        for (int row = 0; row < batch; row++)
        {
            int pad = longest - prompts[row].Count;
            for (int i = 0; i < prompts[row].Count; i++)
            {
                ids[row * longest + pad + i] = prompts[row][i];
                mask[row * capacity + pad + i] = 1;
            }
        }
        using var cache = new KvCache(model.Config, batch, capacity, model.Dtype, device);
        using var keyMask = tensor(mask, [batch, capacity], device: device);
        var seen = prompts.Select(p => p.ToHashSet()).ToList();
        var stopped = new bool[batch];
        var sampler = new TokenSampler(options);
        Tensor positions;
        long[] next;
        // Grad mode is per thread and a stream resumes on pool threads: disable it around each compute block.
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var input = tensor(ids, [batch, longest], device: device);
            var prefillMask = keyMask.narrow(1, 0, longest);
            positions = AttentionMasks.Positions(prefillMask).MoveToOuterDisposeScope();
            var hidden = model.Hidden(input, positions, AttentionMasks.CausalUnlessUnpadded(prefillMask), cache, 0);
            next = sampler.Next(model.Logits(hidden.narrow(1, longest - 1, 1)).squeeze(1), seen);
        }
        var last = positions.narrow(1, longest - 1, 1).clone();
        positions.Dispose();

        for (int step = 0; step < options.MaxNewTokens; step++)
        {
            var emitted = new int?[batch];
            for (int row = 0; row < batch; row++)
            {
                if (stopped[row]) continue;
                if (options.StopTokenIds.Contains((int)next[row])) { stopped[row] = true; continue; }
                emitted[row] = (int)next[row];
                seen[row].Add((int)next[row]);
            }
            if (stopped.All(s => s)) yield break;
            yield return emitted;
            if (step == options.MaxNewTokens - 1 || cancellation.IsCancellationRequested) yield break;

            int offset = longest + step;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            keyMask.narrow(1, offset, 1).fill_(1);
            var input = tensor(next.Select((id, row) => stopped[row] ? PadId : id).ToArray(), [batch, 1], device: device);
            var pos = last + 1;
            last.copy_(pos);
            using (DecodeThreads.Enter())
            {
                var hidden = model.Hidden(input, pos, AttentionMasks.Causal(keyMask.narrow(1, 0, offset + 1), 1, offset), cache, offset);
                next = sampler.Next(model.Logits(hidden).squeeze(1), seen);
            }
        }
        last.Dispose();
    }
}
