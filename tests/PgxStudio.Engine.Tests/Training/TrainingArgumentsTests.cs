using PgxStudio.Engine.Training;

namespace PgxStudio.Engine.Tests.Training;

public class TrainingArgumentsTests
{
    const string Minimal = """
        model_name_or_path: saves/models/pgx-demo-tiny
        stage: sft
        do_train: true
        dataset: identity_pgx, instructions_demo
        output_dir: saves/pgx-demo-tiny/lora/run1
        """;

    static LoadedTrainingConfig Parse(string yaml, params string[] overrides) =>
        TrainingConfigLoader.Parse(yaml, "run.yaml", overrides);

    [Fact]
    public void DefaultsAreLlamaFactoryAndHuggingFaceOnes()
    {
        var a = Parse(Minimal).Arguments;
        Assert.Equal("lora", a.FinetuningType);
        Assert.Equal("all", a.LoraTarget);
        Assert.Equal(8, a.LoraRank);
        Assert.Null(a.LoraAlpha);
        Assert.Equal(16, a.EffectiveLoraAlpha);
        Assert.Equal(0, a.LoraDropout);
        Assert.Equal(2, a.FreezeTrainableLayers);
        Assert.Equal("data", a.DatasetDir);
        Assert.Equal(2048, a.CutoffLen);
        Assert.Equal(5e-5, a.LearningRate);
        Assert.Equal(3.0, a.NumTrainEpochs);
        Assert.Equal(-1, a.MaxSteps);
        Assert.Equal("linear", a.LrSchedulerType);
        Assert.Equal(1.0, a.MaxGradNorm);
        Assert.Equal((0.9, 0.999, 1e-8), (a.AdamBeta1, a.AdamBeta2, a.AdamEpsilon));
        Assert.Equal(42, a.Seed);
        Assert.Equal(1, a.PerDeviceTrainBatchSize);
        Assert.Equal(1, a.GradientAccumulationSteps);
        Assert.Equal(5, a.LoggingSteps);
        Assert.Equal(5, a.EffectiveEvalSteps);
        Assert.Equal(500, a.SaveSteps);
        Assert.Equal(["identity_pgx", "instructions_demo"], a.DatasetNames);
    }

    [Fact]
    public void ReadsLlamaFactoryValueSpellings()
    {
        var a = Parse(Minimal + """

            learning_rate: 1.0e-4
            num_train_epochs: 3.0
            lora_alpha: 32
            bf16: yes
            warmup_ratio: 0.1
            lr_scheduler_type: cosine
            max_samples: 1000
            packing: null
            report_to: none
            lora_target: [q_proj, v_proj]
            """).Arguments;
        Assert.Equal(1e-4, a.LearningRate);
        Assert.Equal(32, a.EffectiveLoraAlpha);
        Assert.True(a.Bf16);
        Assert.Equal(0.1, a.WarmupRatio);
        Assert.Equal("cosine", a.LrSchedulerType);
        Assert.Equal(1000, a.MaxSamples);
        Assert.Null(a.Packing);
        Assert.Equal("none", a.ReportTo);
        Assert.Equal(["q_proj", "v_proj"], a.LoraTargets);
    }

    [Fact]
    public void CommandLineOverridesWinOverTheFile()
    {
        var a = Parse(Minimal + "\nlearning_rate: 1.0e-4\n", "learning_rate=3e-4", "lora_rank=16", "do_train=false").Arguments;
        Assert.Equal(3e-4, a.LearningRate);
        Assert.Equal(16, a.LoraRank);
        Assert.Equal(32, a.EffectiveLoraAlpha);
        Assert.False(a.DoTrain);
    }

    [Fact]
    public void UnknownKeysAreWarningsNamingTheKeyAndLine()
    {
        var loaded = Parse(Minimal + "\nflash_attn: auto\n", "deepspeed=ds.json");
        Assert.Equal(2, loaded.Warnings.Count);
        Assert.Contains("flash_attn", loaded.Warnings[0]);
        Assert.Contains("run.yaml line 6", loaded.Warnings[0]);
        Assert.Contains("deepspeed", loaded.Warnings[1]);
    }

    [Fact]
    public void Enable_thinking_is_a_key_it_reaches_the_template_and_the_yaml_keeps_it()
    {
        var loaded = Parse(Minimal + "\ntemplate: qwen3\nenable_thinking: false\n");
        Assert.Empty(loaded.Warnings);
        Assert.False(loaded.Arguments.EnableThinking);
        Assert.Contains("enable_thinking: false", loaded.Arguments.ToYaml());
        Assert.DoesNotContain("enable_thinking", Parse(Minimal).Arguments.ToYaml()); // LLaMA-Factory's default, true, is left out
        var template = Assert.IsType<PgxStudio.Engine.Templates.ReasoningTemplate>(loaded.Arguments.ChatTemplate("no-model-folder-needed"));
        Assert.False(template.EnableThinking);
        Assert.True(Assert.IsType<PgxStudio.Engine.Templates.ReasoningTemplate>(Parse(Minimal + "\ntemplate: qwen3\n").Arguments.ChatTemplate("x")).EnableThinking);
    }

