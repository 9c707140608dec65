using System.Runtime.CompilerServices;
using System.Text;
using PgxStudio.Engine.Inference;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Peft;
using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Serving;

/// <summary>
/// The engine behind `pgx serve`: a model folder (with an optional PEFT adapter merged in), its tokenizer and chat
/// template, and the continuous-batching scheduler every request joins. Qwen3's &lt;think&gt; … &lt;/think&gt; is
/// streamed as reasoning text; stop strings are matched on the decoded text and end the request's sequence at once.
/// </summary>
public sealed class EngineChatBackend : IChatBackend, IDisposable
{
    readonly CausalLM _model;
    readonly HfTokenizer _tokenizer;
    readonly ChatTemplate _template;
    readonly BatchScheduler _scheduler;
    readonly GenerationDefaults _defaults;
    readonly IReadOnlyList<int> _stopTokenIds;
    readonly int? _thinkStart, _thinkEnd;

    public EngineChatBackend(ServeModelSpec spec, string? templateName = null)
    {
        TorchRuntime.Initialize();
        FreedMemory.KeepForReuse(); // a serving process: each step's freed activations serve the next
        var config = ModelConfig.Load(spec.ModelDirectory);
        spec.Limits.Validate(config);
        var dtype = ServeDtype.Parse(spec.Dtype, config, TorchRuntime.Info.Device);
        KvMemory.CheckFits(config, spec.Limits, dtype, TorchRuntime.Info.Device);
        // Several adapters are merged one after the other, as LLaMA-Factory does with a comma-separated list.
        _model = InferenceModel.Load(spec.ModelDirectory, spec.Adapters, spec.Quantization, dtype);
        try
        {
            _tokenizer = HfTokenizer.Load(spec.ModelDirectory);
            _template = ChatTemplates.ForModel(spec.ModelDirectory, templateName ?? spec.Template, spec.EnableThinking);
            _defaults = GenerationDefaults.Load(spec.ModelDirectory);
            _stopTokenIds = _template.StopTokenIds(_tokenizer).ToList();
            _scheduler = new BatchScheduler(_model, spec.Limits);
        }
        catch
        {
            _model.Dispose();
            throw;
        }
        _thinkStart = _tokenizer.TokenToId("<think>");
        _thinkEnd = _tokenizer.TokenToId("</think>");
        ModelId = Path.GetFileName(Path.TrimEndingDirectorySeparator(spec.Adapters.LastOrDefault() ?? spec.ModelDirectory));
    }

    public string ModelId { get; }

    public int MaxModelLen => _scheduler.ModelLen;

    public SchedulerLoad Load => _scheduler.Load;

    /// <summary>Bytes of KV memory reserved for the batch when the model loaded.</summary>
    public long KvCacheBytes => _scheduler.KvCacheBytes;

    public BatchScheduler Scheduler => _scheduler;

    /// <summary>The batch and its KV memory, for the worker's log.</summary>
    public string Budget() =>
        $"continuous batching: up to {_scheduler.Limits.MaxNumSeqs} sequences of {_scheduler.ModelLen} tokens, {Components.Shared.ByteSize.Text(KvCacheBytes)} of KV cache ({_model.Dtype}) allocated";

    public string? Validate(ChatCompletionRequest request)
    {
        var prompt = Prompt(request);
        if (prompt.Count == 0) return "The prompt is empty; give some text to continue.";
        return MaxNewTokens(request, prompt.Count) < 1
            ? $"The prompt is {prompt.Count} tokens, at or beyond the model's context of {_scheduler.ModelLen} tokens (--max-model-len); shorten the conversation."
            : null;
    }

