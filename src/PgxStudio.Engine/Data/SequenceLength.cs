namespace PgxStudio.Engine.Data;

/// <summary>How LLaMA-Factory shares <c>cutoff_len</c> between a turn's prompt (source) and response (target).</summary>
public static class SequenceLength
{
    /// <summary>
    /// A short target keeps all of itself and the source is cut; else a short source keeps all of itself and the
    /// target is cut; else both shrink in proportion to their lengths.
    /// </summary>
    public static (int Source, int Target) Infer(int sourceLength, int targetLength, int cutoffLength)
    {
        int maxTarget;
        if (targetLength * 2 < cutoffLength) maxTarget = cutoffLength;
        else if (sourceLength * 2 < cutoffLength) maxTarget = cutoffLength - sourceLength;
        else maxTarget = (int)(cutoffLength * ((double)targetLength / (sourceLength + targetLength)));
        var newTarget = Math.Min(maxTarget, targetLength);
        var newSource = Math.Min(Math.Max(cutoffLength - newTarget, 0), sourceLength);
        return (newSource, newTarget);
    }
}
