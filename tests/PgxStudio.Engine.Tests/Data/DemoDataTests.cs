using PgxStudio.Engine.Data;

namespace PgxStudio.Engine.Tests.Data;

public class DemoDataTests
{
    [Fact]
    public void The_shipped_demo_datasets_load_with_nothing_skipped()
    {
        var registry = DatasetRegistry.Load(Path.Combine(TestSupport.CommittedFiles.Root, "data"));
        Assert.Equal(["identity", "instruct_demo", "pretrain_demo"], registry.Entries.Select(e => e.Name));
        var sft = DatasetLoader.Load(registry, ["identity", "instruct_demo"]);
        Assert.Empty(sft.Skipped);
        Assert.Contains(sft.Train, c => c.Response[0].Content.Contains("PGX Studio"));
        Assert.Contains(sft.Train, c => c.Response[0].Content.Contains("微调"));
        var pt = DatasetLoader.Load(registry, ["pretrain_demo"], new DatasetLoadOptions { Stage = "pt" });
        Assert.Empty(pt.Skipped);
        Assert.True(pt.Train.Count >= 10);
    }
}
