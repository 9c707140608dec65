using PgxStudio.Persistence;
using PgxStudio.Training;

namespace PgxStudio.Tests.Training;

public class TrainRunColumnsTests
{
    [Fact]
    public void A_train_runs_model_method_and_datasets_come_from_its_config()
    {
        var run = new Run { Kind = RunKind.Train, Config = File.ReadAllText(Path.Combine(TestSupport.RepoPaths.Root, "examples/train_lora/pgx_demo_lora_sft.yaml")) };
        TrainRunColumns.Fill(run);
        Assert.Equal(("saves/models/pgx-demo-tiny", "lora", "identity,instruct_demo"), (run.Model, run.Method, run.Datasets));
    }

    [Fact]
    public void An_unreadable_config_or_another_kind_leaves_them_empty()
    {
        var broken = new Run { Kind = RunKind.Train, Config = "model_name_or_path: [unclosed" };
        TrainRunColumns.Fill(broken);
        Assert.Equal((null, null, null), (broken.Model, broken.Method, broken.Datasets));
        var selfTest = new Run { Kind = RunKind.SelfTest, Config = "model_name_or_path: m" };
        TrainRunColumns.Fill(selfTest);
        Assert.Null(selfTest.Model);
    }
}
