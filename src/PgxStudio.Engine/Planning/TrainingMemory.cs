using PgxStudio.Engine.Models;
using PgxStudio.Engine.Peft;
using PgxStudio.Engine.Quantization;
using PgxStudio.Engine.Sentences;
using PgxStudio.Engine.Training;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Planning;

/// <summary>
/// The parts of a training run's peak, counted from the config the way the engine stores and trains the model:
/// weights (quantized, compute dtype, or fp32 master), LoRA matrices and AdamW state, fp32 gradients, the
/// activations backward needs (every layer's, or with checkpointing one input per layer plus one layer's
/// internals), one chunk of logits, and a workspace (runtime, transient dequantized weights).
/// </summary>
public static class TrainingMemory
{
    // Saved activations of one decoder layer per token, in compute-dtype elements per hidden / attention / MLP unit:
    // the two norms (input, normed, output), q/k/v with their norms and RoPE, the attention output, and
    // gate/up/SiLU/product of the MLP. Calibrated with `pgx bench train` (docs/memory-plan.md).
    const double PerHidden = 8, PerAttention = 7, PerMlp = 4;
    // The CPU's attention keeps its [heads × seq] probabilities per token (the math kernel's softmax output).
    const double ScoreCopies = 1;
    // The process before any tensor: .NET, libtorch and its thread pools (`pgx env` peaks at about 157 MiB).
    const long CpuRuntimeBytes = 160L << 20, CudaRuntimeBytes = 1200L << 20;

    public static IReadOnlyList<MemoryPart> Parts(ModelConfig c, TrainingArguments args, Device device)
    {
        var dtype = TrainingPrecision.ComputeDtype(args, c, device);
        int e = Precision.BytesOf(dtype);
        var quantization = TrainingPrecision.Quantization(args);
        var parameters = ModelParameters.Of(c);
        var trains = Trainable(parameters, args);
        bool lora = args.FinetuningType == "lora";

        long weights = 0, largestProjection = 0;
        foreach (var p in parameters)
        {
            largestProjection = Math.Max(largestProjection, p.IsProjection ? p.Elements : 0);
            weights += quantization is not null && p.IsProjection
                ? QuantizedWeight.BytesFor(p.Shape[0], p.Shape[1], quantization)
                : p.Elements * (trains.Contains(p.Name) && e != 4 ? 4 : e);
        }
        long loraParameters = lora ? LoraParameters(parameters, args) : 0;
        long trainableBase = parameters.Where(p => trains.Contains(p.Name)).Sum(p => p.Elements);
        long trainable = loraParameters + trainableBase;

        long tokens = (long)args.PerDeviceTrainBatchSize * args.CutoffLen;
        bool cpu = device.type != TorchSharp.DeviceType.CUDA;
        long perLayer = LayerActivations(c, args, e, tokens, cpu);
        long boundaries = (long)c.NumLayers * tokens * c.HiddenSize * e;
        long activations = args.DisableGradientCheckpointing ? c.NumLayers * perLayer : boundaries + perLayer;
        int chunk = ChunkedNextTokenLoss.ChunkFor(c.VocabSize);
        // A chunk's logits in the compute dtype, their fp32 copy (none when they are fp32), log-softmax, its gradient
        // and the logits' gradient.
        long logits = Math.Min(chunk, tokens) * (long)c.VocabSize * (e + (e == 4 ? 12 : 16)) + tokens * c.HiddenSize * (long)e;

        long runtime = device.type == TorchSharp.DeviceType.CUDA ? CudaRuntimeBytes : CpuRuntimeBytes;
        long dequantized = quantization is not null ? 2 * largestProjection * e : 0;
        // Training a whole matrix briefly holds two more fp32 copies of the largest one: the gradient of a logits
        // chunk before it is added to the weight's (a tied embedding's is the vocabulary's size), and AdamW's update.
        long largestTrainable = parameters.Where(p => trains.Contains(p.Name)).Select(p => p.Elements).DefaultIfEmpty(0).Max();
        long update = 2 * largestTrainable * 4;
        // On the CPU the checkpointed backward lets glibc's heap keep freed pages until they pass half a layer's
        // activations (Training/LayerTrims.cs); CUDA's caching allocator is its own story (docs/memory-plan.md).
        long heapKept = cpu && !args.DisableGradientCheckpointing ? perLayer / 2 : 0;
        return
        [
            new("weights", weights, WeightsDetail(parameters.Sum(p => p.Elements), quantization, dtype, trainableBase)),
            new(lora ? "LoRA + optimizer state" : "optimizer state", loraParameters * 4 + trainable * 8,
                lora ? new Sentence("{0:N0} LoRA parameters in fp32 with AdamW's two moments", loraParameters) : new Sentence("AdamW's two fp32 moments for {0:N0} parameters", trainable)),
            new("gradients", trainable * 4, new Sentence("fp32 gradients of {0:N0} trainable parameters", trainable)),
            new("activations", activations, args.DisableGradientCheckpointing
                ? new Sentence("every layer's saved activations for {0:N0} tokens (gradient checkpointing off)", tokens)
                : new Sentence("one input per layer plus one layer recomputed, for {0:N0} tokens (gradient checkpointing)", tokens)),
            new("logits chunk", logits, new Sentence("{0:N0} positions × {1:N0} vocabulary at a time", Math.Min(chunk, tokens), c.VocabSize)),
            new("workspace", runtime + dequantized + update + heapKept, WorkspaceDetail(quantization is not null, update > 0, heapKept > 0)),
        ];
    }

