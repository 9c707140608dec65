namespace PgxStudio.Engine.Training;

/// <summary>
/// Which parameters a freeze run trains, by LLaMA-Factory's rules: the last N layers (the first N when N is negative),
/// only the named modules of those layers unless "all", plus named modules outside the layers.
/// Parameter names are Hugging Face's: <c>model.layers.3.mlp.up_proj.weight</c>, <c>model.norm.weight</c>.
/// </summary>
public static class FreezeSelection
{
    const string LayersPrefix = "model.layers.";

    /// <summary>
    /// The names of the parameters that train, from all of a model's parameter names (or its checkpoint's tensor names);
    /// a module the model lacks is one sentence naming what it has.
    /// </summary>
    public static IReadOnlySet<string> Trainable(IReadOnlyCollection<string> parameterNames, TrainingArguments args)
    {
        int numLayers = parameterNames.Select(LayerModule).Max(m => m?.Layer + 1) ?? 0;
        int n = args.FreezeTrainableLayers;
        var layers = n > 0
            ? Enumerable.Range(Math.Max(0, numLayers - n), Math.Min(n, numLayers))
            : Enumerable.Range(0, Math.Min(-n, numLayers));
        var layerSet = layers.ToHashSet();

        var layerModules = parameterNames.Select(LayerModule).Where(m => m is not null).Select(m => m!.Value.Module).ToHashSet();
        var outsideModules = parameterNames.Where(p => LayerModule(p) is null).Select(OwningModule).ToHashSet();

        bool all = args.FreezeModules.Contains("all");
        var unknown = args.FreezeModules.Where(m => m != "all" && !layerModules.Contains(m)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"freeze_trainable_modules names {string.Join(", ", unknown)}, which the layers of this model do not have: use all or some of {string.Join(",", layerModules.Order())}.");
        var unknownExtra = args.FreezeExtras.Where(m => !outsideModules.Contains(m)).ToList();
        if (unknownExtra.Count > 0)
            throw new ArgumentException($"freeze_extra_modules names {string.Join(", ", unknownExtra)}, which this model does not have outside its layers: use some of {string.Join(",", outsideModules.Order())}.");

        var trainable = new HashSet<string>();
        foreach (var name in parameterNames)
        {
            bool trains = LayerModule(name) is { } m
                ? layerSet.Contains(m.Layer) && (all || args.FreezeModules.Contains(m.Module))
                : args.FreezeExtras.Contains(OwningModule(name));
            if (trains) trainable.Add(name);
        }
        return trainable;
    }

    /// <summary>Layer index and the module right under it (<c>mlp</c>, <c>self_attn</c>, <c>input_layernorm</c>).</summary>
    static (int Layer, string Module)? LayerModule(string name)
    {
        if (!name.StartsWith(LayersPrefix)) return null;
        var parts = name[LayersPrefix.Length..].Split('.');
        return parts.Length >= 3 && int.TryParse(parts[0], out int layer) ? (layer, parts[1]) : null;
    }

    /// <summary>The module a parameter outside the layers belongs to: its name without weight/bias (<c>embed_tokens</c>, <c>norm</c>, <c>lm_head</c>).</summary>
    static string OwningModule(string name)
    {
        var parts = name.Split('.');
        return parts.Length >= 2 ? parts[^2] : parts[0];
    }
}
