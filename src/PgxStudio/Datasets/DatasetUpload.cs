using PgxStudio.Runs;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PgxStudio.Engine.Data;
using PgxStudio.Hosting;

namespace PgxStudio.Datasets;

/// <summary>An uploaded file and how to read it: LLaMA-Factory's formatting, columns and tags.</summary>
public sealed record DatasetUploadRequest(
    string Name, string FileName, string Formatting,
    IReadOnlyDictionary<string, string> Columns, IReadOnlyDictionary<string, string> Tags);

/// <summary>A dataset upload that cannot be registered; the message is the one sentence the page shows.</summary>
public sealed class DatasetUploadException(string message) : Exception(message);

/// <summary>
/// Adds an uploaded JSON/JSONL file to data/ and registers it in dataset_info.json, after reading every record the
/// way training will. Nothing is written unless the whole file is good; other entries are kept as they were.
/// </summary>
public sealed class DatasetUpload(StudioPaths paths, IOptions<StudioOptions> options)
{
    public long LimitBytes => options.Value.UploadLimitMegabytes * 1024L * 1024L;

    public async Task<DatasetSummary> RegisterAsync(DatasetUploadRequest request, Stream content, long length, StudioUser user)
    {
        if (user.IsViewer) throw new DatasetUploadException($"{user.Name} is a viewer: viewers can look but not add datasets; an admin can make you a member.");
        var name = request.Name.Trim();
        if (name.Length == 0 || name.Any(c => !(char.IsLetterOrDigit(c) || c is '_' or '-' or '.')) || name.StartsWith('.'))
            throw new DatasetUploadException($"\"{request.Name}\" cannot be a dataset name: use letters, digits, dots, dashes and underscores.");
        var ext = Path.GetExtension(request.FileName).ToLowerInvariant();
        if (ext is not (".json" or ".jsonl"))
            throw new DatasetUploadException($"{request.FileName} is not a .json or .jsonl file; export the data as JSON (a list of records) or JSON Lines.");
        if (length > LimitBytes)
            throw new DatasetUploadException($"{request.FileName} is {length / 1048576.0:0.#} MB, over the {options.Value.UploadLimitMegabytes} MB upload limit; copy it into {paths.Data} by hand or raise Studio:UploadLimitMegabytes.");
        if (!DatasetEntry.Formats.Contains(request.Formatting))
            throw new DatasetUploadException($"Formatting \"{request.Formatting}\" is not one of {string.Join(", ", DatasetEntry.Formats)}.");
        var registry = LoadRegistry();
        if (registry.Entries.Any(e => e.Name == name))
            throw new DatasetUploadException($"A dataset named {name} is already registered; choose another name.");
        var fileName = name + ext;
        var target = Path.Combine(paths.Data, fileName);
        if (File.Exists(target))
            throw new DatasetUploadException($"{fileName} already exists in {paths.Data}; choose another name.");

        var temp = Path.Combine(paths.Data, $".upload-{Guid.NewGuid():N}{ext}");
        try
        {
            await WritingAsync(async () =>
            {
                Directory.CreateDirectory(paths.Data);
                await using var file = File.Create(temp);
                await CopyLimited(content, file, request.FileName);
            });
            var entry = new DatasetEntry
            {
                Name = name, FileName = fileName, Formatting = request.Formatting,
                Columns = Clean(request.Columns), Tags = Clean(request.Tags),
            };
            var rows = ReadRows(temp, request.FileName);
            Validate(entry, rows, temp, request.FileName);
            await WritingAsync(() => { File.Move(temp, target); return Task.CompletedTask; });
            try { await WritingAsync(() => { DatasetRegistry.Register(paths.Data, entry); return Task.CompletedTask; }); }
            catch (DatasetUploadException) { File.Delete(target); throw; } // nothing is added unless it is registered
            return new DatasetSummary(name, entry.Formatting, fileName, rows.Count, new FileInfo(target).Length, null);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writing into the data folder: a folder the studio may not write (read-only, full) is named as the cause.</summary>
    async Task WritingAsync(Func<Task> write)
    {
        try { await write(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetUploadException($"The studio cannot write into the data folder {paths.Data} ({e.Message}); make it writable for the account that runs the studio, then upload again. Nothing was added.");
        }
    }

    DatasetRegistry LoadRegistry()
    {
        try { return DatasetRegistry.Load(paths.Data); }
        catch (DatasetException e) { throw new DatasetUploadException($"{e.Message} Fix dataset_info.json before adding datasets; nothing was changed."); }
    }

    async Task CopyLimited(Stream from, Stream to, string shownName)
    {
        var buffer = new byte[81920];
        long total = 0;
        while (true)
        {
            int read;
            try { read = await from.ReadAsync(buffer); }
            catch (IOException e) { throw new DatasetUploadException($"{shownName} could not be read from the browser ({e.Message}); try again."); }
            if (read == 0) break;
            total += read;
            if (total > LimitBytes)
                throw new DatasetUploadException($"The upload is over the {options.Value.UploadLimitMegabytes} MB limit; raise Studio:UploadLimitMegabytes or copy the file into the data folder.");
            await to.WriteAsync(buffer.AsMemory(0, read));
        }
    }

    static IReadOnlyList<JsonObject> ReadRows(string temp, string shownName)
    {
        try { return DatasetFile.ReadRows(temp); }
        catch (DatasetException e) { throw new DatasetUploadException(e.Message.Replace(temp, shownName)); }
    }

    /// <summary>Every record must read as a conversation; a column that no record has is named with what the file has.</summary>
    static void Validate(DatasetEntry entry, IReadOnlyList<JsonObject> rows, string temp, string shownName)
    {
        if (rows.Count == 0) throw new DatasetUploadException($"{shownName} has no records.");
        var keys = rows.SelectMany(r => r.Select(p => p.Key)).Distinct().ToList();
        // The columns training needs, and every column the user named: a typo in any of them is caught here.
        string[] needed = entry.Formatting == "alpaca" ? ["prompt", "response"] : ["messages"];
        foreach (var role in needed.Concat(entry.Columns.Keys).Distinct())
            if (entry.Column(role) is { } column && !keys.Contains(column))
                throw new DatasetUploadException($"{shownName} has no \"{column}\" column for the {role}; its records have {string.Join(", ", keys.Select(k => $"\"{k}\""))}: map the {role} column to one of them.");
        var (conversations, skipped) = ConversationReader.Read(entry, rows, temp);
        if (conversations.Count == 0)
            throw new DatasetUploadException($"None of the {rows.Count} records of {shownName} reads as a {entry.Formatting} example; record {skipped[0].Index}: {skipped[0].Reason.Replace(temp, shownName)}");
    }

    static Dictionary<string, string> Clean(IReadOnlyDictionary<string, string> map) =>
        map.Where(p => !string.IsNullOrWhiteSpace(p.Value)).ToDictionary(p => p.Key, p => p.Value.Trim());
}
