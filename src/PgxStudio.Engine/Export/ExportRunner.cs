using System.Diagnostics;
using System.Text.Json.Nodes;
using PgxStudio.Engine.Export.Gguf;
using PgxStudio.Engine.Export.ModelOpt;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Peft;
using PgxStudio.Engine.Tokenization;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Export;

/// <summary>Where an export stands: the stage ("gguf q4_k_m", "calibration", …) and its count of done units.</summary>
public sealed record ExportProgress(string Stage, int Done, int Total);

/// <summary>
/// `pgx export`: checks everything a user can get wrong before writing a byte (a quantized base, a format the model
/// cannot take, an export folder that is not an earlier export, the calibration data), merges the adapters into
/// the base once, writes every output into a staging folder and publishes it with its pgx_export.json.
/// </summary>
public static class ExportRunner
{
    public static ExportManifest Run(ExportSettings settings, Action<ExportProgress>? progress = null, CancellationToken cancel = default)
    {
        var modelDirectory = settings.ModelNameOrPath;
        var config = ModelConfig.Load(modelDirectory);
        if (QuantizedBase(modelDirectory) is { } quantized) throw new ArgumentException(quantized);
        if (ExportFolder.Problem(settings.ExportDir, modelDirectory) is { } folderProblem) throw new ArgumentException(folderProblem);
        if (settings.Formats.Contains("gguf"))
        {
            GgufExporter.ArchitectureOf(config);
            GgufVocabulary.Read(modelDirectory, config);
            if (settings.Template is { } template) Templates.ChatTemplates.Get(template); // the Modelfile's; an unknown name is one sentence
        }
        if (settings.Formats.Contains("nvfp4") && ModelOptExporter.Unsupported(config, ModelOptFormat.NvFp4) is { } nvfp4) throw new ArgumentException(nvfp4);
        var samples = settings.NeedsCalibration
            ? CalibrationSamples.Load(settings.QuantizationDataset!, settings.DatasetDir, HfTokenizer.Load(modelDirectory), settings.QuantizationSamples, settings.QuantizationMaxLength)
            : null;

        var staging = ExportFolder.Stage(settings.ExportDir);
        try
        {
            var written = new List<ExportedOutput>();
            var outputs = settings.Outputs;
            foreach (var output in outputs.Where(o => o.Format == "hf"))
                written.Add(Timed(output, staging, folder =>
                {
                    progress?.Invoke(new ExportProgress("hf", 0, 1));
                    ModelExporter.Export(settings with { ExportDir = folder });
                    progress?.Invoke(new ExportProgress("hf", 1, 1));
                }));

            var others = outputs.Where(o => o.Format != "hf").ToList();
            if (others.Count > 0)
            {
                Native.TorchRuntime.Initialize();
                using var model = Merged(settings);
                IReadOnlyDictionary<string, float>? inputAmax = samples is null ? null
                    : ActivationPass.InputAmax(model, samples, (done, total) => progress?.Invoke(new ExportProgress("calibration", done, total)), cancel);
                foreach (var output in others)
                    written.Add(Timed(output, staging, folder => Write(model, settings, output, folder, inputAmax, progress, cancel)));
            }

            var manifest = new ExportManifest(settings.Name, DateTime.UtcNow, modelDirectory, settings.AdapterNameOrPath,
                samples is null ? null : $"{settings.QuantizationDataset}: {samples.Count} samples of at most {settings.QuantizationMaxLength} tokens", written);
            cancel.ThrowIfCancellationRequested();
            manifest.Write(staging);
            ExportFolder.Publish(staging, settings.ExportDir);
            return manifest;
        }
        catch
        {
            ExportFolder.Discard(staging);
            throw;
        }
    }

    /// <summary>LLaMA-Factory refuses to merge adapters into a quantized model; so does this, with the reason.</summary>
    public static string? QuantizedBase(string modelDirectory)
    {
        var path = Path.Combine(modelDirectory, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        return json?["quantization_config"] is JsonObject q
            ? $"{path} has a quantization_config ({q["quant_method"]?.ToString() ?? "quantized"}): adapters cannot be merged into quantized weights, so export from the original full-precision model."
            : null;
    }

    /// <summary>The base with every adapter folded in, in fp32 on the export device.</summary>
    static CausalLM Merged(ExportSettings settings)
    {
        var device = settings.ExportDevice == "auto" ? Native.TorchRuntime.Info.Device : CPU;
        var model = CausalLM.Load(settings.ModelNameOrPath, ScalarType.Float32, device);
        try
        {
            foreach (var adapter in (settings.AdapterNameOrPath ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                LoraAdapter.Apply(model, adapter, merge: true);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    static void Write(CausalLM model, ExportSettings settings, ExportOutput output, string folder, IReadOnlyDictionary<string, float>? inputAmax,
        Action<ExportProgress>? progress, CancellationToken cancel)
    {
        void Report(int done, int total) => progress?.Invoke(new ExportProgress(output.Label, done, total));
        switch (output.Format)
        {
            case "gguf":
                GgufExporter.Export(model, settings.ModelNameOrPath, settings.Name, output.Quantization!, folder, settings.Template, Report, cancel);
                break;
            case "nvfp4":
            case "fp8":
                ModelOptExporter.Export(model, settings.ModelNameOrPath, output.Format == "nvfp4" ? ModelOptFormat.NvFp4 : ModelOptFormat.Fp8, inputAmax!,
                    folder, (long)settings.ExportSizeGigabytes * 1024 * 1024 * 1024, ProducerVersion, Report, cancel);
                break;
            default:
                throw new ArgumentException($"export_format {output.Format} has no writer.");
        }
    }

    static ExportedOutput Timed(ExportOutput output, string staging, Action<string> write)
    {
        var folder = Path.GetFullPath(Path.Combine(staging, output.Folder));
        Directory.CreateDirectory(folder);
        var clock = Stopwatch.StartNew();
        write(folder);
        var files = Directory.EnumerateFiles(folder).Select(f => new FileInfo(f))
            .Where(f => f.Name != ExportManifest.FileName).OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => new ExportedFile(f.Name, f.Length)).ToList();
        return new ExportedOutput(output.Format, output.Quantization?.Name, output.Folder, files, Math.Round(clock.Elapsed.TotalSeconds, 2));
    }

    public static string ProducerVersion => typeof(ExportRunner).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
