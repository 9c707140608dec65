using System.Text.Json;
using PgxStudio.Benchmarks;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Benchmarks;

/// <summary>Benchmark prompts from the real LLaMA-Factory demo datasets and from synthetic text.</summary>
public sealed class BenchmarkPromptsTests
{
    static string RealData => Path.Combine(RepoPaths.Shared, "datasets", "real");

    static JsonElement[] Rows(string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RealData, file))).RootElement.EnumerateArray().ToArray();

    [Fact]
    public void Alpaca_prompts_are_instruction_then_input()
    {
        var prompts = BenchmarkPrompts.FromDataset(RealData, "alpaca_en_demo", 5);
        var rows = Rows("alpaca_en_demo.json").Take(5).ToArray();
        for (int i = 0; i < 5; i++)
        {
            var input = rows[i].GetProperty("input").GetString();
            Assert.StartsWith(rows[i].GetProperty("instruction").GetString()!, prompts[i]);
            Assert.Equal(string.IsNullOrEmpty(input) ? "" : "\n" + input, prompts[i][rows[i].GetProperty("instruction").GetString()!.Length..]);
        }
    }

    [Fact]
    public void Sharegpt_prompts_are_the_first_human_turn()
    {
        var prompts = BenchmarkPrompts.FromDataset(RealData, "glaive_toolcall_en_demo", 3);
        var rows = Rows("glaive_toolcall_en_demo.json");
        for (int i = 0; i < 3; i++)
            Assert.Equal(rows[i].GetProperty("conversations").EnumerateArray().First(m => m.GetProperty("from").GetString() == "human").GetProperty("value").GetString(), prompts[i]);
    }

    [Fact]
    public void Openai_style_tags_and_jsonl_are_read_and_a_short_dataset_is_cycled()
    {
        var dir = Directory.CreateTempSubdirectory("pgx-bench-data").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "dataset_info.json"), """
                {"chats": {"file_name": "chats.jsonl", "formatting": "sharegpt",
                  "columns": {"messages": "messages"},
                  "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant"}}}
                """);
            File.WriteAllText(Path.Combine(dir, "chats.jsonl"),
                """{"messages":[{"role":"system","content":"be kind"},{"role":"user","content":"first"},{"role":"assistant","content":"x"}]}""" + "\n" +
                """{"messages":[{"role":"user","content":"second"}]}""" + "\n");
            Assert.Equal(["first", "second", "first"], BenchmarkPrompts.FromDataset(dir, "chats", 3));
            var e = Assert.Throws<InvalidDataException>(() => BenchmarkPrompts.FromDataset(dir, "nope", 1));
            Assert.Contains("has no dataset \"nope\"", e.Message);
            Assert.Contains("dataset_info.json", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Synthetic_prompts_have_about_the_asked_length_by_chars_over_4_and_differ()
    {
        var prompts = BenchmarkPrompts.Synthetic(100, 4);
        Assert.All(prompts, p => Assert.InRange(TokenEstimate.Of(p), 99, 100));
        Assert.Equal(4, prompts.Distinct().Count());
    }
}
