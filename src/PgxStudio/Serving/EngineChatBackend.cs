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
/// template, and the token generator. Qwen3's &lt;think&gt; … &lt;/think&gt; is streamed as reasoning text.
/// </summary>
public sealed class EngineChatBackend : IChatBackend, IDisposable
{
    readonly CausalLM _model;
    readonly HfTokenizer _tokenizer;
    readonly ChatTemplate _template;
    readonly TokenGenerator _generator;
    readonly int? _thinkStart, _thinkEnd;

    public EngineChatBackend(ServeModelSpec spec, string? templateName = null)
    {
        TorchRuntime.Initialize();
        _model = CausalLM.Load(spec.ModelDirectory);
        // Several adapters are merged one after the other, as LLaMA-Factory does with a comma-separated list.
        foreach (var adapter in spec.Adapters) LoraAdapter.Apply(_model, adapter, merge: true);
        _model.eval();
        _tokenizer = HfTokenizer.Load(spec.ModelDirectory);
        _template = ChatTemplates.ForModel(spec.ModelDirectory, templateName ?? spec.Template, spec.EnableThinking);
        _generator = new TokenGenerator(_model);
        _thinkStart = _tokenizer.TokenToId("<think>");
        _thinkEnd = _tokenizer.TokenToId("</think>");
        ModelId = Path.GetFileName(Path.TrimEndingDirectorySeparator(spec.Adapters.LastOrDefault() ?? spec.ModelDirectory));
    }

    public string ModelId { get; }

    public string? Validate(ChatCompletionRequest request)
    {
        var prompt = Prompt(request);
        int maxNew = MaxNewTokens(request, prompt.Count);
        return maxNew < 1
            ? $"The prompt is {prompt.Count} tokens, at or beyond the model's context of {_model.Config.MaxPositionEmbeddings} tokens; shorten the conversation."
            : null;
    }

    public async IAsyncEnumerable<ChatDelta> StreamAsync(ChatCompletionRequest request, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var prompt = Prompt(request);
        int maxNew = MaxNewTokens(request, prompt.Count);
        var options = new GenerationOptions
        {
            MaxNewTokens = maxNew,
            Temperature = request.Temperature ?? 0.7,
            TopP = request.TopP ?? 0.95,
            DoSample = (request.Temperature ?? 0.7) > 0,
            Seed = request.Seed,
            StopTokenIds = _template.StopTokenIds(_tokenizer).ToList(),
            VocabularyLimit = _tokenizer.VocabularySize,
        };
        var decoder = _tokenizer.CreateStreamingDecoder();
        var stops = request.Stop.Concat(_template.StopStrings(_tokenizer)).Where(s => s.Length > 0).ToList();
        var emitted = new StringBuilder();
        bool reasoning = false;
        int completion = 0;
        string finish = "length";
        await foreach (var id in _generator.StreamAsync(prompt, options, cancellation))
        {
            completion++;
            if (id == _thinkStart) { reasoning = true; continue; }
            if (id == _thinkEnd) { reasoning = false; continue; }
            var text = decoder.Add(id);
            if (text.Length == 0) continue;
            if (reasoning)
            {
                yield return new ChatDelta(null, text, null, null);
                continue;
            }
            emitted.Append(text);
            if (stops.FirstOrDefault(s => emitted.ToString().Contains(s, StringComparison.Ordinal)) is { } stop)
            {
                var full = emitted.ToString();
                var keep = full[..full.IndexOf(stop, StringComparison.Ordinal)];
                var alreadySent = full.Length - text.Length;
                if (keep.Length > alreadySent) yield return new ChatDelta(keep[alreadySent..], null, null, null);
                finish = "stop";
                break;
            }
            yield return new ChatDelta(text, null, null, null);
        }
        if (finish != "stop" && completion < maxNew) finish = "stop"; // ended on a stop token
        var rest = decoder.Flush();
        if (rest.Length > 0 && finish == "length") yield return new ChatDelta(rest, null, null, null);
        yield return new ChatDelta(null, null, finish, new ChatUsage(prompt.Count, completion));
    }

    List<int> Prompt(ChatCompletionRequest request)
    {
        var system = request.Messages.FirstOrDefault(m => m.Role == "system")?.Content;
        var messages = request.Messages.Where(m => m.Role != "system").Select(m => new Message(m.Role switch
        {
            "assistant" => Role.Assistant,
            "tool" => Role.Observation,
            _ => Role.User,
        }, m.Content)).ToList();
        return _template.EncodeGenerationPrompt(_tokenizer, messages, system);
    }

    int MaxNewTokens(ChatCompletionRequest request, int promptTokens)
    {
        int room = _model.Config.MaxPositionEmbeddings - promptTokens;
        return Math.Min(request.MaxTokens ?? 512, room);
    }

    public void Dispose() => _model.Dispose();
}
