namespace PgxStudio.Engine.Inference;

/// <summary>
/// What a scheduler holds right now: sequences decoding and waiting, and how full its KV memory is, with the prompt
/// and generated tokens it processed since it started. <see cref="KvCacheUsage"/> is the share of slots taken (0–1),
/// the measure that decides whether a request waits.
/// </summary>
public sealed record SchedulerLoad(int Running, int Waiting, int SlotsUsed, int Slots, long TokensHeld, long TokenCapacity,
    long PromptTokens = 0, long GenerationTokens = 0)
{
    public double KvCacheUsage => Slots == 0 ? 0 : (double)SlotsUsed / Slots;

    public static readonly SchedulerLoad Idle = new(0, 0, 0, 0, 0, 0);
}
