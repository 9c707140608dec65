using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Demo;

namespace PgxStudio.Cli;

/// <summary>The model shapes benchmarks can build with random weights: the demo models and the known published shapes.</summary>
public static class BenchShapes
{
    public static readonly string Names = string.Join(", ", ["demo-tiny", "demo-small", .. KnownShapes.ById.Keys.Select(KnownShapes.Short)]);

    public static ModelConfig Config(string shape, int? layers)
    {
        var config = shape switch
        {
            "demo-tiny" => DemoModel.Config("tiny", 576),
            "demo-small" => DemoModel.Config("small", 2048),
            _ => KnownShapes.Find(shape) ?? throw new ArgumentException($"--shape {shape} is not one of {Names}."),
        };
        return layers is { } n ? config with { NumLayers = n } : config;
    }
}
