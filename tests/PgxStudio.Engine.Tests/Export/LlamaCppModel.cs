using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;

namespace PgxStudio.Engine.Tests.Export;

/// <summary>
/// A GGUF file opened by llama.cpp itself (LLamaSharp's CPU backend): its tokenizer, its logits for a sequence,
/// its metadata. The independent reader every GGUF export is checked with.
/// </summary>
sealed class LlamaCppModel : IDisposable
{
    static readonly StringBuilder Log = new();

    static LlamaCppModel()
    {
        // Before the first native call: keep llama.cpp's warnings and errors to explain a failed load.
        NativeLibraryConfig.All.WithLogCallback((level, message) =>
        {
            if (level is LLamaLogLevel.Error or LLamaLogLevel.Warning)
                lock (Log) Log.Append(message);
        });
    }

    readonly LLamaWeights _weights;
    readonly string _path;

    public LlamaCppModel(string ggufPath)
    {
        _path = ggufPath;
        try
        {
            _weights = LLamaWeights.LoadFromFile(Parameters(64));
        }
        catch (Exception e)
        {
            lock (Log) throw new InvalidOperationException($"llama.cpp could not load {ggufPath}: {e.Message}\n{Log}", e);
        }
    }

    ModelParams Parameters(uint context) => new(_path)
    {
        ContextSize = context, BatchSize = context, UBatchSize = context, GpuLayerCount = 0, Threads = 2, BatchThreads = 2,
    };

    public int VocabularySize => _weights.Vocab.Count;
    public int? Bos => _weights.Vocab.BOS is { } t ? (int)t : null;
    public int? Eos => _weights.Vocab.EOS is { } t ? (int)t : null;
    public int? Pad => _weights.Vocab.Pad is { } t ? (int)t : null;
    public bool AddsBos => _weights.Vocab.ShouldAddBOS;

    /// <summary>The chat template llama.cpp found in the file (llama_model_chat_template).</summary>
    public string? ChatTemplate => _weights.NativeHandle.GetTemplate(null, strict: true);

    /// <summary>Ids for a text with special tokens recognised and no bos added, as Hugging Face's encode of plain text.</summary>
    public int[] Tokenize(string text) => _weights.Tokenize(text, false, true, Encoding.UTF8).Select(t => (int)t).ToArray();

    public string? Metadata(string key) => _weights.Metadata.TryGetValue(key, out var v) ? v : null;

    /// <summary>The logits at every position of <paramref name="ids"/>, decoded as one batch from an empty cache.</summary>
    public float[][] Logits(IReadOnlyList<int> ids)
    {
        uint context = (uint)Math.Max(64, (ids.Count + 63) / 64 * 64);
        using var ctx = _weights.CreateContext(Parameters(context));
        var batch = new LLamaBatch();
        for (int i = 0; i < ids.Count; i++) batch.Add((LLamaToken)ids[i], i, (LLamaSeqId)0, true);
        var result = ctx.NativeHandle.Decode(batch);
        if (result != DecodeResult.Ok) throw new InvalidOperationException($"llama.cpp could not decode {ids.Count} tokens: {result}.");
        return Enumerable.Range(0, ids.Count).Select(i => ctx.NativeHandle.GetLogitsIth(i).ToArray()).ToArray();
    }

    public void Dispose() => _weights.Dispose();
}
