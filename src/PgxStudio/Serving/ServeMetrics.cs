using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using PgxStudio.Engine.Inference;

namespace PgxStudio.Serving;

/// <summary>
/// What GET /metrics reports, in Prometheus' text format under vLLM's metric names, so dashboards and scrapers made
/// for vLLM read `pgx serve` unchanged: running and waiting requests, KV-cache usage, prompt and generation token
/// counters, finished requests by reason, and TTFT / inter-token / end-to-end latency histograms (seconds, measured
/// from the request's arrival as vLLM does, so queueing counts).
/// </summary>
public sealed class ServeMetrics(string modelName)
{
    readonly string _labels = $"model_name=\"{Escape(modelName)}\"";
    readonly ConcurrentDictionary<string, long> _finished = new();
    readonly MetricHistogram _ttft = new(0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0);
    readonly MetricHistogram _interToken = new(0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0);
    readonly MetricHistogram _e2e = new(0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0);
    readonly MetricHistogram _iterationTokens = new(1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384);

    public static readonly string[] Reasons = [ChatDelta.Finish.Stop, ChatDelta.Finish.Length, "abort"];

    /// <summary>Starts timing one request at its arrival.</summary>
    public RequestTrace Begin() => new(this);

    /// <summary>Tokens one engine step processed (a prefill's prompt tokens, or one per sequence of a decode step).</summary>
    public void ObserveIteration(int tokens) => _iterationTokens.Observe(tokens);

    public string Render(SchedulerLoad load)
    {
        var text = new StringBuilder();
        Gauge(text, "vllm:num_requests_running", "Number of requests in model execution batches.", load.Running);
        Gauge(text, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", load.Waiting);
        Gauge(text, "vllm:kv_cache_usage_perc", "KV-cache usage: the share of KV slots held by running requests. 1 means 100 percent usage.", load.KvCacheUsage);
        Gauge(text, "pgx:kv_cache_tokens", "Tokens held in the KV cache by running requests.", load.TokensHeld);
        Gauge(text, "pgx:kv_cache_capacity_tokens", "Tokens the KV cache holds when full (--max-num-seqs × --max-model-len).", load.TokenCapacity);
        Counter(text, "vllm:prompt_tokens_total", "Number of prefill tokens processed.", load.PromptTokens);
        Counter(text, "vllm:generation_tokens_total", "Number of generation tokens processed.", load.GenerationTokens);
        text.Append("# HELP vllm:request_success_total Count of successfully processed requests.\n# TYPE vllm:request_success_total counter\n");
        foreach (var reason in Reasons)
            text.Append("vllm:request_success_total{").Append(_labels).Append(",finished_reason=\"").Append(reason).Append("\"} ")
                .Append(_finished.GetValueOrDefault(reason)).Append('\n');
        Histogram(text, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", _ttft);
        Histogram(text, "vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", _interToken);
        Histogram(text, "vllm:e2e_request_latency_seconds", "Histogram of end-to-end request latency in seconds.", _e2e);
        Histogram(text, "vllm:iteration_tokens_total", "Histogram of number of tokens per engine_step.", _iterationTokens);
        return text.ToString();
    }

    void Gauge(StringBuilder text, string name, string help, double value) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(" gauge\n")
            .Append(name).Append('{').Append(_labels).Append("} ").Append(MetricHistogram.Number(value)).Append('\n');

    void Counter(StringBuilder text, string name, string help, double value) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(" counter\n")
            .Append(name).Append('{').Append(_labels).Append("} ").Append(MetricHistogram.Number(value)).Append('\n');

    void Histogram(StringBuilder text, string name, string help, MetricHistogram histogram)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(" histogram\n");
        histogram.Write(text, name, _labels);
    }

    static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    /// <summary>One request's timings: first piece (TTFT), the gaps between pieces, its end and why.</summary>
    public sealed class RequestTrace(ServeMetrics metrics)
    {
        readonly Stopwatch _clock = Stopwatch.StartNew();
        double? _last;
        int _ended;

        public void Piece()
        {
            double now = _clock.Elapsed.TotalSeconds;
            if (_last is { } previous) metrics._interToken.Observe(now - previous);
            else metrics._ttft.Observe(now);
            _last = now;
        }

        /// <summary>"stop" or "length" when it finished, "abort" when cancelled or failed; only the first call counts.</summary>
        public void End(string reason)
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0) return;
            metrics._finished.AddOrUpdate(reason, 1, (_, n) => n + 1);
            metrics._e2e.Observe(_clock.Elapsed.TotalSeconds);
        }
    }
}
