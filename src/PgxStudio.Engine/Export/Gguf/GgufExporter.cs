using PgxStudio.Engine.Models;
using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Tokenization;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Export.Gguf;

/// <summary>
/// Writes a merged model as one GGUF file for llama.cpp and Ollama, with an Ollama Modelfile beside it: the
/// architecture's hyper-parameters under llama.cpp's keys (as convert_hf_to_gguf.py writes them for LlamaForCausalLM,
/// Qwen2ForCausalLM and Qwen3ForCausalLM), the tokenizer, and every tensor under its llama.cpp name in the chosen type.
/// </summary>
public static class GgufExporter
{
    public const uint QuantizationVersion = 2; // ggml's GGML_QNT_VERSION

    public static string ArchitectureOf(ModelConfig config) => config.Architecture switch
    {
        "LlamaForCausalLM" => "llama",
        "Qwen2ForCausalLM" => "qwen2",
        "Qwen3ForCausalLM" => "qwen3",
        _ => throw new ArgumentException($"{config.Architecture} has no llama.cpp architecture here; GGUF export takes Llama-3, Qwen2 and Qwen3 models."),
    };

    /// <summary>Writes NAME-QUANT.gguf and Modelfile into <paramref name="folder"/>; returns the GGUF's file name.</summary>
    public static string Export(CausalLM model, string modelDirectory, string name, GgufQuantization quantization, string folder,
        string? templateName = null, Action<int, int>? progress = null, CancellationToken cancel = default)
    {
        var config = model.Config;
        var arch = ArchitectureOf(config);
        var vocabulary = GgufVocabulary.Read(modelDirectory, config);
        var tensors = Tensors(model, quantization);
        var metadata = new List<(string, GgufValue)>
        {
            ("general.architecture", GgufValue.String(arch)),
            ("general.type", GgufValue.String("model")),
            ("general.name", GgufValue.String(name)),
            ("general.file_type", GgufValue.UInt32(quantization.FileType)),
            ("general.quantization_version", GgufValue.UInt32(QuantizationVersion)),
        };
        metadata.AddRange(Hyperparameters(config, arch));
        metadata.AddRange(vocabulary.Metadata());

        Directory.CreateDirectory(folder);
        var fileName = $"{name}-{quantization.Suffix}.gguf";
        GgufWriter.Write(Path.Combine(folder, fileName), metadata, tensors, done => progress?.Invoke(done, tensors.Count), cancel);

        var tokenizer = HfTokenizer.Load(modelDirectory);
        var template = ChatTemplates.ForModel(modelDirectory, templateName);
        // llama.cpp adds bos itself when the file says so, or by default for llama-bpe (llama-vocab.cpp).
        bool addsBos = vocabulary.AddBos ?? vocabulary.PreTokenizer == "llama-bpe";
        File.WriteAllText(Path.Combine(folder, "Modelfile"),
            OllamaModelfile.Build(fileName, template, tokenizer, addsBos, Path.Combine(modelDirectory, "generation_config.json")));
        return fileName;
    }

    /// <summary>The {arch}.* keys llama.cpp's loader reads for these architectures, with the types it checks.</summary>
    static IEnumerable<(string, GgufValue)> Hyperparameters(ModelConfig c, string arch)
    {
        yield return ($"{arch}.block_count", GgufValue.UInt32((uint)c.NumLayers));
        yield return ($"{arch}.context_length", GgufValue.UInt32((uint)c.MaxPositionEmbeddings));
        yield return ($"{arch}.embedding_length", GgufValue.UInt32((uint)c.HiddenSize));
        yield return ($"{arch}.feed_forward_length", GgufValue.UInt32((uint)c.IntermediateSize));
        yield return ($"{arch}.attention.head_count", GgufValue.UInt32((uint)c.NumHeads));
        yield return ($"{arch}.attention.head_count_kv", GgufValue.UInt32((uint)c.NumKeyValueHeads));
        yield return ($"{arch}.rope.freq_base", GgufValue.Float32((float)c.RopeTheta));
        yield return ($"{arch}.attention.layer_norm_rms_epsilon", GgufValue.Float32((float)c.RmsNormEps));
        yield return ($"{arch}.attention.key_length", GgufValue.UInt32((uint)c.HeadDim));
        yield return ($"{arch}.attention.value_length", GgufValue.UInt32((uint)c.HeadDim));
        if (arch == "llama")
        {
            yield return ("llama.vocab_size", GgufValue.UInt32((uint)c.VocabSize));
            yield return ("llama.rope.dimension_count", GgufValue.UInt32((uint)c.HeadDim));
        }
    }

