namespace PgxStudio.Serving;

/// <summary>A chat model a `pgx serve` worker of this studio has loaded and serves; BaseUrl ends in /v1.</summary>
public sealed record LoadedChatModel(int RunId, string ModelId, string BaseUrl, string Owner, DateTime ReadyAt);

/// <summary>
/// The chat models this studio's serve workers serve right now. Kept in memory on purpose: a serve worker lives
/// only as long as the studio that started it (it stops when its stdin closes), so nothing here outlives a restart.
/// The serve run's recorder adds an entry on the worker's "ready" event and removes it when the run ends; the chat
/// and benchmark pages read it.
/// </summary>
public sealed class LoadedChatModels
{
    readonly object _gate = new();
    List<LoadedChatModel> _models = [];

    /// <summary>Raised after every change, on the thread that made it.</summary>
    public event Action? Changed;

    public IReadOnlyList<LoadedChatModel> Current
    {
        get { lock (_gate) return _models; }
    }

    public void Add(LoadedChatModel model)
    {
        lock (_gate) _models = [.. _models.Where(m => m.RunId != model.RunId), model];
        Changed?.Invoke();
    }

    public void Remove(int runId)
    {
        lock (_gate)
        {
            if (_models.All(m => m.RunId != runId)) return;
            _models = [.. _models.Where(m => m.RunId != runId)];
        }
        Changed?.Invoke();
    }
}
