using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Training;

namespace PgxStudio.Tests.Training;

[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public class TrainFormCheckTests
{
    [Fact]
    public async Task A_valid_form_has_no_problems()
    {
        await using var ctx = TrainStudio.Create();
        Assert.Empty(ctx.Services.GetRequiredService<TrainFormCheck>().Check(TrainStudio.SmallForm()).All);
    }

    [Theory]
    [InlineData("learning_rate", "learning_rate must be positive, got -0.001.")]
    [InlineData("cutoff_len", "cutoff_len must be at least 1, got 0.")]
    [InlineData("lora_rank", "lora_rank must be at least 1, got 0.")]
    [InlineData("dataset", "dataset is missing: pick one or more datasets from the list.")]
    [InlineData("per_device_train_batch_size", "per_device_train_batch_size must be at least 1.")]
    [InlineData("lr_scheduler_type", "lr_scheduler_type 'sometimes' is not supported: use linear, cosine, constant, constant_with_warmup.")]
    public async Task An_impossible_value_is_the_CLIs_sentence_at_its_field(string field, string message)
    {
        await using var ctx = TrainStudio.Create();
        var form = TrainStudio.SmallForm();
        switch (field)
        {
            case "learning_rate": form.LearningRate = -0.001; break;
            case "cutoff_len": form.CutoffLength = 0; break;
            case "lora_rank": form.LoraRank = 0; break;
            case "dataset": form.Datasets = []; break;
            case "per_device_train_batch_size": form.BatchSize = 0; break;
            case "lr_scheduler_type": form.LrScheduler = "sometimes"; break;
        }
        var problems = ctx.Services.GetRequiredService<TrainFormCheck>().Check(form);
        Assert.Equal([field], problems.Fields);
        Assert.Equal(message, problems.At(field));
    }

    [Fact]
    public async Task A_missing_model_folder_an_unknown_dataset_and_a_bad_output_name_are_reported_at_their_fields()
    {
        await using var ctx = TrainStudio.Create();
        var form = TrainStudio.SmallForm();
        form.ModelPath = "saves/models/no-such-model";
        form.Datasets = ["identity", "nope"];
        form.OutputName = "../escape";
        var problems = ctx.Services.GetRequiredService<TrainFormCheck>().Check(form);
        Assert.Contains("saves/models/no-such-model does not exist", problems.At(TrainFields.Model));
        Assert.StartsWith("dataset 'nope' is not in data/dataset_info.json: pick one of identity, instruct_demo, pretrain_demo", problems.At(TrainFields.Datasets));
        Assert.Contains("'../escape' cannot be used", problems.At(TrainFields.OutputDir));
    }

    [Fact]
    public async Task Freeze_modules_are_checked_against_the_models_own_tensor_names_at_their_fields()
    {
        await using var ctx = TrainStudio.Create();
        var form = TrainStudio.SmallForm();
        form.Method = "freeze";
        form.FreezeTrainableModules = "mlp,self_attn";
        form.FreezeExtraModules = "embed_tokens";
        var check = ctx.Services.GetRequiredService<TrainFormCheck>();
        Assert.Empty(check.Check(form).All);

        form.FreezeTrainableModules = "mlp,attention";
        form.FreezeExtraModules = "head";
        var problems = check.Check(form);
        Assert.Equal("freeze_trainable_modules names attention, which the layers of this model do not have: use all or some of input_layernorm,mlp,post_attention_layernorm,self_attn.",
            problems.At("freeze_trainable_modules"));
        form.FreezeTrainableModules = "all";
        Assert.StartsWith("freeze_extra_modules names head, which this model does not have outside its layers: use some of embed_tokens,",
            check.Check(form).At("freeze_extra_modules"));

        // A cloned freeze run keeps its modules, and the YAML says them.
        form.FreezeTrainableModules = "mlp";
        form.FreezeExtraModules = "norm";
        var args = form.ToArguments();
        Assert.Contains("freeze_trainable_modules: mlp\nfreeze_extra_modules: norm\n", args.ToYaml());
        var clone = TrainForm.FromArguments(args, DateTime.Now);
        Assert.Equal(("mlp", "norm"), (clone.FreezeTrainableModules, clone.FreezeExtraModules));
    }

    [Fact]
    public async Task Both_half_precisions_from_a_loaded_config_show_at_the_compute_type()
    {
        await using var ctx = TrainStudio.Create();
        var args = TrainStudio.SmallForm().ToArguments();
        args.Fp16 = true; // bf16 is the form's default: a hand-written config can set both
        var form = TrainForm.FromArguments(args, DateTime.Now);
        form.ComputeType = ComputeType.Bf16;
        var problems = ctx.Services.GetRequiredService<TrainFormCheck>().Check(form);
        Assert.Empty(problems.All); // the form's compute type decides both flags
        args.WeightDecay = -1;
        problems = ctx.Services.GetRequiredService<TrainFormCheck>().Check(TrainForm.FromArguments(args, DateTime.Now));
        Assert.Equal(["weight_decay must not be negative."], problems.Elsewhere(["dataset"]));
    }

    [Fact]
    public async Task A_pretraining_dataset_on_an_sft_run_is_refused_at_the_datasets_field_and_fits_a_pt_run()
    {
        await using var ctx = TrainStudio.Create();
        var check = ctx.Services.GetRequiredService<TrainFormCheck>();
        var form = TrainStudio.SmallForm();
        form.Datasets = ["identity", "pretrain_demo"];

        var problems = check.Check(form);
        Assert.Equal([TrainFields.Datasets], problems.Fields);
        Assert.Equal("dataset 'pretrain_demo' is plain text without answers, which an sft run cannot learn from: choose stage pt for it, or an instruction dataset.",
            problems.At(TrainFields.Datasets));
        var start = await ctx.Services.GetRequiredService<TrainLauncher>().StartAsync(form, new PgxStudio.Runs.StudioUser("alice", false));
        Assert.Null(start.Run);
        Assert.Empty(await ctx.Services.GetRequiredService<PgxStudio.Runs.RunService>().QueueAsync());

        form.Datasets = ["pretrain_demo"];
        form.Stage = "pt";
        Assert.Empty(check.Check(form).All);
    }
}