    /// <summary>Every tensor with its llama.cpp name, shape and type; bytes are produced when the writer asks.</summary>
    static List<GgufTensor> Tensors(CausalLM model, GgufQuantization quantization)
    {
        var config = model.Config;
        var list = new List<GgufTensor>();
        if (config.RopeScaling is { } scaling)
        {
            var factors = Llama3RopeFactors(config, scaling);
            list.Add(new GgufTensor("rope_freqs.weight", [factors.Length], GgmlType.F32, () => GgmlFloats.Encode(GgmlType.F32, factors)));
        }
        foreach (var (hfName, tensor) in model.StateTensors())
        {
            var (name, layer) = GgufTensorNames.Map(hfName);
            var shape = tensor.shape;
            var type = quantization.TypeFor(name, shape, layer, config.NumLayers, config.TieWordEmbeddings);
            var source = tensor;
            list.Add(new GgufTensor(name, shape, type, () =>
            {
                var values = Values(source, hfName, config);
                return GgmlQuantizer.Encode(type, values, (int)shape[^1]);
            }));
        }
        return list;
    }

    /// <summary>
    /// The tensor's float values in llama.cpp's order. Llama's q/k rows are permuted from Hugging Face's
    /// rotate-half RoPE layout to the interleaved pairs llama.cpp's "llama" rope uses (convert_hf_to_gguf.py's
    /// LlamaModel.permute); Qwen2/Qwen3 use the rotate-half ("neox") rope and keep theirs.
    /// </summary>
    static float[] Values(Tensor tensor, string hfName, ModelConfig config)
    {
        using var scope = NewDisposeScope();
        var t = tensor.detach().to(ScalarType.Float32, CPU);
        if (config.Architecture == "LlamaForCausalLM")
        {
            if (hfName.EndsWith("self_attn.q_proj.weight") || hfName.EndsWith("self_attn.q_proj.bias")) t = PermuteForRope(t, config.NumHeads);
            else if (hfName.EndsWith("self_attn.k_proj.weight") || hfName.EndsWith("self_attn.k_proj.bias")) t = PermuteForRope(t, config.NumKeyValueHeads);
        }
        return t.contiguous().data<float>().ToArray();
    }

    static Tensor PermuteForRope(Tensor t, int heads)
    {
        var shape = t.shape;
        long[] split = [heads, 2, shape[0] / heads / 2, .. shape[1..]];
        return t.reshape(split).transpose(1, 2).reshape(shape);
    }

    /// <summary>Llama-3.1's per-frequency RoPE divisors, which llama.cpp reads from rope_freqs.weight.</summary>
    static float[] Llama3RopeFactors(ModelConfig c, Llama3RopeScaling s)
    {
        double lowWavelength = s.OriginalMaxPositionEmbeddings / s.LowFreqFactor, highWavelength = s.OriginalMaxPositionEmbeddings / s.HighFreqFactor;
        var factors = new float[c.HeadDim / 2];
        for (int i = 0; i < factors.Length; i++)
        {
            double frequency = 1.0 / Math.Pow(c.RopeTheta, 2.0 * i / c.HeadDim);
            double wavelength = 2 * Math.PI / frequency;
            if (wavelength < highWavelength) factors[i] = 1;
            else if (wavelength > lowWavelength) factors[i] = (float)s.Factor;
            else
            {
                double smooth = (s.OriginalMaxPositionEmbeddings / wavelength - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
                factors[i] = (float)(1 / ((1 - smooth) / s.Factor + smooth));
            }
        }
        return factors;
    }
}
