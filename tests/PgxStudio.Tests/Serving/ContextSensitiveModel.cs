using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.Engine.Models.Safetensors;
using static TorchSharp.torch;

namespace PgxStudio.Tests.Serving;

/// <summary>
/// The demo model folder (tokenizer, template, config) with wider random weights: its greedy answer depends on
/// the prompt, so a request that saw another request's keys, or the wrong positions, answers differently.
/// (At the demo's own 0.02 spread every prompt gets nearly the same answer and such a mistake could hide.)
/// </summary>
public static class ContextSensitiveModel
{
    static readonly Lazy<string> Folder = new(() =>
    {
        var dir = Path.Combine(System.IO.Directory.CreateTempSubdirectory().FullName, "pgx-demo-wide");
        DemoModel.Create(dir, "tiny", seed: 13);
        var config = ModelConfig.Load(dir);
        using var model = new CausalLM(config, new RandomWeights(13, ScalarType.Float32, CPU, std: 0.3), ScalarType.Float32, CPU);
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), model.StateTensors().ToList());
        return dir;
    });

    public static string Directory => Folder.Value;
}