    public async IAsyncEnumerable<ChatDelta> StreamAsync(ChatCompletionRequest request, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var prompt = Prompt(request);
        int maxNew = MaxNewTokens(request, prompt.Count);
        double temperature = request.Temperature ?? _defaults.Temperature;
        var options = new GenerationOptions
        {
            MaxNewTokens = maxNew,
            Temperature = temperature,
            TopP = request.TopP ?? _defaults.TopP,
            TopK = request.TopK ?? _defaults.TopK,
            RepetitionPenalty = request.RepetitionPenalty ?? _defaults.RepetitionPenalty,
            DoSample = temperature > 0,
            Seed = request.Seed,
            StopTokenIds = request.IgnoreEos ? [] : _stopTokenIds,
            VocabularyLimit = _tokenizer.VocabularySize,
        };
        var decoder = _tokenizer.CreateStreamingDecoder();
        bool chat = request.Prompt is null;
        var stops = request.Stop.Concat(chat ? _template.StopStrings(_tokenizer) : []).Where(s => s.Length > 0).ToList();
        var emitted = new StringBuilder();
        bool reasoning = false;
        int completion = 0;
        string finish = ChatDelta.Finish.Length;
        // Leaving this loop early (a stop string, the client gone) disposes the stream, which takes the sequence out of the batch.
        await foreach (var id in _scheduler.GenerateAsync(prompt, options, cancellation))
        {
            completion++;
            if (chat && id == _thinkStart) { reasoning = true; continue; }
            if (chat && id == _thinkEnd) { reasoning = false; continue; }
            var text = decoder.Add(id);
            if (text.Length == 0) continue;
            if (reasoning)
            {
                yield return new ChatDelta(null, text, null, null);
                continue;
            }
            emitted.Append(text);
            if (StopIn(emitted, text.Length, stops) is { } cut)
            {
                var alreadySent = emitted.Length - text.Length;
                if (cut > alreadySent) yield return new ChatDelta(emitted.ToString(alreadySent, cut - alreadySent), null, null, null);
                finish = ChatDelta.Finish.Stop;
                break;
            }
            yield return new ChatDelta(text, null, null, null);
        }
        if (finish != ChatDelta.Finish.Stop && completion < maxNew) finish = ChatDelta.Finish.Stop; // ended on a stop token
        var rest = decoder.Flush();
        if (rest.Length > 0 && finish == ChatDelta.Finish.Length) yield return new ChatDelta(rest, null, null, null);
        yield return new ChatDelta(null, null, finish, new ChatUsage(prompt.Count, completion));
    }

    /// <summary>
    /// Where the first stop string begins in the text so far, if one has just been completed. Only the tail that the
    /// new piece could have finished is searched, so a long answer is not rescanned for every token.
    /// </summary>
    static int? StopIn(StringBuilder emitted, int added, IReadOnlyList<string> stops)
    {
        int? first = null;
        foreach (var stop in stops)
        {
            int from = Math.Max(0, emitted.Length - added - stop.Length + 1);
            int at = emitted.ToString(from, emitted.Length - from).IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first is null || from + at < first)) first = from + at;
        }
        return first;
    }

    List<int> Prompt(ChatCompletionRequest request)
    {
        if (request.Prompt is { } text)
        {
            // Raw text, as a Hugging Face tokenizer encodes it: with the BOS token when the tokenizer names one (Llama 3).
            var ids = new List<int>();
            if (_tokenizer.BosTokenId is { } bos) ids.Add(bos);
            ids.AddRange(_tokenizer.Encode(text));
            return ids;
        }
        var system = request.Messages.FirstOrDefault(m => m.Role == "system")?.Content;
        var messages = request.Messages.Where(m => m.Role != "system").Select(m => new Message(m.Role switch
        {
            "assistant" => Role.Assistant,
            "tool" => Role.Observation,
            _ => Role.User,
        }, m.Content)).ToList();
        return _template.EncodeGenerationPrompt(_tokenizer, messages, system);
    }

    /// <summary>max_tokens, or (left out) everything the model length leaves; never past the model length.</summary>
    int MaxNewTokens(ChatCompletionRequest request, int promptTokens)
    {
        int room = _scheduler.ModelLen - promptTokens;
        return Math.Min(request.MaxTokens ?? room, room);
    }

    public void Dispose()
    {
        _scheduler.Dispose();
        _model.Dispose();
    }
}
