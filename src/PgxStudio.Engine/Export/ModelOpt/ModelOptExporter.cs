using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using PgxStudio.Engine.Export.Gguf;
using PgxStudio.Engine.Models;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Export.ModelOpt;

/// <summary>
/// Writes a merged model as an NVIDIA ModelOpt Hugging Face checkpoint that vLLM and TensorRT-LLM load. Each linear
/// projection of the decoder layers keeps its name and gains its scales, as vLLM's ModelOptNvFp4LinearMethod /
/// ModelOptFp8LinearMethod create them: NVFP4 — weight U8 [out, in/2], weight_scale F8_E4M3 [out, in/16],
/// weight_scale_2 F32 [], input_scale F32 []; FP8 — weight F8_E4M3 [out, in], weight_scale F32 [], input_scale F32 [].
/// Embeddings, norms, biases and lm_head stay bf16. Projections that read the same input (q/k/v, gate/up) share
/// their input scale and their per-tensor weight scale, as ModelOpt's export unifies them, because vLLM fuses them
/// into one matrix with one such scale.
/// </summary>
public static class ModelOptExporter
{
    static readonly string[][] FusedGroups =
    [
        ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"],
        ["self_attn.o_proj"],
        ["mlp.gate_proj", "mlp.up_proj"],
        ["mlp.down_proj"],
    ];

    static readonly string[] CopiedFiles = ["generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt", "chat_template.jinja"];

    /// <summary>The sentence saying why a model cannot take <paramref name="format"/>, or null when it can.</summary>
    public static string? Unsupported(ModelConfig config, ModelOptFormat format)
    {
        if (format != ModelOptFormat.NvFp4) return null;
        foreach (var (size, key) in new[] { ((long)config.HiddenSize, "hidden_size"), (config.IntermediateSize, "intermediate_size"), ((long)config.NumHeads * config.HeadDim, "num_attention_heads × head_dim") })
            if (size % NvFp4Quantizer.GroupSize != 0)
                return $"nvfp4 needs every linear layer's input width to be a multiple of {NvFp4Quantizer.GroupSize}, but this model's {key} is {size}; export it as fp8 or gguf instead.";
        return null;
    }

    public static IReadOnlyList<string> Export(CausalLM model, string modelDirectory, ModelOptFormat format, IReadOnlyDictionary<string, float> inputAmax,
        string folder, long maxShardBytes, string producerVersion, Action<int, int>? progress = null, CancellationToken cancel = default)
    {
        if (Unsupported(model.Config, format) is { } problem) throw new ArgumentException(problem);
        Directory.CreateDirectory(folder);
        var tensors = Tensors(model, format, inputAmax);
        var files = RawSafetensorsWriter.WriteSharded(folder, tensors, maxShardBytes, done => progress?.Invoke(done, tensors.Count), cancel);

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(modelDirectory, "config.json")))!.AsObject();
        config.Remove("dtype");
        config["torch_dtype"] = "bfloat16";
        config["quantization_config"] = format.QuantizationConfig(producerVersion);
        var indented = new JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString(indented));
        File.WriteAllText(Path.Combine(folder, "hf_quant_config.json"), format.HfQuantConfig(producerVersion).ToJsonString(indented));
        foreach (var file in CopiedFiles)
            if (File.Exists(Path.Combine(modelDirectory, file)))
                File.Copy(Path.Combine(modelDirectory, file), Path.Combine(folder, file), overwrite: true);
        return files;
    }

    static List<RawTensor> Tensors(CausalLM model, ModelOptFormat format, IReadOnlyDictionary<string, float> inputAmax)
    {
        var parameters = model.StateTensors().ToDictionary(p => p.Name, p => p.Tensor);
        var weightAmax = new Dictionary<string, float>();
        var groupInputAmax = new Dictionary<string, float>();
        for (int i = 0; i < model.Config.NumLayers; i++)
            foreach (var group in FusedGroups)
            {
                var names = group.Select(g => $"model.layers.{i}.{g}").ToList();
                float w = names.Max(n => Amax(parameters[n + ".weight"]));
                float a = names.Max(n => inputAmax.TryGetValue(n, out var v) ? v
                    : throw new ArgumentException($"The calibration pass never reached {n}; it cannot be given an input scale."));
                foreach (var n in names)
                {
                    weightAmax[n] = w;
                    groupInputAmax[n] = a;
                }
            }

        var list = new List<RawTensor>();
        foreach (var (name, tensor) in parameters)
        {
            var module = name.EndsWith(".weight", StringComparison.Ordinal) ? name[..^".weight".Length] : null;
            if (module is null || !weightAmax.ContainsKey(module))
            {
                list.Add(Bf16(name, tensor));
                continue;
            }
            long rows = tensor.shape[0], columns = tensor.shape[1];
            float inputScale = format == ModelOptFormat.NvFp4
                ? NvFp4Quantizer.GlobalScale(groupInputAmax[module])  // amax / (6·448)
                : Fp8Quantizer.Scale(groupInputAmax[module]);          // amax / 448
            if (format == ModelOptFormat.NvFp4)
            {
                float global = NvFp4Quantizer.GlobalScale(weightAmax[module]);
                var quantized = new Once<NvFp4Weight>(() => NvFp4Quantizer.Quantize(Floats(tensor), (int)columns, global));
                list.Add(new RawTensor(name, "U8", [rows, columns / 2], rows * columns / 2, () => quantized.Take().Packed));
                list.Add(new RawTensor(module + ".weight_scale", "F8_E4M3", [rows, columns / NvFp4Quantizer.GroupSize], rows * columns / NvFp4Quantizer.GroupSize, () => quantized.Take().BlockScales));
                list.Add(Scalar(module + ".weight_scale_2", global));
            }
            else
            {
                float scale = Fp8Quantizer.Scale(weightAmax[module]);
                list.Add(new RawTensor(name, "F8_E4M3", [rows, columns], rows * columns, () => Fp8Quantizer.Quantize(Floats(tensor), scale)));
                list.Add(Scalar(module + ".weight_scale", scale));
            }
            list.Add(Scalar(module + ".input_scale", inputScale));
        }
        return list;
    }

    static RawTensor Bf16(string name, Tensor tensor) =>
        new(name, "BF16", tensor.shape, tensor.NumberOfElements * 2, () => GgmlFloats.Encode(GgmlType.BF16, Floats(tensor)));

    static RawTensor Scalar(string name, float value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        return new RawTensor(name, "F32", [], 4, () => bytes);
    }

    static float Amax(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().abs().max().to(ScalarType.Float32).item<float>();
    }

    static float[] Floats(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().to(ScalarType.Float32, CPU).contiguous().data<float>().ToArray();
    }

    /// <summary>A value two tensors of the file are cut from: computed at the first take, forgotten after the second.</summary>
    sealed class Once<T>(Func<T> make) where T : class
    {
        T? _value;
        int _taken;

        public T Take()
        {
            var value = _value ??= make();
            if (++_taken == 2) _value = null;
            return value;
        }
    }
}
