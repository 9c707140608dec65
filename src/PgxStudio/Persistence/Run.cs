namespace PgxStudio.Persistence;

/// <summary>One unit of the team's work: a training, a prediction, a loaded chat model, an export, a self-test.</summary>
public sealed class Run
{
    public int Id { get; set; }
    public RunKind Kind { get; set; }
    public string Name { get; set; } = "";
    public string Owner { get; set; } = "";
    public RunStatus Status { get; set; } = RunStatus.Queued;

    /// <summary>The run's configuration as the worker reads it (LLaMA-Factory YAML for train/predict).</summary>
    public string Config { get; set; } = "";

    /// <summary>Where the worker writes, relative to the content root (under saves/).</summary>
    public string OutputDir { get; set; } = "";

    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public string? Error { get; set; }

    /// <summary>The Hangfire job that supervises this run.</summary>
    public string? JobId { get; set; }

    /// <summary>Process id of the live worker, so a restart can tell a live run from a dead one.</summary>
    public int? WorkerPid { get; set; }

    public bool CancelRequested { get; set; }

    /// <summary>What the run works on, for lists and filters (from its config): model path, method, datasets.</summary>
    public string? Model { get; set; }
    public string? Method { get; set; }
    public string? Datasets { get; set; }

    /// <summary>The last training loss the worker reported.</summary>
    public double? FinalLoss { get; set; }

    public int? CurrentStep { get; set; }
    public int? TotalSteps { get; set; }

    public List<RunMetric> Metrics { get; set; } = [];

    public bool IsFinished => Status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Cancelled;

    /// <summary>For logs and test failures: which run, and where it stands.</summary>
    public override string ToString() => $"run {Id} ({Kind}, {Status}{(Error is null ? "" : $": {Error}")})";
}

public enum RunKind { SelfTest, Train, Predict, Serve, Export }

public enum RunStatus { Queued, Running, Succeeded, Failed, Cancelled, Interrupted }
