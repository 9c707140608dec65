using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Models;

/// <summary>The decode step's attention over KV slots: libtorch's masked attention, and each row independent of the others.</summary>
public class DecodeAttentionTests
{
    [Theory]
    [InlineData(ScalarType.Float32, 4, 2, 48, 1e-5)]   // Qwen3's 2 query heads per key head; a width with a tail of 16
    [InlineData(ScalarType.Float32, 8, 2, 128, 1e-5)]  // 4 per head, Qwen3-0.6B's head width
    [InlineData(ScalarType.Float32, 2, 2, 16, 1e-5)]   // one query head per key head
    [InlineData(ScalarType.BFloat16, 4, 2, 48, 1e-2)]   // bf16 pairs and a tail
    [InlineData(ScalarType.BFloat16, 16, 8, 128, 1e-2)] // bf16 storage: libtorch rounds the probabilities to bf16, we keep fp32
    public void Equals_masked_attention_and_every_row_reads_only_its_own_length(ScalarType dtype, int heads, int kvHeads, int d, double tolerance)
    {
        TorchRuntime.Initialize();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        int slots = 5, capacity = 40, rows = 4;
        var generator = new Generator(11);
        var keys = randn([slots, kvHeads, capacity, d], generator: generator).to(dtype);
        var values = randn([slots, kvHeads, capacity, d], generator: generator).to(dtype);
        var query = randn([rows, heads, 1, d], generator: generator).to(dtype);
        int[] lengths = [1, 37, 16, 40]; // a dummy row at position 0, the full slot, and lengths that leave a vector tail
        if (!DecodeAttention.Applies(query, keys))
        {
            Assert.False(SmallBatchLinear.Enabled, "it should apply wherever the decode-step product does");
            return;
        }

        var ours = DecodeAttention.Forward(query, keys, values, lengths);

        // libtorch: every row reads the longest length under a mask, grouped key heads repeated for each query head.
        int read = lengths.Max();
        var mask = arange(read).view(1, -1).lt(tensor(lengths.Select(l => (long)l).ToArray()).view(-1, 1)).view(rows, 1, 1, read);
        var k = keys.narrow(0, 0, rows).narrow(2, 0, read).repeat_interleave(heads / kvHeads, 1);
        var v = values.narrow(0, 0, rows).narrow(2, 0, read).repeat_interleave(heads / kvHeads, 1);
        var theirs = nn.functional.scaled_dot_product_attention(query.to(ScalarType.Float32), k.to(ScalarType.Float32), v.to(ScalarType.Float32), mask);

        Assert.Equal(query.shape, ours.shape);
        Assert.Equal(dtype, ours.dtype);
        double diff = (ours.to(ScalarType.Float32) - theirs).abs().max().item<float>();
        Assert.True(diff <= tolerance, $"max |Δ| = {diff:E2}");

        // A row's answer is the same bits alone: row r of a smaller batch is still slot r, so compare prefixes.
        for (int r = 1; r <= rows; r++)
        {
            var alone = DecodeAttention.Forward(query.narrow(0, 0, r), keys, values, lengths[..r]);
            Assert.True(alone.eq(ours.narrow(0, 0, r)).all().item<bool>(), $"the first {r} rows differ from the same rows in a batch of {rows}");
        }

        // What lies beyond a row's length is never read: scribbling over it changes nothing.
        keys.narrow(0, 2, 1).narrow(2, lengths[2], capacity - lengths[2]).fill_(float.NaN);
        values.narrow(0, 2, 1).narrow(2, lengths[2], capacity - lengths[2]).fill_(1e4);
        Assert.True(DecodeAttention.Forward(query, keys, values, lengths).eq(ours).all().item<bool>(), "a row read keys beyond its length");
    }

    [Fact]
    public void Leaves_training_to_libtorch()
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        var keys = zeros([2, 1, 8, 16]);
        var query = zeros([2, 2, 1, 16]);
        using (enable_grad()) Assert.False(DecodeAttention.Applies(query, keys));
        using (no_grad()) Assert.False(DecodeAttention.Applies(query, keys.narrow(2, 0, 4))); // not one contiguous block of slots
        using (no_grad()) Assert.False(DecodeAttention.Applies(zeros([2, 2, 1, 24]), zeros([2, 1, 8, 24]))); // a head width the kernels do not take
    }
}
