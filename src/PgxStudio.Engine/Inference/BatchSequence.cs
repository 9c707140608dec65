using System.Threading.Channels;

namespace PgxStudio.Engine.Inference;

/// <summary>
/// One request inside a <see cref="BatchScheduler"/>: its prompt, its own sampling (and random generator, so a seed
/// repeats whatever else shares the batch), its slot once admitted, and the channel its tokens stream through.
/// Only the scheduler thread changes it, except <see cref="Cancel"/>.
/// </summary>
sealed class BatchSequence(IReadOnlyList<int> prompt, GenerationOptions options)
{
    int _cancelled;

    public IReadOnlyList<int> Prompt { get; } = prompt;
    public GenerationOptions Options { get; } = options;
    public TokenSampler Sampler { get; } = new(options);
    /// <summary>The ids in the sequence so far, for the repetition penalty.</summary>
    public HashSet<int> Seen { get; } = [.. prompt];
    public Channel<int> Output { get; } = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    /// <summary>The KV slot it owns while admitted; -1 while waiting and after it finished.</summary>
    public int Slot { get; set; } = -1;
    /// <summary>Tokens in its slot (prompt + fed answer tokens).</summary>
    public int Length { get; set; }
    /// <summary>The last token chosen, emitted but not yet fed through the model.</summary>
    public long Next { get; set; }
    public int Generated { get; set; }

    public bool Cancelled => Volatile.Read(ref _cancelled) != 0;

    /// <summary>The consumer stopped reading (client gone, Stop pressed, a stop string matched).</summary>
    public void Cancel() => Interlocked.Exchange(ref _cancelled, 1);
}
