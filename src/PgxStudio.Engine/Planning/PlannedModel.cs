using PgxStudio.Engine.Models;

namespace PgxStudio.Engine.Planning;

/// <summary>The shape a plan counts: a model folder's config.json, or a known Hugging Face id's published shape.</summary>
public static class PlannedModel
{
    public static ModelConfig Resolve(string modelNameOrPath)
    {
        if (File.Exists(Path.Combine(modelNameOrPath, "config.json"))) return ModelConfig.Load(modelNameOrPath);
        return KnownShapes.Find(modelNameOrPath) ?? throw new ModelFileException(
            $"model_name_or_path {modelNameOrPath} is neither a model folder with config.json nor a model whose shape the plan knows ({string.Join(", ", KnownShapes.ById.Keys)}).");
    }
}
