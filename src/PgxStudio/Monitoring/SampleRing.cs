namespace PgxStudio.Monitoring;

/// <summary>The last <c>capacity</c> items, oldest first: a fixed array written round, so memory never grows.</summary>
public sealed class SampleRing<T>(int capacity)
{
    readonly T[] _items = new T[capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), "A ring holds at least one item.")];
    readonly object _gate = new();
    int _next, _count;

    public int Capacity => _items.Length;

    public void Add(T item)
    {
        lock (_gate)
        {
            _items[_next] = item;
            _next = (_next + 1) % _items.Length;
            _count = Math.Min(_count + 1, _items.Length);
        }
    }

    /// <summary>A copy, oldest first.</summary>
    public IReadOnlyList<T> Snapshot()
    {
        lock (_gate)
        {
            var copy = new T[_count];
            int first = (_next - _count + _items.Length) % _items.Length;
            for (int i = 0; i < _count; i++) copy[i] = _items[(first + i) % _items.Length];
            return copy;
        }
    }

    /// <summary>The newest item, or default when empty.</summary>
    public T? Latest
    {
        get { lock (_gate) return _count == 0 ? default : _items[(_next - 1 + _items.Length) % _items.Length]; }
    }
}
