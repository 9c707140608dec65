using PgxStudio.Engine.Inference;
using PgxStudio.Engine.Native;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Inference;

/// <summary>Sampling keeps exactly the tokens top-k and top-p allow, whether or not the whole vocabulary is sorted.</summary>
public class TokenSamplerTests
{
    static Tensor Logits(int vocab, params (int Id, float Value)[] peaks)
    {
        TorchRuntime.Initialize();
        var values = new float[vocab];
        foreach (var (id, value) in peaks) values[id] = value;
        return tensor(values, [1, vocab]);
    }

    static HashSet<long> Draw(GenerationOptions options, Tensor logits, int times)
    {
        var sampler = new TokenSampler(options with { Seed = 5 });
        return Enumerable.Range(0, times).Select(_ => sampler.Next(logits, [[]])[0]).ToHashSet();
    }

    [Fact]
    public void Top_p_keeps_the_smallest_set_of_likeliest_tokens_holding_p_of_the_mass()
    {
        // p(7) ≈ 0.589, p(3) ≈ 0.357, 1998 others share ≈ 0.054: within the 1024 likeliest, no full sort needed.
        using var peaked = Logits(2000, (7, 10f), (3, 9.5f));
        Assert.Equal([7L], Draw(new GenerationOptions { Temperature = 1, TopP = 0.5 }, peaked, 100));
        Assert.Equal([3L, 7L], Draw(new GenerationOptions { Temperature = 1, TopP = 0.9 }, peaked, 200).Order());
        Assert.True(Draw(new GenerationOptions { Temperature = 1, TopP = 1.0 }, peaked, 400).Count > 5, "top_p 1 keeps the whole vocabulary");

        // A flat distribution: the 1024 likeliest hold about half the mass, so top_p 0.9 must look past them.
        using var flat = Logits(2000);
        var spread = Draw(new GenerationOptions { Temperature = 1, TopP = 0.9 }, flat, 400);
        Assert.True(spread.Count > 300, $"only {spread.Count} distinct tokens from a flat distribution");
    }

    [Fact]
    public void Top_k_then_top_p_among_the_k()
    {
        using var logits = Logits(3000, (1, 5f), (2, 4.9f), (5, 4.8f), (9, 1f));
        Assert.Equal([1L, 2L], Draw(new GenerationOptions { Temperature = 1, TopK = 2 }, logits, 200).Order());
        // among the top 3 (≈0.35, 0.32, 0.29 renormalised), top_p 0.5 keeps the first two
        Assert.Equal([1L, 2L], Draw(new GenerationOptions { Temperature = 1, TopK = 3, TopP = 0.5 }, logits, 200).Order());
    }
}
