using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using PgxStudio.Engine.Models;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Inference;

/// <summary>
/// Continuous batching over one model. A single scheduler thread loops: drop sequences whose consumer went away
/// (freeing their KV slot), admit waiting requests while slots are free (prefilled together, right-padded, and
/// each emits its first token), then run one decode step for every running sequence at once. Requests join and
/// leave between steps; each keeps its own sampling settings and seed. KV memory is <see cref="BatchLimits.MaxNumSeqs"/>
/// slots of the model length, allocated here, so admission is a free slot and nothing runs out of memory mid-answer.
/// </summary>
public sealed class BatchScheduler : IDisposable
{
    readonly CausalLM _model;
    readonly KvSlots _cache;
    readonly BatchSequence?[] _bySlot;
    readonly ConcurrentQueue<BatchSequence> _arrivals = new();
    readonly List<BatchSequence> _waiting = [];
    readonly AutoResetEvent _wake = new(false);
    readonly Thread _thread;
    volatile bool _stopping;
    SchedulerLoad _load;

    public BatchScheduler(CausalLM model, BatchLimits limits) : this(model, limits, start: true) { }

    /// <summary>With <paramref name="start"/> false the loop waits for <see cref="Start"/>: tests queue requests first so they share the first step.</summary>
    internal BatchScheduler(CausalLM model, BatchLimits limits, bool start)
    {
        limits.Validate(model.Config);
        _model = model;
        Limits = limits;
        ModelLen = limits.ModelLen(model.Config);
        BatchedTokens = limits.BatchedTokens(model.Config);
        _cache = new KvSlots(model.Config, limits.MaxNumSeqs, ModelLen, model.Dtype, model.Device);
        _bySlot = new BatchSequence?[limits.MaxNumSeqs];
        _load = new SchedulerLoad(0, 0, 0, limits.MaxNumSeqs, 0, (long)limits.MaxNumSeqs * ModelLen);
        _thread = new Thread(Loop) { IsBackground = true, Name = "pgx-batch-scheduler" };
        if (start) Start();
    }

    internal void Start() => _thread.Start();

    /// <summary>Called on the scheduler thread after every forward pass with the tokens it processed (prompt tokens of a prefill, one per sequence in a decode step).</summary>
    public Action<int>? StepTokens { get; set; }

    /// <summary>The most sequences that ever decoded in the same step.</summary>
    public int PeakRunning => Volatile.Read(ref _peakRunning);
    int _peakRunning;

    public BatchLimits Limits { get; }
    public int ModelLen { get; }
    public int BatchedTokens { get; }

    /// <summary>Bytes of the KV slots allocated for the whole batch.</summary>
    public long KvCacheBytes => KvSlots.Bytes(_model.Config, Limits.MaxNumSeqs, ModelLen, _model.Dtype);

    public SchedulerLoad Load => Volatile.Read(ref _load) with { PromptTokens = PromptTokens, GenerationTokens = GenerationTokens };

    /// <summary>Decode steps run so far (each advances every running sequence by one token).</summary>
    public long Steps => Interlocked.Read(ref _steps);
    long _steps;

    /// <summary>Why a request cannot be run, in one sentence; null when it can.</summary>
    public string? Refusal(int promptTokens, int maxNewTokens) =>
        promptTokens == 0 ? "The prompt is empty; give at least one token."
        : promptTokens + maxNewTokens > ModelLen
            ? $"The prompt of {promptTokens} tokens plus max_tokens {maxNewTokens} is more than the model length of {ModelLen} tokens (--max-model-len); shorten the prompt or lower max_tokens."
            : null;

