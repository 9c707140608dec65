using Microsoft.Extensions.Localization;
using PgxStudio.Engine.Sentences;

namespace PgxStudio.Localization;

/// <summary>
/// A service's <see cref="Sentence"/> in the page's language: its English format is the resource key (as every key
/// is), so a sentence the engine shares with the command line needs no second copy in the studio.
/// </summary>
public static class SentenceWords
{
    public static string Say(this IStringLocalizer words, Sentence sentence) => Sentence.Write(sentence, s => words[s.Format].Value);
}
