namespace PgxStudio.Live;

/// <summary>
/// The in-process bus between jobs and pages. Jobs publish; components subscribe after first render and
/// dispose the subscription when they leave. Handlers run on the publisher's thread: components marshal with
/// InvokeAsync (see <see cref="ThrottledRefresh"/>).
/// </summary>
public sealed class RunEvents
{
    readonly object _gate = new();
    readonly List<Subscription> _subscriptions = [];

    /// <summary>Subscribe to one run's updates, or every run's when <paramref name="runId"/> is null.</summary>
    public IDisposable Subscribe(int? runId, Action<RunUpdate> handler)
    {
        var subscription = new Subscription(this, runId, handler);
        lock (_gate) _subscriptions.Add(subscription);
        return subscription;
    }

    public void Publish(RunUpdate update)
    {
        Subscription[] targets;
        lock (_gate) targets = _subscriptions.Where(s => s.RunId is null || s.RunId == update.RunId).ToArray();
        foreach (var target in targets)
        {
            try
            {
                target.Handler(update);
            }
            catch (Exception)
            {
                // A page that failed to handle an update must not stop a job from recording its run.
            }
        }
    }

    public int SubscriberCount
    {
        get { lock (_gate) return _subscriptions.Count; }
    }

    sealed class Subscription(RunEvents bus, int? runId, Action<RunUpdate> handler) : IDisposable
    {
        public int? RunId { get; } = runId;
        public Action<RunUpdate> Handler { get; } = handler;

        public void Dispose()
        {
            lock (bus._gate) bus._subscriptions.Remove(this);
        }
    }
}
