namespace PgxStudio.Engine.Training;

/// <summary>
/// One line of trainer_log.jsonl, with LLaMA-Factory's LogCallback fields; absent values are left out as it does.
/// </summary>
public sealed record TrainerLogEntry
{
    public required int CurrentSteps { get; init; }
    public required int TotalSteps { get; init; }
    public double? Loss { get; init; }
    public double? EvalLoss { get; init; }
    public double? LearningRate { get; init; }
    public double? Epoch { get; init; }
    public required double ElapsedSeconds { get; init; }
    /// <summary>Input tokens seen so far; throughput is derived from it.</summary>
    public long? TotalTokens { get; init; }

    public double Percentage => TotalSteps != 0 ? Math.Round(CurrentSteps * 100.0 / TotalSteps, 2, MidpointRounding.ToEven) : 100;

    /// <summary>
    /// Average time per step so far times the steps left, as LogCallback estimates it, unless given (a resumed run
    /// gives one from this session's steps only, see <see cref="TrainingClock"/>).
    /// </summary>
    public double RemainingSeconds
    {
        get => _remaining ?? (CurrentSteps == 0 ? 0 : ElapsedSeconds / CurrentSteps * (TotalSteps - CurrentSteps));
        init => _remaining = value;
    }

    /// <summary>Input tokens per second, rounded to 2 places, unless given.</summary>
    public double? Throughput
    {
        get => _throughput ?? (TotalTokens is { } t && t > 0 && ElapsedSeconds > 0
            ? Math.Round(t / ElapsedSeconds, 2, MidpointRounding.ToEven) : null);
        init => _throughput = value;
    }

    readonly double? _remaining;
    readonly double? _throughput;

    public string ToJsonLine()
    {
        var fields = new List<KeyValuePair<string, object?>>
        {
            new("current_steps", CurrentSteps),
            new("total_steps", TotalSteps),
        };
        void Add(string k, object? v) { if (v is not null) fields.Add(new(k, v)); }
        Add("loss", Loss);
        Add("eval_loss", EvalLoss);
        Add("lr", LearningRate);
        Add("epoch", Epoch);
        Add("percentage", Percentage);
        Add("elapsed_time", Duration.Format(ElapsedSeconds));
        Add("remaining_time", Duration.Format(RemainingSeconds));
        Add("throughput", Throughput);
        Add("total_tokens", TotalTokens is > 0 ? TotalTokens : null);
        return PythonJson.Object(fields);
    }
}

/// <summary>Durations as Python's str(timedelta(seconds=int(s))) prints them: "0:05:07", "1 day, 2:03:04".</summary>
public static class Duration
{
    public static string Format(double seconds)
    {
        long s = (long)seconds; // int() truncates toward zero
        long days = Math.DivRem(s, 86400, out long rest);
        if (rest < 0) { days -= 1; rest += 86400; }
        var clock = $"{rest / 3600}:{rest / 60 % 60:00}:{rest % 60:00}";
        return days == 0 ? clock : $"{days} day{(Math.Abs(days) == 1 ? "" : "s")}, {clock}";
    }
}
