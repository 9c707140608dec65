using System.Globalization;

namespace PgxStudio.Serving;

/// <summary>What a serving engine's /metrics says right now, summed over label sets.</summary>
public sealed record ServeLoadFigures(double Running, double Waiting, double KvCacheUsage, double? KvTokens, double? KvCapacityTokens,
    double PromptTokens, double GenerationTokens, double Finished);

/// <summary>
/// Reads the Prometheus /metrics of a loaded chat model (our `pgx serve`, or vLLM: the same names) for the System and
/// Benchmark pages. Returns null when the server does not answer; the pages then say so instead of showing old numbers.
/// </summary>
public sealed class ServeLoadReader(HttpClient http)
{
    public async Task<ServeLoadFigures?> ReadAsync(LoadedChatModel model, CancellationToken cancellation)
    {
        string text;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            text = await http.GetStringAsync(MetricsUrl(model.BaseUrl), timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
        {
            return null;
        }
        var values = Parse(text);
        double Sum(string name) => values.GetValueOrDefault(name);
        return new ServeLoadFigures(Sum("vllm:num_requests_running"), Sum("vllm:num_requests_waiting"),
            values.TryGetValue("vllm:kv_cache_usage_perc", out var usage) ? usage : Sum("vllm:gpu_cache_usage_perc"),
            values.TryGetValue("pgx:kv_cache_tokens", out var tokens) ? tokens : null,
            values.TryGetValue("pgx:kv_cache_capacity_tokens", out var capacity) ? capacity : null,
            Sum("vllm:prompt_tokens_total"), Sum("vllm:generation_tokens_total"), Sum("vllm:request_success_total"));
    }

    /// <summary>The server's /metrics: beside /v1, at the root.</summary>
    public static Uri MetricsUrl(string baseUrl)
    {
        var root = baseUrl.TrimEnd('/');
        if (root.EndsWith("/v1", StringComparison.Ordinal)) root = root[..^3];
        return new Uri(root + "/metrics");
    }

    /// <summary>Each metric name's samples summed over their labels (histogram series keep their _bucket/_sum/_count names).</summary>
    public static Dictionary<string, double> Parse(string text)
    {
        var values = new Dictionary<string, double>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int brace = line.IndexOf('{'), space = line.LastIndexOf(' ');
            if (space <= 0) continue;
            var name = brace > 0 && brace < space ? line[..brace] : line[..space];
            if (double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                values[name] = values.GetValueOrDefault(name) + value;
        }
        return values;
    }
}