    [Theory]
    [InlineData("learning_rate: -1.0e-4", "learning_rate")]
    [InlineData("learning_rate: fast", "learning_rate")]
    [InlineData("lora_rank: 0", "lora_rank")]
    [InlineData("cutoff_len: 0", "cutoff_len")]
    [InlineData("stage: dpo", "stage")]
    [InlineData("finetuning_type: qlora", "finetuning_type")]
    [InlineData("lr_scheduler_type: polynomial", "lr_scheduler_type")]
    [InlineData("quantization_bit: 4\nquantization_method: gptq", "quantization_method: gptq is not supported")]
    [InlineData("quantization_bit: 4\nfinetuning_type: full", "LoRA only (QLoRA)")]
    [InlineData("bf16: true\nfp16: true", "bf16 and fp16")]
    [InlineData("per_device_train_batch_size: 0", "per_device_train_batch_size")]
    [InlineData("lora_dropout: 1.5", "lora_dropout")]
    [InlineData("warmup_ratio: 2", "warmup_ratio")]
    [InlineData("do_train: maybe", "do_train")]
    [InlineData("max_samples: 0", "max_samples")]
    public void InvalidValuesAreErrorsNamingTheKey(string line, string expected)
    {
        var e = Assert.Throws<TrainingConfigException>(() => Parse(Minimal + "\n" + line + "\n"));
        Assert.Contains(expected, e.Message);
        Assert.Contains("run.yaml", e.Message);
    }

    [Fact]
    public void MissingDatasetIsAnErrorForTrainingButNotForPredictionWithEvalDataset()
    {
        var yaml = "model_name_or_path: m\noutput_dir: o\neval_dataset: identity_pgx\n";
        var e = Assert.Throws<TrainingConfigException>(() => TrainingConfigLoader.Parse(yaml, "run.yaml"));
        Assert.Contains("dataset is missing", e.Message);
        var noGenerate = Assert.Throws<TrainingConfigException>(() => TrainingConfigLoader.Parse(yaml, "predict.yaml", purpose: ConfigPurpose.Predict));
        Assert.Contains("predict_with_generate", noGenerate.Message);
        var predict = TrainingConfigLoader.Parse(yaml, "predict.yaml", ["predict_with_generate=true"], ConfigPurpose.Predict).Arguments;
        Assert.Equal(["identity_pgx"], predict.EvalDatasetNames);
        Assert.Equal(1024, predict.MaxNewTokens);
        Assert.Equal(0.95, predict.Temperature);
        Assert.Equal(0.7, predict.TopP);
        Assert.True(predict.DoSample);
    }

    [Fact]
    public void PredictionKeysAreChecked()
    {
        var yaml = "model_name_or_path: m\noutput_dir: o\neval_dataset: d\npredict_with_generate: true\ntop_p: 0\n";
        var e = Assert.Throws<TrainingConfigException>(() => TrainingConfigLoader.Parse(yaml, "p.yaml", purpose: ConfigPurpose.Predict));
        Assert.Contains("top_p", e.Message);
    }

    [Fact]
    public void EveryProblemIsListed()
    {
        var e = Assert.Throws<TrainingConfigException>(() => Parse("stage: sft\nlora_rank: 0\n"));
        Assert.Contains(e.Problems, p => p.Contains("model_name_or_path"));
        Assert.Contains(e.Problems, p => p.Contains("output_dir"));
        Assert.Contains(e.Problems, p => p.Contains("dataset"));
        Assert.Contains(e.Problems, p => p.Contains("lora_rank"));
    }

    [Fact]
    public void BadYamlAndBadOverridesAreOneSentence()
    {
        var e = Assert.Throws<TrainingConfigException>(() => Parse("model_name_or_path: [unclosed\n"));
        Assert.Contains("run.yaml line", e.Message);
        var o = Assert.Throws<TrainingConfigException>(() => Parse(Minimal, "learning_rate"));
        Assert.Contains("key=value", o.Message);
        var m = Assert.Throws<TrainingConfigException>(() => TrainingConfigLoader.Load("/nonexistent/run.yaml"));
        Assert.Contains("/nonexistent/run.yaml", m.Message);
    }

    [Fact]
    public void ToYamlRoundTripsEveryKey()
    {
        var a = Parse(Minimal + """

            adapter_name_or_path: saves/x/lora/old
            learning_rate: 1.0e-4
            lora_alpha: 24
            lora_target: q_proj,v_proj
            template: 'qwen3'
            max_samples: 100
            val_size: 0.1
            packing: false
            warmup_steps: 3
            weight_decay: 0.01
            bf16: true
            resume_from_checkpoint: 'true'
            eval_steps: 10
            temperature: 0.6
            seed: 7
            """).Arguments;
        var yaml = TrainingArgumentsYaml.ToYaml(a);
        var back = TrainingConfigLoader.Parse(yaml, "round-trip");
        Assert.Empty(back.Warnings);
        foreach (var key in TrainingConfigKeys.All)
            Assert.True(Equals(key.Get(a), key.Get(back.Arguments)), $"{key.Name}: {key.Get(a)} became {key.Get(back.Arguments)}\n{yaml}");
        Assert.Contains("learning_rate: 0.0001", yaml);
        Assert.Equal("1.0e-8", TrainingConfigKeys.Format(1e-8)); // PyYAML reads "1e-8" as a string
        Assert.Contains("resume_from_checkpoint: 'true'", yaml);
        Assert.Contains("### method", yaml);

        var full = TrainingArgumentsYaml.ToYaml(a, includeDefaults: true);
        var fullBack = TrainingConfigLoader.Parse(full, "round-trip");
        Assert.Empty(fullBack.Warnings);
        foreach (var key in TrainingConfigKeys.All)
            Assert.Contains(key.Name + ":", full);
    }

    [Theory]
    [InlineData("ModelNameOrPath", "model_name_or_path")]
    [InlineData("AdamBeta1", "adam_beta1")]
    [InlineData("Bf16", "bf16")]
    [InlineData("TopP", "top_p")]
    public void PropertyNamesBecomeLlamaFactoryKeys(string property, string key) =>
        Assert.Equal(key, TrainingConfigKeys.SnakeCase(property));
}
