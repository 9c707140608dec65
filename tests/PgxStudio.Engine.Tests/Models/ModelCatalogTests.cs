using PgxStudio.Engine.Models;

namespace PgxStudio.Engine.Tests.Models;

public class ModelCatalogTests
{
    [Fact]
    public void Plain_folders_and_the_hub_cache_layout_are_found_and_broken_ones_say_why()
    {
        var root = Directory.CreateTempSubdirectory().FullName;
        var plain = ModelFixtures.Write(ModelFixtures.Qwen3());
        CopyTo(plain, Path.Combine(root, "team", "qwen3-tiny"));
        // Hub cache: models--org--name/snapshots/<rev>/ with the newest revision offered.
        var snapshot = Path.Combine(root, "hub", "models--Qwen--Qwen3-0.6B", "snapshots", "abc123");
        CopyTo(ModelFixtures.Write(ModelFixtures.Llama3()), snapshot);
        var broken = Path.Combine(root, "broken");
        CopyTo(plain, broken);
        File.WriteAllText(Path.Combine(broken, "config.json"), "{\"architectures\": [\"GPT2LMHeadModel\"]}");

        var entries = ModelCatalog.Scan([root, "/nonexistent"]);
        Assert.Equal(3, entries.Count);
        var hub = entries.Single(e => e.Name == "Qwen/Qwen3-0.6B");
        Assert.Equal(snapshot, hub.Path);
        Assert.Equal("LlamaForCausalLM", hub.Architecture);
        Assert.Equal("Qwen3ForCausalLM", entries.Single(e => e.Name == Path.Combine("team", "qwen3-tiny")).Architecture);
        Assert.Contains("GPT2LMHeadModel is not supported", entries.Single(e => e.Name == "broken").Problem);
        Assert.All(entries, e => Assert.True(e.Bytes > 0));
    }

    static void CopyTo(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }
}