    static HashSet<string> Trainable(IReadOnlyList<ModelParameters.Entry> parameters, TrainingArguments args) => args.FinetuningType switch
    {
        "full" => parameters.Select(p => p.Name).ToHashSet(),
        "freeze" => FreezeSelection.Trainable(parameters.Select(p => p.Name).ToList(), args).ToHashSet(),
        _ => [],
    };

    static long LoraParameters(IReadOnlyList<ModelParameters.Entry> parameters, TrainingArguments args)
    {
        var targets = LoraSettings.ParseTargets(string.Join(",", args.LoraTargets));
        return parameters.Where(p => p.IsProjection && targets.Contains(p.Name.Split('.')[^2]))
            .Sum(p => (long)args.LoraRank * (p.Shape[0] + p.Shape[1]));
    }

    /// <summary>What backward keeps of one layer for these tokens.</summary>
    static long LayerActivations(ModelConfig c, TrainingArguments args, int e, long tokens, bool cpu)
    {
        long h = c.HiddenSize, q = (long)c.NumHeads * c.HeadDim, kv = (long)c.NumKeyValueHeads * c.HeadDim, i = c.IntermediateSize;
        double perToken = e * (PerHidden * h + PerAttention * (q + 2 * kv) + PerMlp * i);
        // CUDA's fused attention keeps only per-row statistics; the CPU's math kernel keeps the probabilities.
        if (cpu) perToken += ScoreCopies * e * c.NumHeads * (double)args.CutoffLen;
        return (long)(perToken * tokens);
    }

    static Sentence WorkspaceDetail(bool dequantizes, bool updatesMatrix, bool keepsHeap) => (dequantizes, updatesMatrix, keepsHeap) switch
    {
        (true, _, false) => new Sentence("runtime and libraries, and a projection dequantized for its matmul"),
        (true, _, true) => new Sentence("runtime and libraries, a projection dequantized for its matmul, and freed pages the heap keeps between two trims"),
        (false, true, false) => new Sentence("runtime and libraries, and two fp32 copies of the largest trained matrix while it updates"),
        (false, true, true) => new Sentence("runtime and libraries, two fp32 copies of the largest trained matrix while it updates, and freed pages the heap keeps between two trims"),
        (false, false, true) => new Sentence("runtime and libraries, and freed pages the heap keeps between two trims"),
        _ => new Sentence("runtime and libraries"),
    };

    static Sentence WeightsDetail(long count, QuantizationSettings? quantization, ScalarType dtype, long master) =>
        quantization is not null ? new Sentence("{0:N0} parameters, projections {1}, the rest in {2}", count, quantization.Describe(), dtype.ToString())
        : master > 0 && dtype != ScalarType.Float32 ? new Sentence("{0:N0} parameters, {1}, {2:N0} trainable ones as fp32 master weights", count, dtype.ToString(), master)
        : new Sentence("{0:N0} parameters, {1}", count, dtype.ToString());
}
