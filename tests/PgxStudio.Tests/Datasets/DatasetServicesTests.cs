using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PgxStudio.Datasets;
using PgxStudio.Engine.Data;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.Engine.Templates;
using PgxStudio.Hosting;
using PgxStudio.Runs;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Datasets;

public sealed class DatasetServicesTests : IDisposable
{
    readonly TempContentRoot _root = new();
    readonly StudioPaths _paths;
    readonly DatasetCatalog _catalog;

    public DatasetServicesTests()
    {
        _paths = new StudioPaths(_root.Path, new StudioOptions());
        _catalog = new DatasetCatalog(_paths);
    }

    public void Dispose() => _root.Dispose();

    string Data(string file) => Path.Combine(_root.Path, "data", file);

    DatasetUpload Upload(int limitMegabytes = 200) => new(_paths, Options.Create(new StudioOptions { UploadLimitMegabytes = limitMegabytes }));

    static Task<DatasetSummary> Add(DatasetUpload upload, string name, string file, string text, string format = "alpaca",
        Dictionary<string, string>? columns = null)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return upload.RegisterAsync(new DatasetUploadRequest(name, file, format, columns ?? [], new Dictionary<string, string>()), new MemoryStream(bytes), bytes.Length, new StudioUser("alice", false));
    }

    [Fact]
    public void The_list_has_every_registered_dataset_with_its_records_and_size_and_a_broken_one_says_why()
    {
        var info = JsonNode.Parse(File.ReadAllText(Data("dataset_info.json")))!.AsObject();
        info["gone"] = new JsonObject { ["file_name"] = "gone.json" };
        File.WriteAllText(Data("dataset_info.json"), info.ToJsonString());

        var (datasets, problem) = _catalog.List();
        Assert.Null(problem);
        var identity = datasets.Single(d => d.Name == "identity");
        Assert.Equal((DatasetFile.ReadRows(Data("identity.json")).Count, new FileInfo(Data("identity.json")).Length, "alpaca"), (identity.Samples!.Value, identity.Bytes!.Value, identity.Formatting));
        Assert.Contains("gone.json does not exist", datasets.Single(d => d.Name == "gone").Problem);
        Assert.Equal(["identity", "instruct_demo", "pretrain_demo", "gone"], datasets.Select(d => d.Name));
    }

    [Fact]
    public void A_preview_pages_through_records_and_lists_the_ones_training_skips()
    {
        File.WriteAllText(Data("mixed.json"), """
            [{"instruction": "Hi", "output": "Hello"},
             {"instruction": "no answer"},
             {"instruction": "Two", "input": "plus two", "output": "Four"}]
            """);
        DatasetRegistry.Register(Path.Combine(_root.Path, "data"), new DatasetEntry { Name = "mixed", FileName = "mixed.json" });

        var first = _catalog.Preview("mixed", 0, 2);
        Assert.Equal((3, 2), (first.Total, first.Records.Count));
        Assert.Equal([0, 1], first.Records.Select(r => r.Index));
        Assert.Equal([Role.User, Role.Assistant], first.Records[0].Conversation!.Messages.Select(m => m.Role));
        Assert.Null(first.Records[1].Conversation);
        Assert.NotNull(first.Records[1].SkippedBecause);
        Assert.Equal(1, Assert.Single(first.Skipped).Index);

        var second = _catalog.Preview("mixed", 1, 2);
        var last = Assert.Single(second.Records);
        Assert.Equal(2, last.Index);
        Assert.Contains("plus two", last.Conversation!.Prompt[0].Content); // alpaca input joins the instruction
        Assert.Contains("\"output\": \"Four\"", last.RawJson);
    }

    [Fact]
    public void Token_lengths_come_from_the_models_tokenizer_and_the_suggestion_keeps_99_percent_whole()
    {
        DemoModel.Create(Path.Combine(_root.Path, "saves/models/pgx-demo-tiny"), "tiny", seed: 3);
        var lengths = _catalog.Lengths("identity", "saves/models/pgx-demo-tiny");
        var s = lengths.Statistics;
        Assert.Equal(lengths.Total, lengths.Measured);
        Assert.Equal(DatasetFile.ReadRows(Data("identity.json")).Count, s.SampleCount);
        Assert.True(s.Min > 5, $"the shortest example is {s.Min} tokens: the template's tokens are counted");
        int suggested = s.SuggestCutoffLen(DatasetLengths.SuggestionCoverage);
        Assert.True(s.TruncatedShare(suggested) <= 0.01);
        Assert.Equal(1.0, s.TruncatedShare(s.Min - 1));
        Assert.Equal(s.SampleCount, s.Histogram(lengths.BucketWidth).Sum(b => b.Count));

        var missing = Assert.Throws<DatasetException>(() => _catalog.Lengths("identity", "saves/models/none"));
        Assert.Equal("The model folder saves/models/none does not exist; choose a model whose tokenizer measures the lengths.", missing.Message);
    }

    [Fact]
    public async Task An_upload_is_registered_keeping_every_other_entry_and_its_unknown_keys()
    {
        var info = JsonNode.Parse(File.ReadAllText(Data("dataset_info.json")))!.AsObject();
        info["identity"]!["hf_hub_url"] = "llamafactory/identity"; // a key the studio does not use
        File.WriteAllText(Data("dataset_info.json"), info.ToJsonString());

        var added = await Add(Upload(), "support_chats", "export.jsonl", """
            {"q": "How do I reset?", "a": "Hold the button."}
            {"q": "Where is it?", "a": "In the box."}
            """, columns: new() { ["prompt"] = "q", ["response"] = "a" });

        Assert.Equal(("support_chats", 2, "support_chats.jsonl"), (added.Name, added.Samples, added.File));
        var after = JsonNode.Parse(File.ReadAllText(Data("dataset_info.json")))!.AsObject();
        Assert.Equal(["identity", "instruct_demo", "pretrain_demo", "support_chats"], after.Select(p => p.Key));
        Assert.Equal("llamafactory/identity", (string?)after["identity"]!["hf_hub_url"]);
        Assert.Equal("q", (string?)after["support_chats"]!["columns"]!["prompt"]);
        Assert.Equal("Hold the button.", _catalog.Preview("support_chats", 0, 5).Records[0].Conversation!.Response[0].Content);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root.Path, "data"), ".*"));
    }

    [Fact]
    public async Task Each_bad_upload_is_one_sentence_and_changes_nothing()
    {
        var before = File.ReadAllText(Data("dataset_info.json"));
        var files = Directory.GetFiles(Path.Combine(_root.Path, "data")).Order().ToList();

        async Task<string> Refused(Task<DatasetSummary> upload) => (await Assert.ThrowsAsync<DatasetUploadException>(() => upload)).Message;

        Assert.StartsWith("notes.jsonl has malformed JSON at line 2", await Refused(Add(Upload(), "notes", "notes.jsonl", "{\"instruction\": \"a\", \"output\": \"b\"}\nthis is not json\n")));
        Assert.Equal("big.json is 1.5 MB, over the 1 MB upload limit; copy it into " + _paths.Data + " by hand or raise Studio:UploadLimitMegabytes.",
            await Refused(Add(Upload(limitMegabytes: 1), "big", "big.json", new string(' ', 1_572_864))));
        Assert.Equal("cols.json has no \"instruction\" column for the prompt; its records have \"question\", \"answer\": map the prompt column to one of them.",
            await Refused(Add(Upload(), "cols", "cols.json", """[{"question": "q", "answer": "a"}]""")));
        Assert.Equal("cols.json has no \"context\" column for the query; its records have \"instruction\", \"output\": map the query column to one of them.",
            await Refused(Add(Upload(), "cols", "cols.json", """[{"instruction": "q", "output": "a"}]""", columns: new() { ["query"] = "context" })));
        Assert.Equal("A dataset named identity is already registered; choose another name.",
            await Refused(Add(Upload(), "identity", "x.json", """[{"instruction": "q", "output": "a"}]""")));
        Assert.StartsWith("data.csv is not a .json or .jsonl file", await Refused(Add(Upload(), "csv", "data.csv", "a,b\n")));
        Assert.StartsWith("None of the 1 records of chat.json reads as a sharegpt example",
            await Refused(Add(Upload(), "chat", "chat.json", """[{"conversations": [{"from": "gpt", "value": "answer first"}]}]""", format: "sharegpt")));

        Assert.Equal(before, File.ReadAllText(Data("dataset_info.json")));
        Assert.Equal(files, Directory.GetFiles(Path.Combine(_root.Path, "data")).Order().ToList());

        File.WriteAllText(Data("dataset_info.json"), "{ broken");
        Assert.EndsWith("Fix dataset_info.json before adding datasets; nothing was changed.", await Refused(Add(Upload(), "ok", "ok.json", """[{"instruction": "q", "output": "a"}]""")));
        Assert.NotNull(_catalog.List().Problem);
    }

    [Fact]
    public async Task An_upload_into_a_folder_the_studio_cannot_write_names_that_folder_not_the_browser()
    {
        // A read-only data folder: mode 0555, which root ignores; as root, /sys/kernel refuses writes to everyone.
        var readOnly = Path.Combine(_root.Path, "read-only-data");
        Directory.CreateDirectory(readOnly);
        File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        try
        {
            if (CanWrite(readOnly)) readOnly = "/sys/kernel";
            Assert.False(CanWrite(readOnly), $"{readOnly} should refuse writes for this test");
            var paths = new StudioPaths(_root.Path, new StudioOptions { DataDirectory = readOnly });
            var upload = new DatasetUpload(paths, Options.Create(new StudioOptions()));

            var refused = await Assert.ThrowsAsync<DatasetUploadException>(() => Add(upload, "notes", "notes.json", """[{"instruction": "a", "output": "b"}]"""));
            Assert.StartsWith($"The studio cannot write into the data folder {readOnly} (", refused.Message);
            Assert.EndsWith("make it writable for the account that runs the studio, then upload again. Nothing was added.", refused.Message);
            Assert.DoesNotContain("browser", refused.Message);
        }
        finally
        {
            if (Directory.Exists(Path.Combine(_root.Path, "read-only-data")))
                File.SetUnixFileMode(Path.Combine(_root.Path, "read-only-data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    static bool CanWrite(string folder)
    {
        var probe = Path.Combine(folder, ".pgx-write-probe");
        try
        {
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [Fact]
    public void A_huge_record_is_cut_in_the_preview_and_shows_more_on_request_up_to_a_bound()
    {
        var huge = new string('y', 3_000_000);
        File.WriteAllText(Data("long.json"), $$"""[{"instruction": "Read this.", "input": "{{huge}}", "output": "Done."}]""");
        DatasetRegistry.Register(Path.Combine(_root.Path, "data"), new DatasetEntry { Name = "long", FileName = "long.json" });

        var record = _catalog.Preview("long", 0, 10).Records.Single();
        Assert.True(record.Cut);
        Assert.Equal(PreviewCut.FirstBudget, record.RawJson.Length);
        var turns = record.Conversation!.Messages.Sum(m => m.Content.Length) + record.Conversation.System.Length;
        Assert.Equal(PreviewCut.FirstBudget, turns);
        Assert.StartsWith("Read this.\nyyy", record.Conversation.Prompt[0].Content);

        var more = _catalog.Record("long", 0, PreviewCut.More(record.Budget))!;
        Assert.Equal(10 * PreviewCut.FirstBudget, more.RawJson.Length);
        var most = _catalog.Record("long", 0, int.MaxValue)!;
        Assert.Equal(PreviewCut.LargestBudget, most.RawJson.Length);
        Assert.False(most.CanShowMore);
        Assert.Null(_catalog.Record("long", 5, PreviewCut.FirstBudget));
    }
}
