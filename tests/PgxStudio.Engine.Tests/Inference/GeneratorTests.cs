using PgxStudio.Engine.Inference;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Tests.Models;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Inference;

public class GeneratorTests
{
    static readonly Lazy<string> DemoDir = new(() =>
    {
        TorchRuntime.Initialize();
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "pgx-demo-tiny");
        DemoModel.Create(dir, "tiny", seed: 7);
        return dir;
    });

    static readonly GenerationOptions Greedy = new() { DoSample = false, MaxNewTokens = 12 };

    [Fact]
    public void Incremental_decoding_with_the_KV_cache_gives_the_logits_of_a_full_forward_pass()
    {
        // Tolerance 1e-4 absolute (fp32); a larger random init makes the logits spread widely.
        var dir = ModelFixtures.Write(ModelFixtures.Qwen3(), seed: 3, std: 0.3);
        using var model = CausalLM.Load(dir, ScalarType.Float32, CPU);
        long[] sequence = [5, 17, 200, 3, 99, 42, 7, 150, 11, 64];
        using var full = model.Forward(tensor(sequence, [1, sequence.Length]));

        using var cache = new KvCache(model.Config, 1, sequence.Length, ScalarType.Float32, CPU);
        int prefill = 6;
        var keyMask = ones([1, sequence.Length], ScalarType.Int64);
        var positions = arange(0, prefill, ScalarType.Int64).unsqueeze(0);
        var hidden = model.Hidden(tensor(sequence[..prefill], [1, prefill]), positions, AttentionMasks.Causal(keyMask.narrow(1, 0, prefill), prefill, 0), cache, 0);
        var pieces = new List<Tensor> { model.Logits(hidden) };
        for (int t = prefill; t < sequence.Length; t++)
        {
            var h = model.Hidden(tensor(new[] { sequence[t] }, [1, 1]), tensor(new long[] { t }, [1, 1]),
                AttentionMasks.Causal(keyMask.narrow(1, 0, t + 1), 1, t), cache, t);
            pieces.Add(model.Logits(h));
        }
        using var incremental = cat(pieces, 1);
        double diff = (incremental - full).abs().max().item<float>();
        Assert.True(diff < 1e-4, $"max |Δlogit| = {diff:E2}");
        Assert.Equal(sequence.Length, cache.Length);
    }

    [Fact]
    public void Greedy_output_is_deterministic()
    {
        using var model = CausalLM.Load(DemoDir.Value, ScalarType.Float32, CPU);
        var generator = new TokenGenerator(model);
        var a = generator.Generate([[1, 2, 3, 4]], Greedy);
        var b = generator.Generate([[1, 2, 3, 4]], Greedy);
        Assert.Equal(12, a[0].Count);
        Assert.Equal(a[0], b[0]);
    }

    [Fact]
    public void A_left_padded_batch_generates_what_each_prompt_generates_alone()
    {
        using var model = CausalLM.Load(DemoDir.Value, ScalarType.Float32, CPU);
        var generator = new TokenGenerator(model);
        IReadOnlyList<int>[] prompts = [[10, 20, 30], [5, 6, 7, 8, 9, 10, 11], [300]];
        var batched = generator.Generate(prompts, Greedy);
        for (int i = 0; i < prompts.Length; i++)
            Assert.Equal(generator.Generate([prompts[i]], Greedy)[0], batched[i]);
    }

    [Fact]
    public void Sampling_with_a_seed_repeats_and_stop_tokens_end_the_row()
    {
        using var model = CausalLM.Load(DemoDir.Value, ScalarType.Float32, CPU);
        var generator = new TokenGenerator(model);
        var sampled = new GenerationOptions { Temperature = 1.0, TopP = 0.9, TopK = 50, Seed = 123, MaxNewTokens = 10, RepetitionPenalty = 1.2 };
        Assert.Equal(generator.Generate([[1, 2, 3]], sampled)[0], generator.Generate([[1, 2, 3]], sampled)[0]);

        var greedy = generator.Generate([[1, 2, 3]], Greedy)[0];
        var stopAt = greedy[3];
        var stopped = generator.Generate([[1, 2, 3]], Greedy with { StopTokenIds = [stopAt] })[0];
        Assert.Equal(greedy.TakeWhile(id => id != stopAt), stopped);
    }

    [Fact]
    public async Task Cancelling_a_stream_stops_it_within_one_token()
    {
        using var model = CausalLM.Load(DemoDir.Value, ScalarType.Float32, CPU);
        using var cts = new CancellationTokenSource();
        var received = new List<int>();
        await foreach (var id in new TokenGenerator(model).StreamAsync([1, 2, 3], Greedy with { MaxNewTokens = 200 }, cts.Token))
        {
            received.Add(id);
            if (received.Count == 5) cts.Cancel();
        }
        Assert.Equal(5, received.Count);
    }

    [Fact]
    public void A_prompt_longer_than_the_context_or_empty_is_refused()
    {
        using var model = CausalLM.Load(DemoDir.Value, ScalarType.Float32, CPU);
        var generator = new TokenGenerator(model);
        var tooLong = Enumerable.Repeat(5, 2040).ToList();
        Assert.Contains("exceeds the model's context of 2048", Assert.Throws<ArgumentException>(() => generator.Generate([tooLong], Greedy)).Message);
        Assert.Contains("A prompt is empty", Assert.Throws<ArgumentException>(() => generator.Generate([Array.Empty<int>()], Greedy)).Message);
        Assert.Contains("top_p is 0", Assert.Throws<ArgumentException>(() => generator.Generate([[1]], Greedy with { TopP = 0 })).Message);
    }
}

public class VocabularyLimitTests
{
    [Fact]
    public void Padded_embedding_rows_are_never_generated()
    {
        TorchRuntime.Initialize();
        var dir = PgxStudio.Engine.Tests.Models.ModelFixtures.Write(PgxStudio.Engine.Tests.Models.ModelFixtures.Qwen3(vocab: 300), seed: 8, std: 1.0);
        using var model = CausalLM.Load(dir, ScalarType.Float32, CPU);
        var generator = new TokenGenerator(model);
        var options = new GenerationOptions { Temperature = 2.0, MaxNewTokens = 64, Seed = 1, VocabularyLimit = 40 };
        var ids = generator.Generate([[1, 2, 3], [7]], options);
        Assert.All(ids.SelectMany(x => x), id => Assert.InRange(id, 0, 39));
        Assert.All(generator.Generate([[1, 2, 3]], options with { DoSample = false })[0], id => Assert.InRange(id, 0, 39));
    }
}
