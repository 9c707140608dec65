using PgxStudio.Engine.Planning;
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
    public string Reason()
    {
        var held = Holdings.Select(h => $"chat model {h.Model.ModelId} (run #{h.Model.RunId}, {h.Model.Owner}) holds {(h.Bytes is { } b ? MemoryPlan.Gigabytes(b) : "memory")}");
        var needs = $"needs {MemoryPlan.Gigabytes(NeedBytes ?? 0)}, {MemoryPlan.Gigabytes(Free?.Bytes ?? 0)} free";
        return Holdings.Count > 0
            ? $"waiting: {string.Join(" and ", held)}; {needs}"
            : $"waiting for memory: {needs} ({Free?.Source})";
    }
}
