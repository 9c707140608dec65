using System.Text.RegularExpressions;

namespace PgxStudio.Training;

/// <summary>Names that become one file or folder name: letters, digits, dot, dash, underscore; no path tricks.</summary>
public static partial class SafeName
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex Pattern();

    /// <summary>Null when <paramref name="name"/> is fine, else the sentence that says why not.</summary>
    public static string? Problem(string? name, string what)
    {
        if (string.IsNullOrWhiteSpace(name)) return $"The {what} is empty: enter a name such as first_try-2.";
        if (!Pattern().IsMatch(name.Trim()))
            return $"The {what} '{name.Trim()}' cannot be used: use up to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit (no spaces or slashes).";
        return null;
    }
}
