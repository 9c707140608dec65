using System.Text.Json;
using PgxStudio.Benchmarks;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.Engine.Tokenization;
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
                """{"messages":[{"role":"user","content":"second"},{"role":"assistant","content":"y"}]}""" + "\n");
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
    public void Openai_formatted_datasets_give_their_first_user_message()
    {
        var dir = Directory.CreateTempSubdirectory("pgx-bench-openai").FullName;
        try
        {
            // LLaMA-Factory's openai formatting: "messages" with role/content, no columns or tags to spell out.
            File.WriteAllText(Path.Combine(dir, "dataset_info.json"), """{"oa": {"file_name": "oa.json", "formatting": "openai"}}""");
            File.WriteAllText(Path.Combine(dir, "oa.json"), """
                [{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"Name a river."},{"role":"assistant","content":"Nile"}]},
                 {"messages":[{"role":"user","content":"Name a sea."},{"role":"assistant","content":"Baltic"}]}]
                """);
            Assert.Equal(["Name a river.", "Name a sea."], BenchmarkPrompts.FromDataset(dir, "oa", 2));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    static string Qwen3Tokenizer => Path.Combine(RepoPaths.Root, "tests", "fixtures", "tokenizers", "qwen3");

    [Fact]
    public void Synthetic_prompts_have_exactly_the_asked_length_by_the_target_models_tokenizer()
    {
        var demo = Path.Combine(Directory.CreateTempSubdirectory("pgx-bench-tok").FullName, "pgx-demo-tiny");
        DemoModel.Create(demo, "tiny", seed: 3);
        foreach (var folder in new[] { Qwen3Tokenizer, demo })
        {
            var tokenizer = HfTokenizer.Load(folder);
            foreach (var length in new[] { 1, 7, 128, 1000 })
            {
                var set = BenchmarkPrompts.Synthetic(length, 4, tokenizer, Path.GetFileName(folder));
                Assert.All(set.Prompts, p => Assert.Equal(length, tokenizer.Encode(p).Count));
                Assert.Equal(4, set.Prompts.Distinct().Count());
                Assert.Equal($"synthetic {length} tokens (counted with the {Path.GetFileName(folder)} tokenizer)", set.Label);
            }
        }
    }

    [Fact]
    public void A_request_with_a_tokenizer_sends_prompts_of_the_length_it_names_and_without_one_says_it_estimates()
    {
        var request = new BenchmarkRequest { Url = "http://127.0.0.1:9/v1", Model = "qwen3", Number = 3, PromptLength = 128, Tokenizer = Qwen3Tokenizer };
        var prepared = request.Prepare(RealData);
        var tokenizer = HfTokenizer.Load(Qwen3Tokenizer);
        Assert.All(prepared.Prompts, p => Assert.Equal(128, tokenizer.Encode(p).Count));
        Assert.Equal("synthetic 128 tokens (counted with the qwen3 tokenizer)", prepared.Options.PromptsLabel);

        var estimated = (request with { Tokenizer = null }).Prepare(RealData);
        Assert.Equal("synthetic ~128 tokens (chars/4 estimate, no tokenizer given)", estimated.Options.PromptsLabel);
        Assert.All(estimated.Prompts, p => Assert.InRange(TokenEstimate.Of(p), 127, 128));

        var missing = Assert.Throws<PgxStudio.Runs.RunRequestException>(() => (request with { Tokenizer = "/nowhere/model" }).Prepare(RealData));
        Assert.Contains("/nowhere/model", missing.Message);
        Assert.Contains("tokenizer.json", missing.Message);
    }
}
