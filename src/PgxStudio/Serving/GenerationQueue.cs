using System.Diagnostics;

namespace PgxStudio.Serving;

/// <summary>
/// One generation at a time: a model's KV cache and sampler are not shared between requests, so concurrent
/// requests wait here in arrival order instead of corrupting each other. Reports how long each one waited.
/// </summary>
public sealed class GenerationQueue : IDisposable
{
    readonly SemaphoreSlim _turn = new(1, 1);
    int _inside;

    /// <summary>Requests generating or waiting to, right now.</summary>
    public int Inside => Volatile.Read(ref _inside);

    /// <summary>Waits for this request's turn; dispose the result to hand the turn on.</summary>
    public async Task<Turn> EnterAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        int ahead = Interlocked.Increment(ref _inside) - 1;
        try
        {
            await _turn.WaitAsync(cancellationToken);
        }
        catch
        {
            Interlocked.Decrement(ref _inside);
            throw;
        }
        return new Turn(this, clock.Elapsed, ahead);
    }

    public sealed class Turn(GenerationQueue queue, TimeSpan waited, int ahead) : IDisposable
    {
        int _released;
        public TimeSpan Waited { get; } = waited;
        /// <summary>Requests that were already generating or waiting when this one arrived.</summary>
        public int Ahead { get; } = ahead;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            Interlocked.Decrement(ref queue._inside);
            queue._turn.Release();
        }
    }

    public void Dispose() => _turn.Dispose();
}
