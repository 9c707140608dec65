using System.Diagnostics;

namespace PgxStudio.Engine.Models;

/// <summary>
/// Threads that share one small product with the thread that asks for it. A decode step runs about eight products a
/// layer, each a fraction of a millisecond; Parallel.For queued the parts on the thread pool and woke a worker for
/// every one of them. These helpers stay awake, spinning, for a moment after each part (the next product is usually
/// microseconds away), then sleep until the next one.
/// One caller at a time: a second thread asking while the team is busy does its parts itself.
/// </summary>
static class ProductTeam
{
    /// <summary>How long a helper spins for the next part before it sleeps.</summary>
    static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    static readonly Lock Gate = new();
    static Helper[] _helpers = [];

    public static void Run(int parts, Action<int> body)
    {
        if (parts <= 1 || !Gate.TryEnter())
        {
            for (int part = 0; part < parts; part++) body(part);
            return;
        }
        try
        {
            if (_helpers.Length < parts - 1)
                _helpers = [.. _helpers, .. Enumerable.Range(_helpers.Length, parts - 1 - _helpers.Length).Select(_ => new Helper())];
            for (int part = 1; part < parts; part++) _helpers[part - 1].Post(body, part);
            Exception? failure = null;
            try { body(0); } catch (Exception e) { failure = e; }
            for (int part = 1; part < parts; part++) failure ??= _helpers[part - 1].Join();
            // The part's own exception, as if the caller had run every part itself (as it does when the team is busy).
            if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        finally { Gate.Exit(); }
    }

    sealed class Helper
    {
        const int Idle = 0, Posted = 1, Done = 2;
        readonly SemaphoreSlim _wake = new(0);
        Action<int>? _body;
        int _part, _state, _asleep;
        Exception? _failure;

        public Helper() => new Thread(Loop) { IsBackground = true, Name = "pgx product helper" }.Start();

        public void Post(Action<int> body, int part)
        {
            _body = body;
            _part = part;
            _failure = null;
            Interlocked.Exchange(ref _state, Posted); // a full fence: the helper sees the body before the state
            if (Interlocked.CompareExchange(ref _asleep, 0, 1) == 1) _wake.Release();
        }

        public Exception? Join()
        {
            // Its part takes about as long as the caller's: spin without yielding the core (a yield gave it away).
            while (Volatile.Read(ref _state) != Done) Thread.SpinWait(10);
            Volatile.Write(ref _state, Idle);
            return _failure;
        }

        void Loop()
        {
            while (true)
            {
                long until = Stopwatch.GetTimestamp() + SpinTicks;
                while (Volatile.Read(ref _state) != Posted)
                {
                    Thread.SpinWait(10);
                    if (Stopwatch.GetTimestamp() < until) continue;
                    Interlocked.Exchange(ref _asleep, 1);
                    // Checked again after saying so: a part posted in between is seen here or wakes the semaphore.
                    if (Volatile.Read(ref _state) != Posted) _wake.Wait();
                    else if (Interlocked.CompareExchange(ref _asleep, 0, 1) == 0) _wake.Wait(); // its Release is coming: take it
                    until = Stopwatch.GetTimestamp() + SpinTicks;
                }
                try { _body!(_part); } catch (Exception e) { _failure = e; }
                Volatile.Write(ref _state, Done);
            }
        }
    }
}
