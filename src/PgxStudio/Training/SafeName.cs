using System.Text.RegularExpressions;
using PgxStudio.Engine.Sentences;

namespace PgxStudio.Training;

/// <summary>Names that become one file or folder name: letters, digits, dot, dash, underscore; no path tricks.</summary>
public static partial class SafeName
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex Pattern();

    /// <summary>Null when <paramref name="name"/> is fine, else the sentence that says why not.</summary>
    public static Sentence? Problem(string? name, Sentence what)
    {
        if (string.IsNullOrWhiteSpace(name)) return new Sentence("The {0} is empty: enter a name such as first_try-2.", what);
        if (!Pattern().IsMatch(name.Trim()))
            return new Sentence("The {0} '{1}' cannot be used: use up to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit (no spaces or slashes).", what, name.Trim());
        return null;
    }
}
