using PgxStudio.Engine.Planning;
using PgxStudio.Engine.Sentences;
using PgxStudio.Serving;

namespace PgxStudio.Admission;

/// <summary>A loaded chat model and the memory its serve worker holds (its resident memory; null when unreadable).</summary>
public sealed record ModelHolding(LoadedChatModel Model, long? Bytes);

/// <summary>
/// Whether a run may start now: what it needs, what is free (after the chat models loaded), and who holds memory.
/// Need or free is null when unknown; an unknown figure never holds a run back.
/// </summary>
public sealed record AdmissionDecision(long? NeedBytes, AvailableMemory? Free, IReadOnlyList<ModelHolding> Holdings)
{
    public bool Fits => NeedBytes is not { } need || Free is not { } free || need <= free.Bytes;

    /// <summary>"waiting: chat model X holds 17.0 GB; needs 48.0 GB, 39.0 GB free" — what the Queue page shows.</summary>
    public Sentence Reason()
    {
        var held = Holdings.Select(h => h.Bytes is { } b
            ? new Sentence("chat model {0} (run #{1}, {2}) holds {3}", h.Model.ModelId, h.Model.RunId, h.Model.Owner, MemoryPlan.Gigabytes(b))
            : new Sentence("chat model {0} (run #{1}, {2}) holds memory", h.Model.ModelId, h.Model.RunId, h.Model.Owner)).ToList();
        string need = MemoryPlan.Gigabytes(NeedBytes ?? 0), free = MemoryPlan.Gigabytes(Free?.Bytes ?? 0);
        return Holdings.Count > 0
            ? new Sentence("waiting: {0}; needs {1}, {2} free", held, need, free)
            : new Sentence("waiting for memory: needs {0}, {1} free ({2})", need, free, new Sentence(Free?.Source ?? "?"));
    }
}
