using System.Diagnostics;

namespace PgxStudio.Engine.Models;

/// <summary>
/// Threads that share one small product with the thread that asks for it. A decode step runs about eight products a
/// layer, each a fraction of a millisecond; Parallel.For queued the parts on the thread pool and woke a worker for
/// every one of them. These helpers stay awake, spinning, for a moment after each product (the next one is usually
/// microseconds away), then sleep until the next one.
/// The work comes in chunks that every thread claims one at a time, not in one fixed share each: a helper that was
/// asleep starts late, and with fixed halves the caller then waited for it (a sixth of a served batch-8 step, bf16
/// Qwen3-0.6B on 2 cores); now the caller takes the chunks the helper has not reached, and a helper that has not
/// started when the chunks run out is called off. Which thread computes a chunk never changes its result.
/// One caller at a time: a second thread asking while the team is busy does all its chunks itself.
/// </summary>
static class ProductTeam
{
    /// <summary>How long a helper spins for the next product before it sleeps.</summary>
    static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    static readonly Lock Gate = new();
    static Helper[] _helpers = [];

    /// <summary>Runs <paramref name="body"/> once for every chunk in [0, <paramref name="chunks"/>) on up to <paramref name="threads"/> threads, this one included.</summary>
    public static void Run(int threads, int chunks, Action<int> body)
    {
        int helpers = Math.Min(threads, chunks) - 1;
        if (helpers <= 0 || !Gate.TryEnter())
        {
            for (int chunk = 0; chunk < chunks; chunk++) body(chunk);
            return;
        }
        try
        {
            if (_helpers.Length < helpers)
                _helpers = [.. _helpers, .. Enumerable.Range(_helpers.Length, helpers - _helpers.Length).Select(_ => new Helper())];
            var work = new Work(chunks, body);
            for (int h = 0; h < helpers; h++) _helpers[h].Post(work);
            work.Drain();
            for (int h = 0; h < helpers; h++) _helpers[h].Join();
            // A chunk's own exception, as if the caller had run every chunk itself (as it does when the team is busy).
            if (work.Failure is { } failure) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        finally { Gate.Exit(); }
    }

    sealed class Work(int chunks, Action<int> body)
    {
        int _next = -1;
        Exception? _failure;

        public Exception? Failure => Volatile.Read(ref _failure);

        /// <summary>Claims and runs chunks until none is left; the first failure stops everyone's claiming.</summary>
        public void Drain()
        {
            for (int chunk = Interlocked.Increment(ref _next); chunk < chunks; chunk = Interlocked.Increment(ref _next))
            {
                try { body(chunk); }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _failure, e, null);
                    Volatile.Write(ref _next, chunks);
                    return;
                }
            }
        }
    }

    sealed class Helper
    {
        const int Idle = 0, Posted = 1, Running = 2, Done = 3;
        // Set with every post; a helper that wakes to a stale signal finds nothing posted and waits again.
        readonly ManualResetEventSlim _posted = new(false, spinCount: 0);
        Work? _work;
        int _state;

        public Helper() => new Thread(Loop) { IsBackground = true, Name = "pgx product helper" }.Start();

        public void Post(Work work)
        {
            _work = work;
            Volatile.Write(ref _state, Posted); // a release: the helper sees the work before the state
            _posted.Set();
        }

        /// <summary>Calls the helper off if it has not started; otherwise waits while it finishes the chunk it holds.</summary>
        public void Join()
        {
            if (Interlocked.CompareExchange(ref _state, Idle, Posted) == Posted) return;
            // A chunk is short: spin without yielding the core (a yield gave it away).
            while (Volatile.Read(ref _state) != Done) Thread.SpinWait(10);
            Volatile.Write(ref _state, Idle);
        }

        /// <summary>Takes the posted work unless the caller has called it off.</summary>
        bool TryStart() => Volatile.Read(ref _state) == Posted && Interlocked.CompareExchange(ref _state, Running, Posted) == Posted;

        void Loop()
        {
            while (true)
            {
                long until = Stopwatch.GetTimestamp() + SpinTicks;
                while (!TryStart())
                {
                    Thread.SpinWait(10);
                    if (Stopwatch.GetTimestamp() < until) continue;
                    _posted.Wait();
                    _posted.Reset(); // the state is read again after this, so a post made meanwhile is not missed
                    until = Stopwatch.GetTimestamp() + SpinTicks;
                }
                _work!.Drain();
                Volatile.Write(ref _state, Done);
            }
        }
    }
}
