using PgxStudio.Engine.Training;
using PgxStudio.Training;

namespace PgxStudio.Tests.Training;

public class TrainFormTests
{
    static readonly DateTime Noon = new(2025, 3, 4, 12, 0, 5);

    [Fact]
    public void A_new_form_has_LlamaBoards_defaults_and_a_time_named_output_folder()
    {
        var form = new TrainForm { ModelPath = "saves/models/pgx-demo-tiny", OutputName = TrainForm.DefaultOutputName(Noon) };
        var a = form.ToArguments();
        Assert.Equal("train_2025-03-04-12-00-05", form.OutputName);
        Assert.Equal("saves/pgx-demo-tiny/lora/train_2025-03-04-12-00-05", a.OutputDir);
        Assert.Equal((5e-5, 3.0, 100000, 2048, 2, 8), (a.LearningRate, a.NumTrainEpochs, a.MaxSamples, a.CutoffLen, a.PerDeviceTrainBatchSize, a.GradientAccumulationSteps));
        Assert.Equal(("cosine", 5, 100, 0, 0.0), (a.LrSchedulerType, a.LoggingSteps, a.SaveSteps, a.WarmupSteps, a.ValSize));
        Assert.Equal((8, 16.0, 0.0, "all"), (a.LoraRank, a.EffectiveLoraAlpha, a.LoraDropout, a.LoraTarget));
        Assert.True(a.Bf16);
        Assert.True(a.DoTrain);
        Assert.Null(a.Template); // auto: the engine picks it from the model
    }

    [Fact]
    public void Form_to_yaml_to_form_keeps_every_setting_and_the_CLI_reads_the_yaml()
    {
        var form = new TrainForm
        {
            ModelPath = "saves/models/pgx-demo-tiny", Method = "lora", Template = "qwen3_nothink", Stage = "sft",
            Datasets = ["identity", "instruct_demo"], LearningRate = 1e-4, Epochs = 2, MaxSamples = 50, ComputeType = ComputeType.Fp32,
            CutoffLength = 512, BatchSize = 4, GradientAccumulation = 2, ValSize = 0.1, LrScheduler = "linear", LoggingSteps = 1,
            SaveSteps = 20, WarmupSteps = 3, LoraRank = 4, LoraAlpha = 8, LoraDropout = 0.05, LoraTarget = "q_proj,v_proj", Seed = 7,
            OutputName = "my-run",
        };
        var yaml = form.ToArguments().ToYaml();
        Assert.Contains("learning_rate: 0.0001", yaml);
        Assert.Contains("dataset: identity,instruct_demo", yaml);

        // The same text the CLI reads (with its checks) gives the same arguments.
        var cli = TrainingConfigLoader.Parse(yaml, "preview").Arguments;
        Assert.Equal(yaml, cli.ToYaml());

        var back = TrainForm.FromArguments(TrainingConfigLoader.ReadUnchecked(yaml, "preview"), Noon);
        back.OutputName = "my-run";
        Assert.Equal(yaml, back.ToArguments().ToYaml());
        Assert.Equal(["identity", "instruct_demo"], back.Datasets);
        Assert.Equal(ComputeType.Fp32, back.ComputeType);
        Assert.Equal("qwen3_nothink", back.Template);
    }

    [Fact]
    public void Settings_without_a_control_ride_along_and_the_old_run_folder_does_not()
    {
        var yaml = """
            model_name_or_path: saves/models/pgx-demo-tiny
            finetuning_type: full
            dataset: identity
            output_dir: saves/pgx-demo-tiny/full/old
            weight_decay: 0.01
            warmup_ratio: 0.1
            resume_from_checkpoint: saves/pgx-demo-tiny/full/old/checkpoint-10
            """;
        var form = TrainForm.FromArguments(TrainingConfigLoader.ReadUnchecked(yaml, "old run"), Noon);
        var a = form.ToArguments();
        Assert.Equal((0.01, 0.1), (a.WeightDecay, a.WarmupRatio));
        Assert.Null(a.ResumeFromCheckpoint);
        Assert.Equal("saves/pgx-demo-tiny/full/train_2025-03-04-12-00-05", a.OutputDir);
        Assert.Equal("full", a.FinetuningType);
    }

    [Fact]
    public void Starting_from_a_finished_run_is_its_adapter_for_lora_and_its_weights_for_full()
    {
        var lora = new TrainForm { ModelPath = "m", Method = "lora", StartFrom = "saves/m/lora/a" }.ToArguments();
        Assert.Equal(("m", "saves/m/lora/a"), (lora.ModelNameOrPath, lora.AdapterNameOrPath));
        var full = new TrainForm { ModelPath = "m", Method = "full", StartFrom = "saves/m/full/b" }.ToArguments();
        Assert.Equal(("saves/m/full/b", (string?)null), (full.ModelNameOrPath, full.AdapterNameOrPath));
    }

    [Fact]
    public void A_value_that_is_not_a_number_is_one_sentence_with_the_line()
    {
        var e = Assert.Throws<TrainingConfigException>(() => TrainingConfigLoader.ReadUnchecked("dataset: identity\nlearning_rate: fast\n", "presets/x.yaml"));
        Assert.Equal("presets/x.yaml line 2: learning_rate 'fast' is not a number.", e.Message);
    }
}
