namespace PgxStudio.Engine.Tokenization;

/// <summary>What templates, datasets, training and generation need from a tokenizer.</summary>
public interface ITokenizer
{
    /// <summary>Ids for <paramref name="text"/>; added tokens (special or not) inside the text are matched whole.
    /// No bos/eos is added: templates decide those.</summary>
    IReadOnlyList<int> Encode(string text);

    /// <summary>Text for <paramref name="ids"/>; special tokens are dropped when <paramref name="skipSpecialTokens"/>.</summary>
    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false);

    /// <summary>The id of a single token (vocabulary or added token), or null when it is not one token.</summary>
    int? TokenToId(string token);

    /// <summary>Number of ids the tokenizer can produce (vocabulary plus added tokens).</summary>
    int VocabularySize { get; }

    int? BosTokenId { get; }
    int? EosTokenId { get; }
    int? PadTokenId { get; }
}
