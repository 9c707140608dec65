using PgxStudio.Engine.Training;

namespace PgxStudio.Engine.Tests.Training;

public class ExampleConfigTests
{
    static string Example(string name, string folder = "train_lora")
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PgxStudio.sln"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "examples", folder, name);
    }

    [Fact]
    public void SftExampleParsesWithNoWarnings()
    {
        var loaded = TrainingConfigLoader.Load(Example("pgx_demo_lora_sft.yaml"));
        Assert.Empty(loaded.Warnings);
        var a = loaded.Arguments;
        Assert.Equal("saves/models/pgx-demo-tiny", a.ModelNameOrPath);
        Assert.Equal("sft", a.Stage);
        Assert.Equal(["identity", "instruct_demo"], a.DatasetNames);
        Assert.Equal(1e-4, a.LearningRate);
        Assert.Equal("cosine", a.LrSchedulerType);
        Assert.Null(a.ResumeFromCheckpoint);
    }

    [Fact]
    public void FreezeExampleParsesWithNoWarnings()
    {
        var loaded = TrainingConfigLoader.Load(Example("pgx_demo_freeze_sft.yaml", "train_freeze"));
        Assert.Empty(loaded.Warnings);
        var a = loaded.Arguments;
        Assert.Equal(("freeze", 1, "mlp", "norm"), (a.FinetuningType, a.FreezeTrainableLayers, a.FreezeTrainableModules, a.FreezeExtraModules));
        Assert.Empty(TrainingArgumentsValidator.Validate(a));
    }

    [Fact]
    public void PretrainExampleParsesWithNoWarnings()
    {
        var loaded = TrainingConfigLoader.Load(Example("pgx_demo_lora_pretrain.yaml"));
        Assert.Empty(loaded.Warnings);
        Assert.Equal("pt", loaded.Arguments.Stage);
        Assert.Equal(["pretrain_demo"], loaded.Arguments.DatasetNames);
    }

    [Fact]
    public void PredictExampleParsesWithNoWarnings()
    {
        var loaded = TrainingConfigLoader.Load(Example("pgx_demo_lora_predict.yaml"), purpose: ConfigPurpose.Predict);
        Assert.Empty(loaded.Warnings);
        Assert.True(loaded.Arguments.PredictWithGenerate);
        Assert.Equal(["identity"], loaded.Arguments.EvalDatasetNames);
        Assert.Equal(256, loaded.Arguments.MaxNewTokens);
    }

    [Fact]
    public void OverridesApplyToAnExample()
    {
        var a = TrainingConfigLoader.Load(Example("pgx_demo_lora_sft.yaml"), ["num_train_epochs=1", "output_dir=/tmp/x"]).Arguments;
        Assert.Equal(1.0, a.NumTrainEpochs);
        Assert.Equal("/tmp/x", a.OutputDir);
    }
}
