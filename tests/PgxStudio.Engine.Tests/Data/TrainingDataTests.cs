using PgxStudio.Engine.Data;
using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Tests.Templates;

namespace PgxStudio.Engine.Tests.Data;

public class TrainingDataTests
{
    [Fact]
    public void Demo_datasets_encode_for_sft_and_pt_and_batch()
    {
        var registry = DatasetRegistry.Load(Path.Combine(TestSupport.CommittedFiles.Root, "data"));
        var tok = ByteTestTokenizer.Qwen();
        var template = ChatTemplates.Get("qwen3_nothink");
        var sft = TrainingData.Build(registry, ["identity", "instruct_demo"], "sft", template, tok,
            new SupervisedOptions { CutoffLen = 256 }, new DatasetLoadOptions { ValSize = 0.1, Seed = 7 });
        Assert.Equal(sft.Source.Train.Count, sft.Train.Count);
        Assert.NotEmpty(sft.Validation);
        Assert.All(sft.Train, e => Assert.True(e.InputIds.Count <= 256 && e.Labels.Count == e.InputIds.Count));
        Assert.All(sft.Train, e => Assert.Contains(e.Labels, l => l != EncodedExample.IgnoreIndex));

        var packed = TrainingData.Build(registry, ["identity"], "sft", template, tok, new SupervisedOptions { CutoffLen = 1024 }, packing: true);
        Assert.True(packed.Train.Count < packed.Source.Train.Count);

        var pt = TrainingData.Build(registry, ["pretrain_demo"], "pt", template, tok, new SupervisedOptions { CutoffLen = 64 });
        Assert.All(pt.Train, e => Assert.Equal(64, e.InputIds.Count));

        var batches = TrainingData.Batches(sft.Train, 4, shuffleSeed: 1).ToList();
        Assert.Equal(sft.Train.Count, batches.Sum(b => b.Count));
        Assert.All(batches.SkipLast(1), b => Assert.Equal(4, b.Count));
    }
}
