namespace PgxStudio.Engine.Tokenization;

/// <summary>An entry of tokenizer.json's added_tokens: matched whole in text before anything else (chat markers,
/// tool tags, thinking tags). Special ones are dropped by decoding with skipSpecialTokens.</summary>
public sealed record AddedToken(int Id, string Content, bool Special);
