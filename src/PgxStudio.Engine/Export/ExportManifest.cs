using System.Text.Json;
using System.Text.Json.Serialization;

namespace PgxStudio.Engine.Export;

/// <summary>A file an export wrote, relative to its output folder.</summary>
public sealed record ExportedFile(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("bytes")] long Bytes);

/// <summary>One written output: its format (and GGUF type), folder relative to the export, files, size and time taken.</summary>
public sealed record ExportedOutput(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("quantization")] string? Quantization,
    [property: JsonPropertyName("folder")] string Folder,
    [property: JsonPropertyName("files")] IReadOnlyList<ExportedFile> Files,
    [property: JsonPropertyName("seconds")] double Seconds)
{
    [JsonIgnore] public long Bytes => Files.Sum(f => f.Bytes);
    [JsonIgnore] public string Label => Quantization is { } q ? $"{Format} {q}" : Format;
}

/// <summary>
/// pgx_export.json, written last into a finished export: what was exported from what, and each output. Its presence
/// marks a folder as an export (which a new export of the same name may replace) and the Export page lists them.
/// </summary>
public sealed record ExportManifest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("model_name_or_path")] string ModelNameOrPath,
    [property: JsonPropertyName("adapter_name_or_path")] string? AdapterNameOrPath,
    [property: JsonPropertyName("calibration")] string? Calibration,
    [property: JsonPropertyName("outputs")] IReadOnlyList<ExportedOutput> Outputs)
{
    public const string FileName = "pgx_export.json";

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public void Write(string folder) => File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json));

    /// <summary>The manifest of an export folder; null when it has none, a sentence when it cannot be read.</summary>
    public static ExportManifest? Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<ExportManifest>(File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a readable export manifest ({e.Message}).", e);
        }
    }
}