    /// <summary>
    /// Streams the new ids of one prompt (stop tokens excluded) as the shared batch produces them. Ends on a stop
    /// token or after <see cref="GenerationOptions.MaxNewTokens"/>; ending the enumeration early (cancellation,
    /// break, dispose) takes the sequence out of the batch and frees its slot before the next step.
    /// </summary>
    public async IAsyncEnumerable<int> GenerateAsync(IReadOnlyList<int> prompt, GenerationOptions options,
        [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        options.Validate();
        if (Refusal(prompt.Count, options.MaxNewTokens) is { } problem) throw new ArgumentException(problem);
        ObjectDisposedException.ThrowIf(_stopping, this);
        var sequence = new BatchSequence(prompt, options);
        _arrivals.Enqueue(sequence);
        _wake.Set();
        try
        {
            await foreach (var id in sequence.Output.Reader.ReadAllAsync(cancellation)) yield return id;
        }
        finally
        {
            sequence.Cancel();
            _wake.Set();
        }
    }

    void Loop()
    {
        // Grad mode is per thread: this thread only ever runs inference.
        using var noGrad = no_grad();
        while (!_stopping)
        {
            while (_arrivals.TryDequeue(out var arrived)) _waiting.Add(arrived);
            DropCancelled();
            var admitted = Admit();
            if (admitted.Count > 0) Run(admitted, Prefill);
            var running = Running();
            if (running.Count > 0) Run(running, Decode);
            Publish();
            if (_arrivals.IsEmpty && _waiting.Count == 0 && Running().Count == 0) _wake.WaitOne();
        }
        foreach (var s in _waiting.Concat(Running())) s.Output.Writer.TryComplete(new ObjectDisposedException(nameof(BatchScheduler), "The server is stopping."));
    }

    List<BatchSequence> Running() => _bySlot.Where(s => s is not null).Select(s => s!).ToList();

    void DropCancelled()
    {
        foreach (var s in _waiting.Where(s => s.Cancelled).ToList())
        {
            _waiting.Remove(s);
            s.Output.Writer.TryComplete();
        }
        foreach (var s in Running().Where(s => s.Cancelled)) Finish(s);
    }

    /// <summary>First come, first served: free slots, and padded prompt tokens within the prefill budget (the first always fits).</summary>
    List<BatchSequence> Admit()
    {
        var admitted = new List<BatchSequence>();
        int longest = 0;
        while (_waiting.Count > 0)
        {
            int slot = Array.IndexOf(_bySlot, null);
            if (slot < 0) break;
            var next = _waiting[0];
            int padded = (admitted.Count + 1) * Math.Max(longest, next.Prompt.Count);
            if (admitted.Count > 0 && padded > BatchedTokens) break;
            _waiting.RemoveAt(0);
            next.Slot = slot;
            _bySlot[slot] = next;
            admitted.Add(next);
            longest = Math.Max(longest, next.Prompt.Count);
        }
        return admitted;
    }

    /// <summary>A failed forward ends its own sequences with the error; the scheduler keeps serving the others.</summary>
    void Run(List<BatchSequence> batch, Action<List<BatchSequence>> forward)
    {
        try
        {
            forward(batch);
        }
        catch (Exception e)
        {
            foreach (var s in batch)
            {
                if (s.Slot >= 0) _bySlot[s.Slot] = null;
                s.Slot = -1;
                s.Output.Writer.TryComplete(new InvalidOperationException($"Generation failed: {e.Message}", e));
            }
        }
    }

    void Prefill(List<BatchSequence> batch)
    {
        using var scope = NewDisposeScope();
        var device = _model.Device;
        int rows = batch.Count, longest = batch.Max(s => s.Prompt.Count);
        var ids = new long[rows * longest];
        var last = new long[rows];
        for (int r = 0; r < rows; r++)
        {
            var prompt = batch[r].Prompt;
            for (int i = 0; i < prompt.Count; i++) ids[r * longest + i] = prompt[i];
            last[r] = prompt.Count - 1;
        }
        // Right padding: every prompt starts at position 0 of its slot; padding sits after the real tokens, where
        // the causal mask already keeps it out of their sight. So the kernel's own causal mask (no mask tensor) is
        // exact for every real token; what the padding's positions compute is never read (decode masks them out).
        var positions = arange(longest, dtype: ScalarType.Int64, device: device).unsqueeze(0).expand(rows, -1);
        _cache.PlanPrefill(tensor(batch.Select(s => (long)s.Slot).ToArray(), device: device));
        var hidden = _model.Hidden(tensor(ids, [rows, longest], device: device), positions, mask: null, _cache, 0);
        var index = tensor(last, device: device).view(rows, 1, 1).expand(rows, 1, hidden.shape[2]);
        var logits = _model.Logits(hidden.gather(1, index)).squeeze(1);
        var chosen = Sample(logits, batch);
        for (int r = 0; r < rows; r++)
        {
            batch[r].Length = batch[r].Prompt.Count;
            Deliver(batch[r], chosen[r]);
        }
        Interlocked.Add(ref _promptTokens, batch.Sum(s => (long)s.Prompt.Count));
        StepTokens?.Invoke(batch.Sum(s => s.Prompt.Count));
    }

    void Decode(List<BatchSequence> batch)
    {
        using var threads = DecodeThreads.Enter();
        using var scope = NewDisposeScope();
        var device = _model.Device;
        // Row r of the step is slot r: slots are handed out lowest first, so the rows stay few; a free slot's row
        // carries a dummy token at position 0 of its own (unused) slot and its output is dropped.
        int rows = batch.Max(s => s.Slot) + 1;
        var ids = new long[rows];
        var at = new long[rows];
        foreach (var s in batch)
        {
            ids[s.Slot] = s.Next;
            at[s.Slot] = s.Length;
        }
        int read = batch.Max(s => s.Length) + 1;
        var positions = tensor(at, [rows, 1], device: device);
        var mask = arange(read, dtype: ScalarType.Int64, device: device).view(1, -1).le(positions).view(rows, 1, 1, read);
        _cache.PlanDecode(rows, positions.view(-1), read);
        var hidden = _model.Hidden(tensor(ids, [rows, 1], device: device), positions, mask, _cache, 0);
        var live = batch.Count == rows ? hidden : hidden.index_select(0, tensor(batch.Select(s => (long)s.Slot).ToArray(), device: device));
        var logits = _model.Logits(live).squeeze(1);
        var chosen = Sample(logits, batch);
        for (int i = 0; i < batch.Count; i++)
        {
            batch[i].Length++;
            Deliver(batch[i], chosen[i]);
        }
        Interlocked.Increment(ref _steps);
        if (batch.Count > _peakRunning) Volatile.Write(ref _peakRunning, batch.Count);
        StepTokens?.Invoke(batch.Count);
    }

    /// <summary>
    /// Each row by its own settings. Rows with the same settings (and no repetition penalty, which depends on each
    /// row's own tokens) are filtered in one batched pass: one argmax for greedy rows, one top-k/top-p for sampled
    /// ones; each sampled row then draws from its own seeded generator, so a row never depends on its neighbours.
    /// </summary>
    static long[] Sample(Tensor logits, List<BatchSequence> batch)
    {
        var chosen = new long[batch.Count];
        var shared = Enumerable.Range(0, batch.Count).Where(i => batch[i].Options.RepetitionPenalty == 1.0).ToList();
        foreach (var group in shared.GroupBy(i => SamplingKey(batch[i].Options)))
        {
            using var scope = NewDisposeScope();
            var rows = group.ToList();
            var options = batch[rows[0]].Options;
            var scores = TokenSampler.Scores(rows.Count == batch.Count ? logits : logits.index_select(0, tensor(rows.Select(i => (long)i).ToArray(), device: logits.device)), options);
            if (options.Greedy)
            {
                var best = scores.argmax(-1).cpu().data<long>().ToArray();
                for (int k = 0; k < rows.Count; k++) chosen[rows[k]] = best[k];
                continue;
            }
            var (probabilities, order) = TokenSampler.Candidates(scores, options);
            for (int k = 0; k < rows.Count; k++)
                chosen[rows[k]] = batch[rows[k]].Sampler.Draw(probabilities.narrow(0, k, 1), order?.narrow(0, k, 1))[0];
        }
        for (int i = 0; i < batch.Count; i++)
            if (batch[i].Options.RepetitionPenalty != 1.0) chosen[i] = batch[i].Sampler.Next(logits.narrow(0, i, 1), [batch[i].Seen])[0];
        return chosen;
    }

    /// <summary>Rows that filter alike: greedy ones by their vocabulary only; sampled ones by every filter setting.</summary>
    static (bool, double, int, double, int?) SamplingKey(GenerationOptions o) =>
        o.Greedy ? (true, 0, 0, 0, o.VocabularyLimit) : (false, o.Temperature, o.TopK, o.TopP, o.VocabularyLimit);

    /// <summary>Emits a chosen token, or ends the sequence on a stop token or at its token limit.</summary>
    void Deliver(BatchSequence s, long token)
    {
        if (s.Options.StopTokenIds.Contains((int)token))
        {
            Finish(s);
            return;
        }
        s.Next = token;
        s.Seen.Add((int)token);
        s.Generated++;
        s.Output.Writer.TryWrite((int)token);
        Interlocked.Increment(ref _generationTokens);
        if (s.Generated >= s.Options.MaxNewTokens || s.Length + 1 > ModelLen) Finish(s);
    }

    /// <summary>Takes a sequence out of the batch; its slot is free for the next admission at once.</summary>
    void Finish(BatchSequence s)
    {
        if (s.Slot >= 0) _bySlot[s.Slot] = null;
        s.Slot = -1;
        s.Output.Writer.TryComplete();
    }

    long _promptTokens, _generationTokens;

    /// <summary>Prompt tokens prefilled so far.</summary>
    public long PromptTokens => Interlocked.Read(ref _promptTokens);

    /// <summary>Tokens generated (emitted) so far.</summary>
    public long GenerationTokens => Interlocked.Read(ref _generationTokens);

    void Publish()
    {
        var running = Running();
        Volatile.Write(ref _load, new SchedulerLoad(running.Count, _waiting.Count + _arrivals.Count, running.Count, Limits.MaxNumSeqs,
            running.Sum(s => (long)s.Length), (long)Limits.MaxNumSeqs * ModelLen));
    }

    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        _wake.Set();
        if (_thread.IsAlive) _thread.Join();
        while (_arrivals.TryDequeue(out var s)) s.Output.Writer.TryComplete(new ObjectDisposedException(nameof(BatchScheduler), "The server is stopping."));
        _cache.Dispose();
        _wake.Dispose();
    }
}
