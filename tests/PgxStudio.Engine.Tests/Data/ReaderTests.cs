using PgxStudio.Engine.Data;
using PgxStudio.Engine.Templates;

namespace PgxStudio.Engine.Tests.Data;

public class ReaderTests
{
    const string Info = """
    {
      "a": { "file_name": "a.json", "columns": { "prompt": "instruction", "query": "input", "response": "output", "history": "history", "system": "system" } },
      "s": { "file_name": "s.jsonl", "formatting": "sharegpt" },
      "o": { "file_name": "o.json", "formatting": "sharegpt", "columns": { "messages": "messages" },
             "tags": { "role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant", "system_tag": "system" } }
    }
    """;

    [Fact]
    public void Alpaca_history_becomes_earlier_turns_and_system_is_kept()
    {
        using var dir = new TempDir();
        dir.Write("dataset_info.json", Info);
        dir.Write("a.json", """[{"instruction":"Q2","input":"ctx","output":"A2","history":[["Q1","A1"]],"system":"Sys"}]""");
        var (c, skipped) = DatasetLoader.Read(DatasetRegistry.Load(dir.Path), "a");
        Assert.Empty(skipped);
        Assert.Equal([Message.User("Q1"), Message.Assistant("A1"), Message.User("Q2\nctx")], c[0].Prompt);
        Assert.Equal([Message.Assistant("A2")], c[0].Response);
        Assert.Equal("Sys", c[0].System);
    }

    [Fact]
    public void Sharegpt_malformed_examples_are_skipped_with_their_index()
    {
        using var dir = new TempDir();
        dir.Write("dataset_info.json", Info);
        dir.Write("s.jsonl", string.Join("\n",
            """{"conversations":[{"from":"system","value":"S"},{"from":"human","value":"hi"},{"from":"gpt","value":"yo"}]}""",
            """{"conversations":[{"from":"gpt","value":"wrong first"},{"from":"human","value":"x"}]}""",
            """{"conversations":[{"from":"human","value":"no answer"}]}""",
            """{"conversations":[{"from":"human","value":"q"},{"from":"function_call","value":"{}"},{"from":"observation","value":"r"},{"from":"gpt","value":"done"}]}"""));
        var (c, skipped) = DatasetLoader.Read(DatasetRegistry.Load(dir.Path), "s");
        Assert.Equal([0, 3], c.Select(x => x.Index));
        Assert.Equal("S", c[0].System);
        Assert.Equal([1, 2], skipped.Select(s => s.Index));
        Assert.Contains("role \"gpt\"", skipped[0].Reason);
        Assert.Equal([Role.User, Role.Function, Role.Observation], c[1].Prompt.Select(m => m.Role));
    }

    [Fact]
    public void Custom_tags_read_openai_style_messages()
    {
        using var dir = new TempDir();
        dir.Write("dataset_info.json", Info);
        dir.Write("o.json", """[{"messages":[{"role":"system","content":"S"},{"role":"user","content":"u"},{"role":"assistant","content":"a"}]}]""");
        var (c, skipped) = DatasetLoader.Read(DatasetRegistry.Load(dir.Path), "o");
        Assert.Empty(skipped);
        Assert.Equal("S", c[0].System);
        Assert.Equal("a", c[0].Response[0].Content);
    }

