using PgxStudio.Engine.Native;

namespace PgxStudio.Engine.Training;

/// <summary>
/// When the checkpointed backward gives freed heap pages back (<see cref="FreedMemory"/>). Trimming after every layer
/// kept the peak lowest but cost a sixth of LoRA's speed at 28 layers: each layer then faults in afresh the pages the
/// layer before had just freed and would have reused. Most layers reuse them cleanly; some of what glibc keeps cannot
/// be reused, and that part grows layer by layer (1.3 GB over 28 fp32 layers × 1,024 tokens, untrimmed). So: trim
/// once the loss and the top layer are done, measure one layer's footprint on the next, and trim again only when the
/// resident memory passes that layer's level by half its footprint. docs/memory-plan.md has the measurements.
/// </summary>
/// <param name="resident">Resident bytes now; the process's VmRSS unless a test supplies readings.</param>
/// <param name="trim">Gives freed pages back; <see cref="FreedMemory.Trim"/> unless a test counts the calls.</param>
public sealed class LayerTrims(Func<long?>? resident = null, Action? trim = null)
{
    readonly Func<long?> _resident = resident ?? PeakMemory.ProcessResidentBytes;
    readonly Action _trim = trim ?? FreedMemory.Trim;
    long _afterTrim = -1, _limit = -1;

    /// <summary>Call after each layer's backward, top layer first.</summary>
    public void AfterLayer()
    {
        if (_afterTrim < 0)
        {
            // The loss's logits chunks were freed just before: nothing after this reuses them.
            _trim();
            _afterTrim = _resident() ?? 0;
            return;
        }
        if (_resident() is not { } now) return;
        if (_limit < 0)
        {
            _limit = now + Math.Max(0, now - _afterTrim) / 2;
            return;
        }
        if (now > _limit) _trim();
    }
}
