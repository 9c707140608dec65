using System.Text;
using System.Text.RegularExpressions;

namespace PgxStudio.Tests.Localization;

/// <summary>
/// The user-visible text a .razor file writes literally, not through the localizer: text between tags, the
/// attributes that are shown (labels, helper texts, titles, tooltips, chart titles and axes) and snackbar messages.
/// A reader of Razor, not a parser: it strips comments, the @code block and Razor expressions, and keeps what is left.
/// </summary>
public static partial class RazorText
{
    /// <summary>Attributes whose value a user reads.</summary>
    static readonly string[] ShownAttributes =
        ["Label", "HelperText", "Text", "Title", "XTitle", "YTitle", "Y2Title", "Placeholder", "aria-label", "title", "ErrorText", "SortLabel"];

    public static IEnumerable<(int Line, string Text)> Literals(string razor)
    {
        var source = CommentPattern().Replace(razor, m => Blank(m.Value));
        var codeAt = CodeBlockPattern().Match(source);
        var markup = codeAt.Success ? source[..codeAt.Index] : source;

        // Text between tags, once C# inside the markup (expressions, control headers, statements) is blanked out.
        var text = WithoutCode(markup);
        foreach (Match m in TextNodePattern().Matches(text))
        {
            var line = LineOf(text, m.Index);
            foreach (var (raw, offset) in m.Groups[1].Value.Split('\n').Select((l, i) => (l, i)))
            {
                var shown = WithoutRazor(raw).Trim();
                if (HasWords(shown)) yield return (line + offset, shown);
            }
        }
        foreach (Match m in AttributePattern().Matches(markup))
            if (ShownAttributes.Contains(m.Groups[1].Value) && HasWords(m.Groups[2].Value))
                yield return (LineOf(markup, m.Index), m.Groups[2].Value);

        // Messages built in C#, in @code or in a Razor expression: a snackbar, a message box, or a sentence (words with a
        // space, or a capitalised word) as a string literal in a ternary. Class names and field keys are neither.
        var code = LocalizedPattern().Replace(source, "L[");
        foreach (Match m in CodeMessagePattern().Matches(code))
            if (HasWords(Uninterpolated(m.Groups[1].Value)))
                yield return (LineOf(code, m.Index), m.Value);
        foreach (Match m in TernaryPattern().Matches(code))
            if (Uninterpolated(m.Groups[1].Value) is var literal && HasWords(literal) && (literal.Trim().Contains(' ') || char.IsUpper(literal.TrimStart()[0])))
                yield return (LineOf(code, m.Index), m.Value);
    }

    /// <summary>The markup with @(…) expressions, @if/@foreach/… headers and C# statement lines replaced by spaces.</summary>
    static string WithoutCode(string markup)
    {
        var chars = markup.ToCharArray();
        void BlankRange(int from, int to) { for (var k = from; k < to && k < chars.Length; k++) if (chars[k] != '\n') chars[k] = ' '; }
        for (var i = 0; i < markup.Length; i++)
        {
            if (markup[i] != '@' && !(markup[i] == 'e' && ElseIfPattern().IsMatch(markup.AsSpan(i)))) continue;
            var header = HeaderPattern().Match(markup, i);
            if (header.Success && header.Index == i)
            {
                var end = SkipBalanced(markup, header.Index + header.Length - 1);
                BlankRange(i, end);
                i = end - 1;
            }
            else if (markup[i] == '@' && i + 1 < markup.Length && markup[i + 1] == '(')
            {
                var end = SkipBalanced(markup, i + 1);
                BlankRange(i, end);
                i = end - 1;
            }
        }
        var blanked = new string(chars);
        return StatementPattern().Replace(blanked, m => Blank(m.Value));
    }

    static string Blank(string text) => new(text.Select(c => c == '\n' ? '\n' : ' ').ToArray());

    /// <summary>An interpolated string's literal parts ({expressions} and the brand removed).</summary>
    static string Uninterpolated(string text) => InterpolationPattern().Replace(text, "");