    [Fact]
    public void Datasets_mix_by_concatenation_with_max_samples_and_a_seeded_split()
    {
        using var dir = new TempDir();
        dir.Write("dataset_info.json", Info);
        dir.Write("a.json", "[" + string.Join(",", Enumerable.Range(0, 10).Select(i => $$"""{"instruction":"q{{i}}","input":"","output":"a{{i}}"}""")) + "]");
        dir.Write("s.jsonl", string.Join("\n", Enumerable.Range(0, 4).Select(i => $$"""{"conversations":[{"from":"human","value":"h{{i}}"},{"from":"gpt","value":"g{{i}}"}]}""")));
        var registry = DatasetRegistry.Load(dir.Path);
        var loaded = DatasetLoader.Load(registry, ["a", "s"], new DatasetLoadOptions { MaxSamples = 6 });
        Assert.Equal(10, loaded.Train.Count);
        Assert.Equal("q5", loaded.Train[5].Prompt[0].Content);
        Assert.Equal("h0", loaded.Train[6].Prompt[0].Content);
        var split1 = DatasetLoader.Load(registry, ["a", "s"], new DatasetLoadOptions { ValSize = 0.2, Seed = 1 });
        var split2 = DatasetLoader.Load(registry, ["a", "s"], new DatasetLoadOptions { ValSize = 0.2, Seed = 1 });
        Assert.Equal(3, split1.Validation.Count);
        Assert.Equal(11, split1.Train.Count);
        Assert.Equal(split1.Validation.Select(c => (c.Dataset, c.Index)), split2.Validation.Select(c => (c.Dataset, c.Index)));
        Assert.Empty(split1.Train.Intersect(split1.Validation));
    }

    [Fact]
    public void Bad_input_gives_one_sentence_naming_the_problem()
    {
        using var dir = new TempDir();
        dir.Write("dataset_info.json", Info);
        var registry = DatasetRegistry.Load(dir.Path);

        dir.Write("a.json", "[\n  {\"instruction\": \"x\",\n   \"output\": }\n]");
        var e = Assert.Throws<DatasetException>(() => DatasetLoader.Read(registry, "a"));
        Assert.Contains("a.json has malformed JSON at line 3, column", e.Message);

        dir.Write("a.json", """[{"question":"x","answer":"y"}]""");
        e = Assert.Throws<DatasetException>(() => DatasetLoader.Read(registry, "a"));
        Assert.Contains("column \"instruction\"", e.Message);
        Assert.Contains("question, answer", e.Message);

        File.WriteAllBytes(Path.Combine(dir.Path, "a.json"), [(byte)'[', 0xff, 0xfe, (byte)']']);
        e = Assert.Throws<DatasetException>(() => DatasetLoader.Read(registry, "a"));
        Assert.Contains("is not UTF-8", e.Message);

        e = Assert.Throws<DatasetException>(() => DatasetLoader.Read(registry, "missing"));
        Assert.Contains("Dataset 'missing' is not in", e.Message);

        dir.Write("s.jsonl", """{"conversations":[{"from":"human","value":"alone"}]}""");
        e = Assert.Throws<DatasetException>(() => DatasetLoader.Load(registry, ["s"]));
        Assert.Contains("Dataset 's'", e.Message);
        Assert.Contains("no usable examples", e.Message);

        dir.Write("s.jsonl", "{\"conversations\": []}\n{oops");
        e = Assert.Throws<DatasetException>(() => DatasetLoader.Read(registry, "s"));
        Assert.Contains("line 2, column", e.Message);
    }

    [Fact]
    public void Registering_a_dataset_keeps_the_others_and_their_order()
    {
        using var dir = new TempDir();
        var original = """{ "z": { "file_name": "z.json", "extra_key": 1 }, "b": { "file_name": "b.json" } }""";
        dir.Write("dataset_info.json", original);
        var registry = DatasetRegistry.Register(dir.Path, new DatasetEntry
        {
            Name = "mine", FileName = "mine.jsonl", Formatting = "sharegpt",
            Columns = new Dictionary<string, string> { ["messages"] = "conversations" },
        });
        Assert.Equal(["z", "b", "mine"], registry.Entries.Select(e => e.Name));
        Assert.Equal("sharegpt", registry.Get("mine").Formatting);
        Assert.Contains("\"extra_key\": 1", File.ReadAllText(registry.InfoPath));
        registry = DatasetRegistry.Register(dir.Path, new DatasetEntry { Name = "z", FileName = "z2.json" });
        Assert.Equal(["z", "b", "mine"], registry.Entries.Select(e => e.Name));
        Assert.Equal("z2.json", registry.Get("z").FileName);
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
