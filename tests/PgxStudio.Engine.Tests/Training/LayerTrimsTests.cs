using PgxStudio.Engine.Training;

namespace PgxStudio.Engine.Tests.Training;

/// <summary>When the checkpointed backward gives the heap's freed pages back: not after every layer.</summary>
public class LayerTrimsTests
{
    [Fact]
    public void It_trims_after_the_top_layer_then_only_when_resident_memory_passes_a_layer_and_a_half()
    {
        const long MiB = 1 << 20;
        // After the top layer's trim: 1,000 MiB; after the next layer: 1,400 (a layer's footprint: 400), so the limit
        // is 1,600. Then the heap creeps up 100 MiB a layer, and falls back to 1,400 after a trim.
        var readings = new Queue<long>(new long[] { 1000, 1400, 1500, 1600, 1700, 1400, 1500, 1650 }.Select(r => r * MiB));
        var trimmedAfter = new List<int>();
        int layer = 0;
        var trims = new LayerTrims(() => readings.Count > 0 ? readings.Dequeue() : null, () => trimmedAfter.Add(layer));
        trims.AfterLayer(); // the top layer: trims, then reads 1,000
        for (layer = 1; readings.Count > 0; layer++) trims.AfterLayer();
        Assert.Equal([0, 4, 7], trimmedAfter);
    }

    [Fact]
    public void Without_readings_it_trims_only_after_the_top_layer()
    {
        int calls = 0;
        var trims = new LayerTrims(() => null, () => calls++);
        for (int i = 0; i < 5; i++) trims.AfterLayer();
        Assert.Equal(1, calls);
    }
}
