using PgxStudio.Engine.Data;
using PgxStudio.Engine.Models;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Training;

/// <summary>
/// The next-token loss computed from the final hidden states a chunk of positions at a time, forward and backward,
/// so [tokens × vocabulary] logits never exist at once (Qwen3's 151,936-word vocabulary makes them 1.2 GB in fp32
/// for one 2,048-token sequence). Each chunk's logits are made, turned into fp32 cross-entropy, backpropagated and
/// dropped; the gradients land in the hidden states (and the output weight when it trains). The sum over chunks
/// divided by the number of labelled positions is the same mean <see cref="NextTokenLoss"/> computes.
/// </summary>
public static class ChunkedNextTokenLoss
{
    /// <summary>
    /// Positions per chunk: about 32 M logits (128 MB in fp32; cross-entropy's softmax and gradients about triple it),
    /// a power of two between 16 and 4,096. Smaller chunks would read the output weight more often for little gain.
    /// </summary>
    public static int ChunkFor(long vocabulary)
    {
        int chunk = 16;
        while (chunk < 4096 && (long)chunk * 2 * vocabulary <= 1L << 25) chunk *= 2;
        return chunk;
    }

    /// <summary>
    /// Backpropagates <paramref name="scale"/> × loss into <paramref name="hidden"/>'s graph and returns the loss.
    /// A batch without any labelled position has loss 0 and sends no gradient.
    /// </summary>
    public static double Backward(Tensor hidden, Tensor headWeight, Tensor labels, double scale, int chunk)
    {
        using var scope = NewDisposeScope();
        var (flat, targets, labelled) = Shift(hidden, labels);
        if (labelled == 0) return 0;
        var leaf = flat.detach().requires_grad_(true);
        double total = 0;
        for (long start = 0; start < targets.shape[0]; start += chunk)
        {
            using var chunkScope = NewDisposeScope();
            long length = Math.Min(chunk, targets.shape[0] - start);
            var loss = ChunkLoss(leaf.narrow(0, start, length), headWeight, targets.narrow(0, start, length), labelled);
            total += loss.item<float>();
            (loss * scale).backward();
        }
        flat.backward([leaf.grad!]);
        return total;
    }

    /// <summary>The loss alone, without gradients (evaluation).</summary>
    public static double Value(Tensor hidden, Tensor headWeight, Tensor labels, int chunk)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (flat, targets, labelled) = Shift(hidden, labels);
        if (labelled == 0) return 0;
        double total = 0;
        for (long start = 0; start < targets.shape[0]; start += chunk)
        {
            using var chunkScope = NewDisposeScope();
            long length = Math.Min(chunk, targets.shape[0] - start);
            total += ChunkLoss(flat.narrow(0, start, length), headWeight, targets.narrow(0, start, length), labelled).item<float>();
        }
        return total;
    }

    /// <summary>Hidden states of positions 0..n-2 as rows, the labels they predict (positions 1..n-1), and how many count.</summary>
    static (Tensor Rows, Tensor Targets, long Labelled) Shift(Tensor hidden, Tensor labels)
    {
        long length = hidden.shape[1] - 1;
        var rows = hidden.narrow(1, 0, length).reshape(-1, hidden.shape[2]);
        var targets = labels.narrow(1, 1, length).reshape(-1);
        return (rows, targets, targets.ne(EncodedExample.IgnoreIndex).sum().item<long>());
    }

    static Tensor ChunkLoss(Tensor rows, Tensor headWeight, Tensor targets, long labelled)
    {
        var logits = nn.functional.linear(rows, Precision.Cast(headWeight, rows.dtype)).to(ScalarType.Float32);
        return nn.functional.cross_entropy(logits, targets, ignore_index: EncodedExample.IgnoreIndex, reduction: nn.Reduction.Sum) / labelled;
    }
}
