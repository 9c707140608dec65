using PgxStudio.Engine.Inference;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Tests.Models;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Inference;

/// <summary>Continuous batching on the real demo model: what a request gets must not depend on who shares its batch.</summary>
public class BatchSchedulerTests
{
    // Weights with a wide spread, so the next token really depends on the context: a batching mistake (a row
    // seeing another row's keys, or positions it has not written) changes the tokens, not just the last digits.
    // A head width the decode-step attention takes (a multiple of 16, with a tail of 16 after its blocks of 32).
    static readonly Lazy<string> ModelDir = new(() => ModelFixtures.Write(ModelFixtures.Qwen3(vocab: 512) with { HeadDim = 48 }, seed: 5, std: 0.3));

    static readonly GenerationOptions Greedy = new() { DoSample = false, MaxNewTokens = 16 };

    /// <summary>Eight prompts of different lengths (3 to 45 tokens).</summary>
    static IReadOnlyList<int>[] EightPrompts() =>
        Enumerable.Range(0, 8).Select(i => (IReadOnlyList<int>)Enumerable.Range(0, 3 + i * 6).Select(t => 10 + (t * 37 + i * 101) % 480).ToList()).ToArray();

    static async Task WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting until {what}.");
            await Task.Delay(5);
        }
    }

    static async Task<List<int>> Collect(IAsyncEnumerable<int> tokens)
    {
        var list = new List<int>();
        await foreach (var id in tokens) list.Add(id);
        return list;
    }

    /// <summary>Starts every request before the scheduler's first step, so they are admitted and decoded together.</summary>
    static async Task<List<int>[]> Together(BatchScheduler scheduler, IReadOnlyList<(IReadOnlyList<int> Prompt, GenerationOptions Options)> requests)
    {
        var enumerators = requests.Select(r => scheduler.GenerateAsync(r.Prompt, r.Options).GetAsyncEnumerator()).ToList();
        var first = enumerators.Select(e => e.MoveNextAsync().AsTask()).ToList();
        scheduler.Start();
        var results = new List<int>[requests.Count];
        for (int i = 0; i < enumerators.Count; i++)
        {
            results[i] = [];
            if (!await first[i]) continue;
            do results[i].Add(enumerators[i].Current); while (await enumerators[i].MoveNextAsync());
            await enumerators[i].DisposeAsync();
        }
        return results;
    }

    [Fact]
    public async Task Greedy_answers_in_a_batch_of_eight_equal_each_prompt_run_alone()
    {
        using var model = CausalLM.Load(ModelDir.Value, ScalarType.Float32, CPU);
        var prompts = EightPrompts();
        var alone = new List<List<int>>();
        using (var single = new BatchScheduler(model, new BatchLimits { MaxNumSeqs = 8 }))
            foreach (var p in prompts) alone.Add(await Collect(single.GenerateAsync(p, Greedy)));

        using var shared = new BatchScheduler(model, new BatchLimits { MaxNumSeqs = 8 }, start: false);
        var batched = await Together(shared, prompts.Select(p => (p, Greedy)).ToList());

        Assert.True(alone.Select(a => string.Join(",", a)).Distinct().Count() >= 6, "the prompts should lead to different answers");
        Assert.Equal(8, shared.PeakRunning);
        Assert.True(shared.Steps < 2 * Greedy.MaxNewTokens, $"{shared.Steps} decode steps: the eight did not share steps");
        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(Greedy.MaxNewTokens, alone[i].Count);
            Assert.Equal(alone[i], batched[i]);
        }
        // and the same through the one-prompt generator the CLI uses
        var generator = new TokenGenerator(model);
        Assert.Equal(generator.Generate([prompts[5]], Greedy)[0], batched[5]);
    }

    [Fact]
    public async Task Each_request_keeps_its_own_sampling_seed_stop_tokens_and_length_in_a_shared_batch()
    {
        using var model = CausalLM.Load(ModelDir.Value, ScalarType.Float32, CPU);
        var prompts = EightPrompts();
        var sampled = new GenerationOptions { Temperature = 1.0, TopP = 0.9, TopK = 50, RepetitionPenalty = 1.2, Seed = 123, MaxNewTokens = 12 };
        var hot = new GenerationOptions { Temperature = 1.5, Seed = 9, MaxNewTokens = 20 };
        List<int> sampledAlone, hotAlone, greedyAlone;
        using (var single = new BatchScheduler(model, new BatchLimits { MaxNumSeqs = 4 }))
        {
            sampledAlone = await Collect(single.GenerateAsync(prompts[1], sampled));
            hotAlone = await Collect(single.GenerateAsync(prompts[2], hot));
            greedyAlone = await Collect(single.GenerateAsync(prompts[3], Greedy));
        }
        var stopAt = greedyAlone[4];
        var shortGreedy = Greedy with { MaxNewTokens = 5 };

        using var shared = new BatchScheduler(model, new BatchLimits { MaxNumSeqs = 4 }, start: false);
        var results = await Together(shared,
        [
            (prompts[1], sampled), (prompts[2], hot), (prompts[3], Greedy with { StopTokenIds = [stopAt] }), (prompts[3], shortGreedy),
        ]);

        Assert.Equal(sampledAlone, results[0]);
        Assert.Equal(12, results[0].Count);
        Assert.Equal(hotAlone, results[1]);
        Assert.Equal(greedyAlone.TakeWhile(id => id != stopAt), results[2]);
        Assert.Equal(greedyAlone.Take(5), results[3]);
        Assert.NotEqual(sampledAlone, await Collect(new BatchSchedulerProbe(model).Run(prompts[1], sampled with { Seed = 124 })));
    }

    [Fact]
    public async Task A_cancelled_request_leaves_at_once_and_its_slot_goes_to_the_one_waiting()
    {
        using var model = CausalLM.Load(ModelDir.Value, ScalarType.Float32, CPU);
        using var scheduler = new BatchScheduler(model, new BatchLimits { MaxNumSeqs = 1, MaxModelLen = 512 });
        // Steps of at least 5 ms: the first request cannot reach its 500 tokens while the test looks, however fast the
        // model decodes (it did once the decode-step attention got faster, on a loaded machine).
        scheduler.StepTokens = _ => Thread.Sleep(5);
        using var stopFirst = new CancellationTokenSource();
        var first = new List<int>();
        var firstTask = Task.Run(async () =>
        {
            try
            {
                await foreach (var id in scheduler.GenerateAsync([1, 2, 3], Greedy with { MaxNewTokens = 500 }, stopFirst.Token)) first.Add(id);
            }
            catch (OperationCanceledException) { }
        });
        await WaitFor(() => first.Count > 0 && scheduler.Load.Running == 1, "the first request runs");
        var second = Collect(scheduler.GenerateAsync([4, 5, 6], Greedy));
        await WaitFor(() => scheduler.Load.Waiting == 1, "the second request waits for the only slot");
        Assert.Equal(1.0, scheduler.Load.KvCacheUsage);

        stopFirst.Cancel();
        await firstTask;
        Assert.Equal(Greedy.MaxNewTokens, (await second.WaitAsync(TimeSpan.FromSeconds(60))).Count);
        Assert.True(first.Count < 500, $"the cancelled request went on to {first.Count} tokens");
        await WaitFor(() => scheduler.Load is { Running: 0, Waiting: 0, SlotsUsed: 0 }, "every slot is free again");
    }

    [Fact]
    public async Task Requests_beyond_the_slots_wait_in_line_and_all_finish()
    {
        using var model = CausalLM.Load(ModelDir.Value, ScalarType.Float32, CPU);
        using var scheduler = new BatchScheduler(model, new BatchLimits { MaxNumSeqs = 2, MaxModelLen = 256 }, start: false);
        // Read on the scheduler's own thread after each forward: what it last published, however fast the steps run.
        var sawWaiting = false;
        scheduler.StepTokens = _ => sawWaiting |= scheduler.Load.Waiting > 0;
        var all = Task.WhenAll(EightPrompts().Take(5).Select(p => Collect(scheduler.GenerateAsync(p, Greedy))));
        scheduler.Start();
        Assert.All(await all, tokens => Assert.Equal(Greedy.MaxNewTokens, tokens.Count));
        Assert.True(sawWaiting, "five requests on two slots: some must have waited");
        Assert.Equal(2, scheduler.PeakRunning);
    }

    [Fact]
    public async Task A_request_longer_than_the_model_length_is_refused_in_one_sentence()
    {
        using var model = CausalLM.Load(ModelDir.Value, ScalarType.Float32, CPU);
        using var scheduler = new BatchScheduler(model, new BatchLimits { MaxNumSeqs = 1, MaxModelLen = 64 });
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Collect(scheduler.GenerateAsync(Enumerable.Range(1, 60).ToList(), Greedy)));
        Assert.Contains("--max-model-len", e.Message);
        Assert.Contains("max_tokens 16", e.Message);
        Assert.Throws<ArgumentException>(() => new BatchLimits { MaxModelLen = 4096 }.Validate(model.Config)); // the model's context is 512
    }

    [Fact]
    public void The_slots_decode_exactly_like_a_full_forward_pass_of_each_sequence()
    {
        // Two sequences of different lengths share one decode step; each row's logits equal its own full forward.
        var dir = ModelFixtures.Write(ModelFixtures.Qwen3() with { HeadDim = 48 }, seed: 3, std: 0.3);
        using var model = CausalLM.Load(dir, ScalarType.Float32, CPU);
        long[][] sequences = [[5, 17, 200, 3, 99, 42, 7, 150], [11, 64, 9, 31, 250, 8]];
        using var cache = new KvSlots(model.Config, 3, 16, ScalarType.Float32, CPU);
        using var noGrad = no_grad(); // as on the scheduler's thread: decode attends in place where it can (DecodeAttention)
        using var scope = NewDisposeScope();
        int[] prompt = [5, 3];
        // slot 0 and slot 2 (slot 1 stays free: its row in the decode step is a dummy)
        long[] slots = [0, 2];
        for (int i = 0; i < 2; i++)
        {
            cache.PlanPrefill(tensor(new[] { slots[i] }));
            var keyMask = ones([1, prompt[i]], ScalarType.Int64);
            model.Hidden(tensor(sequences[i][..prompt[i]], [1, prompt[i]]), arange(prompt[i], dtype: ScalarType.Int64).unsqueeze(0),
                AttentionMasks.Causal(keyMask, prompt[i], 0), cache, 0);
        }
        for (int step = 0; step < 3; step++)
        {
            long[] at = [prompt[0] + step, 0, prompt[1] + step];
            long[] ids = [sequences[0][at[0]], 0, sequences[1][at[2]]];
            int read = (int)at.Max() + 1;
            var positions = tensor(at, [3, 1]);
            var mask = arange(read, dtype: ScalarType.Int64).view(1, -1).le(positions).view(3, 1, 1, read);
            cache.PlanDecode(3, positions.view(-1), read);
            var logits = model.Logits(model.Hidden(tensor(ids, [3, 1]), positions, mask, cache, 0));
            for (int i = 0; i < 2; i++)
            {
                int length = (int)at[slots[i]] + 1;
                var full = model.Forward(tensor(sequences[i][..length], [1, length])).narrow(1, length - 1, 1);
                double diff = (logits.narrow(0, slots[i], 1) - full).abs().max().item<float>();
                Assert.True(diff < 1e-4, $"sequence {i}, step {step}: max |Δlogit| = {diff:E2}");
            }
        }
    }

    [Fact]
    public void The_KV_budget_is_slots_times_model_length_times_the_bytes_of_a_token()
    {
        var config = DemoModel.Config("tiny", 1600);
        long perToken = 2L * config.NumLayers * config.NumKeyValueHeads * config.HeadDim * 4;
        Assert.Equal(perToken, KvSlots.BytesPerToken(config, ScalarType.Float32));
        Assert.Equal(perToken / 2 * 8 * 1024, KvSlots.Bytes(config, 8, 1024, ScalarType.BFloat16));
    }
}

/// <summary>A scheduler used for one request and disposed after it.</summary>
file sealed class BatchSchedulerProbe(CausalLM model)
{
    public async IAsyncEnumerable<int> Run(IReadOnlyList<int> prompt, GenerationOptions options)
    {
        using var scheduler = new BatchScheduler(model, new BatchLimits { MaxNumSeqs = 1 });
        await foreach (var id in scheduler.GenerateAsync(prompt, options)) yield return id;
    }
}
