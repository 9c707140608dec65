using PgxStudio.Jobs;
using PgxStudio.Persistence;

namespace PgxStudio.Live;

/// <summary>Something happened to a run: its status changed, or its worker reported an event or a log line.</summary>
public sealed record RunUpdate(int RunId, RunStatus Status, WorkerEvent? Event = null, string? LogLine = null);
