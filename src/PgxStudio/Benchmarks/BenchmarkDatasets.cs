using System.Text.Json;

namespace PgxStudio.Benchmarks;

/// <summary>The local datasets of data/dataset_info.json the benchmark can take prompts from (those with a file_name).</summary>
public static class BenchmarkDatasets
{
    public static IReadOnlyList<string> Names(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "dataset_info.json");
        try
        {
            using var info = JsonDocument.Parse(File.ReadAllText(path));
            return info.RootElement.EnumerateObject()
                .Where(p => p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("file_name", out _))
                .Select(p => p.Name).ToList();
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or InvalidOperationException)
        {
            return []; // the form still offers synthetic prompts; picking a dataset by name reports the problem
        }
    }
}