    /// <summary>Letters that form a word: two or more in a row (units like "s" and symbols are not words).</summary>
    static bool HasWords(string text) => WordPattern().IsMatch(UnitPattern().Replace(text.Replace("PGX Studio", ""), ""));

    /// <summary>The text with every Razor construct (@expr, @(…), @if (…) …) removed.</summary>
    static string WithoutRazor(string text)
    {
        var trimmed = text.TrimStart();
        // Control lines of Razor code inside markup: @if/@foreach/else/braces and C# statements.
        if (trimmed.StartsWith('{') || trimmed.StartsWith('}') || ControlPattern().IsMatch(trimmed)) return "";
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '@' || i + 1 >= text.Length) { result.Append(text[i]); continue; }
            i++;
            if (text[i] == '(') { i = SkipBalanced(text, i) - 1; continue; }
            // @identifier followed by .member, (args) and [index] chains
            while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
            while (i < text.Length)
            {
                if (text[i] is '(' or '[') i = SkipBalanced(text, i);
                else if (text[i] is '.' or '?' && i + 1 < text.Length && (char.IsLetter(text[i + 1]) || text[i + 1] == '.'))
                {
                    i++;
                    if (text[i] == '.') i++;
                    while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                }
                else break;
            }
            i--;
        }
        return result.ToString();
    }

    /// <summary>The index just after the bracket that closes the one at <paramref name="open"/>, skipping strings.</summary>
    static int SkipBalanced(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                for (i++; i < text.Length && text[i] != '"'; i++) if (text[i] == '\\') i++;
                continue;
            }
            if (c is '(' or '[') depth++;
            else if (c is ')' or ']' && --depth == 0) return i + 1;
        }
        return text.Length;
    }

    static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;

    [GeneratedRegex(@"@\*.*?\*@", RegexOptions.Singleline)]
    private static partial Regex CommentPattern();

    [GeneratedRegex(@"^@code\s*\{", RegexOptions.Multiline)]
    private static partial Regex CodeBlockPattern();

    // Text after a tag's closing '>' up to the next tag. Attribute values with '>' (lambdas) are rare and hold no text.
    [GeneratedRegex(@"(?<![=-])>([^<>]+)<")]
    private static partial Regex TextNodePattern();

    [GeneratedRegex(@"\s([\w-]+)=""([^""@][^""]*)""")]
    private static partial Regex AttributePattern();

    [GeneratedRegex(@"(?:Snackbar\.Add|ShowMessageBoxAsync|ShowAsync<\w+>|Say)\(\$?""([^""]+)""")]
    private static partial Regex CodeMessagePattern();

    [GeneratedRegex(@"\s[?:]\s+\$?""([^""]+)""")]
    private static partial Regex TernaryPattern();

    [GeneratedRegex(@"^(@?(if|else|foreach|for|while|switch|case|var|return|using|inject|page|implements|inherits|layout|attribute|rendermode)\b|@\{|@:)")]
    private static partial Regex ControlPattern();

    [GeneratedRegex(@"@(if|foreach|for|while|switch|using)\s*\(|else if\s*\(")]
    private static partial Regex HeaderPattern();

    [GeneratedRegex(@"^else if\s*\(")]
    private static partial Regex ElseIfPattern();

    // Statements and directives: `@inject IOptions<StudioOptions> Studio` is C#, not a tag with text after it.
    [GeneratedRegex(@"^\s*(var\s|@(inject|using|page|implements|inherits|layout|attribute|rendermode)\b)[^\n]*", RegexOptions.Multiline)]
    private static partial Regex StatementPattern();

    [GeneratedRegex(@"\bL\[""(?:[^""\\]|\\.)*""")]
    private static partial Regex LocalizedPattern();

    [GeneratedRegex(@"\{[^}]*(\}|$)")]
    private static partial Regex InterpolationPattern();

    /// <summary>Units and acronyms written the same in both languages.</summary>
    [GeneratedRegex(@"\b(GB|GiB|MB|MiB|MHz|ms|CPU|GPU)\b")]
    private static partial Regex UnitPattern();

    [GeneratedRegex(@"[A-Za-z]{2,}|\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex WordPattern();
}
