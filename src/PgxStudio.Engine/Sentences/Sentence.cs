using System.Globalization;

namespace PgxStudio.Engine.Sentences;

/// <summary>
/// A sentence for a person, kept as its English format and its arguments rather than as finished text: the command
/// line prints it in English (<see cref="ToString"/>), the studio looks the format up in its resources and shows it in
/// the reader's language. An argument that is itself a sentence, or a list of them, is put into words the same way.
/// </summary>
public sealed record Sentence(string Format, params object?[] Args)
{
    /// <summary>How a list of sentences reads inside another: "a; b; c".</summary>
    public const string ListSeparator = "; ";

    public override string ToString() => Write(this, s => s.Format);

    /// <summary>Text made elsewhere (an exception's or another program's message): shown as it is, in English.</summary>
    public static Sentence Text(string text) => new(text);

    /// <summary>The sentence with each format (this one's and its arguments') put through <paramref name="words"/>.</summary>
    public static string Write(Sentence sentence, Func<Sentence, string> words) => sentence.Args.Length == 0
        ? words(sentence) // a sentence without arguments may quote text with braces: it is not a format then
        : string.Format(CultureInfo.InvariantCulture, words(sentence), [.. sentence.Args.Select(a => Argument(a, words))]);

    static object? Argument(object? value, Func<Sentence, string> words) => value switch
    {
        Sentence inner => Write(inner, words),
        IEnumerable<Sentence> list => string.Join(ListSeparator, list.Select(s => Write(s, words))),
        _ => value,
    };
}

/// <summary>An argument that cannot be used, in one <see cref="Sentence"/> (its message is the sentence in English).</summary>
public sealed class SentenceException(Sentence sentence) : ArgumentException(sentence.ToString())
{
    public Sentence Sentence { get; } = sentence;
}
