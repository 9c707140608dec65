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
        // Set with every part; a helper that wakes to a stale signal finds no part posted and waits again.
        readonly ManualResetEventSlim _posted = new(false, spinCount: 0);
        Action<int>? _body;
        int _part, _state;
        Exception? _failure;

        public Helper() => new Thread(Loop) { IsBackground = true, Name = "pgx product helper" }.Start();

        public void Post(Action<int> body, int part)
        {
            _body = body;
            _part = part;
            _failure = null;
            Volatile.Write(ref _state, Posted); // a release: the helper sees the body before the state
            _posted.Set();
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
                    _posted.Wait();
                    _posted.Reset(); // the state is read again after this, so a part posted meanwhile is not missed
                    until = Stopwatch.GetTimestamp() + SpinTicks;
                }
                try { _body!(_part); } catch (Exception e) { _failure = e; }
                Volatile.Write(ref _state, Done);
            }
        }
    }
}
