using PgxStudio.Engine.Training;

namespace PgxStudio.Engine.Tests.Training;

public class FreezeSelectionTests
{
    // A three-layer Llama-style model's parameter names, as Hugging Face writes them.
    static readonly string[] Names =
    [
        "model.embed_tokens.weight",
        .. Enumerable.Range(0, 3).SelectMany(i => new[]
        {
            $"model.layers.{i}.self_attn.q_proj.weight", $"model.layers.{i}.self_attn.k_proj.weight",
            $"model.layers.{i}.mlp.up_proj.weight", $"model.layers.{i}.mlp.down_proj.weight",
            $"model.layers.{i}.input_layernorm.weight",
        }),
        "model.norm.weight",
        "lm_head.weight",
    ];

    static IReadOnlySet<string> Trainable(int layers, string modules = "all", string? extra = null) =>
        FreezeSelection.Trainable(Names, new TrainingArguments { FreezeTrainableLayers = layers, FreezeTrainableModules = modules, FreezeExtraModules = extra });

    [Fact]
    public void Positive_counts_train_the_last_layers_and_negative_counts_the_first()
    {
        Assert.Equal(Names.Where(n => n.StartsWith("model.layers.1.") || n.StartsWith("model.layers.2.")).ToHashSet(), Trainable(2));
        Assert.Equal(Names.Where(n => n.StartsWith("model.layers.0.")).ToHashSet(), Trainable(-1));
        // More layers than the model has: all of them, as LLaMA-Factory clamps.
        Assert.Equal(Names.Where(n => n.StartsWith("model.layers.")).ToHashSet(), Trainable(10));
    }

    [Fact]
    public void Modules_narrow_the_layers_and_extra_modules_add_outside_ones()
    {
        Assert.Equal(["lm_head.weight", "model.layers.2.mlp.down_proj.weight", "model.layers.2.mlp.up_proj.weight", "model.norm.weight"],
            Trainable(1, "mlp", "norm,lm_head").Order());
    }

    [Fact]
    public void A_module_the_model_lacks_is_one_sentence_with_the_ones_it_has()
    {
        var e = Assert.Throws<ArgumentException>(() => Trainable(1, "mlp,ffn"));
        Assert.Equal("freeze_trainable_modules names ffn, which the layers of this model do not have: use all or some of input_layernorm,mlp,self_attn.", e.Message);
        e = Assert.Throws<ArgumentException>(() => Trainable(1, extra: "layers"));
        Assert.Equal("freeze_extra_modules names layers, which this model does not have outside its layers: use some of embed_tokens,lm_head,norm.", e.Message);
    }
}
