using PgxStudio.Engine.Data;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Training;

/// <summary>
/// The causal language-model loss: logits at position t predict the label at t+1; labels of -100 (prompt,
/// padding) do not count. Computed in fp32 whatever the model's dtype.
/// </summary>
public static class NextTokenLoss
{
    public static Tensor Compute(Tensor logits, Tensor labels)
    {
        long length = logits.shape[1] - 1, vocab = logits.shape[2];
        var predicted = logits.narrow(1, 0, length).reshape(-1, vocab).to(ScalarType.Float32);
        var targets = labels.narrow(1, 1, length).reshape(-1);
        return nn.functional.cross_entropy(predicted, targets, ignore_index: EncodedExample.IgnoreIndex);
    }
}
