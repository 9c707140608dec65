using PgxStudio.Engine.Data;
using PgxStudio.Engine.Templates;

namespace PgxStudio.Engine.Tests.Data;

public class RealDatasetTests
{
    public static TheoryData<string> RealEntries()
    {
        var registry = DatasetRegistry.Load(RepoPaths.RealDatasets);
        var data = new TheoryData<string>();
        foreach (var e in registry.Entries.Where(e => e.FileName is not null && File.Exists(registry.PathOf(e)))) data.Add(e.Name);
        return data;
    }

    [Fact]
    public void The_real_folder_has_the_demo_files_we_test()
    {
        var registry = DatasetRegistry.Load(RepoPaths.RealDatasets);
        var names = registry.Entries.Where(e => e.FileName is not null && File.Exists(registry.PathOf(e))).Select(e => e.Name).ToList();
        Assert.Contains("alpaca_en_demo", names);
        Assert.Contains("glaive_toolcall_en_demo", names);
        Assert.Contains("wiki_demo", names);
    }

    [Theory]
    [MemberData(nameof(RealEntries))]
    public void Every_real_dataset_parses_with_nothing_skipped(string name)
    {
        var registry = DatasetRegistry.Load(RepoPaths.RealDatasets);
        var (conversations, skipped) = DatasetLoader.Read(registry, name);
        Assert.Empty(skipped);
        Assert.NotEmpty(conversations);
        var raw = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(registry.PathOf(registry.Get(name))) is var t && t.TrimStart().StartsWith('[') ? t : "[]");
        if (raw is System.Text.Json.Nodes.JsonArray array && array.Count > 0) Assert.Equal(array.Count, conversations.Count);
    }

    [Fact]
    public void Alpaca_rows_become_one_user_turn_and_one_answer()
    {
        var registry = DatasetRegistry.Load(RepoPaths.RealDatasets);
        var (conversations, _) = DatasetLoader.Read(registry, "alpaca_en_demo");
        var raw = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(registry.PathOf(registry.Get("alpaca_en_demo"))))!.AsArray();
        var withInput = Enumerable.Range(0, raw.Count).First(i => raw[i]!["input"]!.GetValue<string>().Length > 0);
        var c = conversations[withInput];
        Assert.Equal(raw[withInput]!["instruction"]!.GetValue<string>() + "\n" + raw[withInput]!["input"]!.GetValue<string>(), c.Prompt.Single().Content);
        Assert.Equal(raw[withInput]!["output"]!.GetValue<string>(), c.Response.Single().Content);
        Assert.True(c.IsValidForSupervised);
    }

    [Fact]
    public void Glaive_tool_calls_keep_function_and_observation_roles_and_tools()
    {
        var registry = DatasetRegistry.Load(RepoPaths.RealDatasets);
        var (conversations, _) = DatasetLoader.Read(registry, "glaive_toolcall_en_demo");
        Assert.Contains(conversations, c => c.Prompt.Any(m => m.Role == Role.Function) && c.Prompt.Any(m => m.Role == Role.Observation));
        Assert.All(conversations, c => Assert.True(c.IsValidForSupervised));
        Assert.Contains(conversations, c => c.Tools.Length > 0);
    }

    [Fact]
    public void Plain_text_and_json_lines_give_pretraining_text()
    {
        var registry = DatasetRegistry.Load(RepoPaths.RealDatasets);
        var loaded = DatasetLoader.Load(registry, ["wiki_demo", "c4_demo"], new DatasetLoadOptions { Stage = "pt", MaxSamples = 5 });
        Assert.Equal(10, loaded.Train.Count);
        Assert.StartsWith("Anarchism", loaded.Train[0].Prompt[0].Content);
        Assert.Empty(loaded.Train[0].Response);
    }
}
