using System.Text.Json;
using System.Text.Json.Nodes;
using PgxStudio.Engine.Data;
using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Tokenization;
using PgxStudio.Hosting;

namespace PgxStudio.Datasets;

/// <summary>A registered dataset as the list shows it; Problem says why its file cannot be read.</summary>
public sealed record DatasetSummary(string Name, string Formatting, string? File, int? Samples, long? Bytes, string? Problem);

/// <summary>
/// One record of a preview: its index in the file, the raw JSON, and the conversation it reads as (null if skipped),
/// each cut to <see cref="Budget"/> characters; <see cref="Cut"/> says whether anything was left out.
/// </summary>
public sealed record PreviewRecord(int Index, string RawJson, Conversation? Conversation, string? SkippedBecause, int Budget = PreviewCut.FirstBudget, bool Cut = false)
{
    /// <summary>Whether "show more" can show more of it.</summary>
    public bool CanShowMore => Cut && Budget < PreviewCut.LargestBudget;
}

public sealed record DatasetPreview(DatasetSummary Dataset, IReadOnlyList<PreviewRecord> Records, int Total, IReadOnlyList<SkippedExample> Skipped);

/// <summary>Token lengths of a dataset under a model's tokenizer and template, and what they mean for cutoff_len.</summary>
public sealed record DatasetLengths(DatasetStatistics Statistics, int Measured, int Total, string Model, string Template, int BucketWidth)
{
    public const double SuggestionCoverage = 0.99;
}

/// <summary>
/// The Datasets page's reading side: the registry in data/dataset_info.json, paged previews by format, skipped
/// examples with their reasons, and token-length statistics as the training encoder counts them.
/// </summary>
public sealed class DatasetCatalog(StudioPaths paths)
{
    /// <summary>Only the first records are measured: enough for percentiles, quick enough for a page.</summary>
    public const int MeasuredLimit = 5000;

    static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Every registered dataset (a broken file is listed with its reason), or the registry's own problem.</summary>
    public (IReadOnlyList<DatasetSummary> Datasets, string? Problem) List()
    {
        DatasetRegistry registry;
        try { registry = DatasetRegistry.Load(paths.Data); }
        catch (DatasetException e) { return ([], e.Message); }
        return (registry.Entries.Select(e => Summarize(registry, e)).ToList(), null);
    }

    static DatasetSummary Summarize(DatasetRegistry registry, DatasetEntry entry)
    {
        if (entry.FileName is null) return new(entry.Name, entry.Formatting, null, null, null, "This entry points at the Hugging Face hub, which this machine cannot reach; add a local file_name.");
        var path = registry.PathOf(entry);
        try
        {
            var rows = DatasetFile.ReadRows(path);
            return new(entry.Name, entry.Formatting, entry.FileName, rows.Count, new FileInfo(path).Length, null);
        }
        catch (Exception e) when (e is DatasetException or IOException or UnauthorizedAccessException)
        {
            return new(entry.Name, entry.Formatting, entry.FileName, null, File.Exists(path) ? new FileInfo(path).Length : null, e.Message);
        }
    }

    /// <summary>One page of records read as training will read them; throws <see cref="DatasetException"/> with one sentence.</summary>
    public DatasetPreview Preview(string name, int page, int pageSize)
    {
        var read = ReadAll(name);
        var records = Enumerable.Range(page * pageSize, Math.Max(0, Math.Min(pageSize, read.Rows.Count - page * pageSize)))
            .Select(i => read.Record(i, PreviewCut.FirstBudget))
            .ToList();
        var summary = new DatasetSummary(read.Entry.Name, read.Entry.Formatting, read.Entry.FileName, read.Rows.Count, new FileInfo(read.File).Length, null);
        return new DatasetPreview(summary, records, read.Rows.Count, read.Skipped);
    }

    /// <summary>Record <paramref name="index"/> with a larger budget ("show more"); null when the file has no such record.</summary>
    public PreviewRecord? Record(string name, int index, int budget)
    {
        var read = ReadAll(name);
        return index >= 0 && index < read.Rows.Count ? read.Record(index, Math.Clamp(budget, 1, PreviewCut.LargestBudget)) : null;
    }

    /// <summary>A dataset's rows, the conversations training uses by index, and why it skips the others.</summary>
    sealed record ReadDataset(DatasetEntry Entry, string File, IReadOnlyList<JsonObject> Rows,
        IReadOnlyDictionary<int, Conversation> Usable, IReadOnlyList<SkippedExample> Skipped)
    {
        public PreviewRecord Record(int index, int budget)
        {
            var raw = Rows[index].ToJsonString(Pretty);
            bool conversationCut = false;
            var shown = Usable.TryGetValue(index, out var c) ? PreviewCut.Turns(c, budget, out conversationCut) : null;
            var why = Skipped.FirstOrDefault(s => s.Index == index)?.Reason;
            return new PreviewRecord(index, PreviewCut.Text(raw, budget), shown, why, budget, raw.Length > budget || conversationCut);
        }
    }

    ReadDataset ReadAll(string name)
    {
        var registry = DatasetRegistry.Load(paths.Data);
        var entry = registry.Get(name);
        var file = registry.PathOf(entry);
        var rows = DatasetFile.ReadRows(file);
        var (read, unreadable) = ConversationReader.Read(entry, rows, file);
        // What training drops: records that do not read, and those its stage cannot use (an SFT record without an answer).
        var stage = StageOf(read);
        var verdicts = read.Select(c => (Conversation: c, Why: DatasetLoader.Unusable(c, stage))).ToList();
        var skipped = unreadable
            .Concat(verdicts.Where(v => v.Why is not null).Select(v => new SkippedExample(name, v.Conversation.Index, v.Why!.ToString())))
            .OrderBy(s => s.Index).ToList();
        var usable = verdicts.Where(v => v.Why is null).ToDictionary(v => v.Conversation.Index, v => v.Conversation);
        return new ReadDataset(entry, file, rows, usable, skipped);
    }

    /// <summary>
    /// Token lengths (prompt + response with the template, as the supervised encoder builds them) of the first
    /// <see cref="MeasuredLimit"/> examples. Slow on big sets: call it off the UI thread.
    /// </summary>
    public DatasetLengths Lengths(string name, string modelPath, string? template = null)
    {
        var registry = DatasetRegistry.Load(paths.Data);
        var (conversations, _) = DatasetLoader.Read(registry, name);
        var model = paths.Resolve(modelPath);
        if (!Directory.Exists(model))
            throw new DatasetException($"The model folder {modelPath} does not exist; choose a model whose tokenizer measures the lengths.");
        var tokenizer = HfTokenizer.Load(model);
        var chat = ChatTemplates.ForModel(model, template);
        var stage = StageOf(conversations);
        var measured = conversations.Where(c => DatasetLoader.Unusable(c, stage) is null).Take(MeasuredLimit).ToList();
        var statistics = DatasetStatistics.Compute(measured, chat, tokenizer, stage);
        int width = Math.Max(8, (int)Math.Ceiling(statistics.Max / 40.0 / 8) * 8); // about 40 bars
        return new DatasetLengths(statistics, measured.Count, conversations.Count, Path.GetFileName(model), chat.Name, width);
    }

    /// <summary>Plain text (a pre-training set) has no responses: it is read as the pt stage reads it, the rest as SFT.</summary>
    static string StageOf(IReadOnlyCollection<Conversation> conversations) =>
        conversations.Count > 0 && conversations.All(c => c.Response.Count == 0) ? "pt" : "sft";
}
