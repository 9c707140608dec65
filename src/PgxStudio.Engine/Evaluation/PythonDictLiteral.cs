using System.Globalization;
using System.Text;

namespace PgxStudio.Engine.Evaluation;

/// <summary>
/// Reads the one Python literal in jieba's finalseg/prob_*.py files (<c>P={'B': {'\u4e00': -3.65, ...}, ...}</c>):
/// nested dicts of quoted string keys to floats. Just enough Python to read data, nothing is executed.
/// </summary>
internal sealed class PythonDictLiteral
{
    readonly string text;
    readonly string file;
    int pos;

    PythonDictLiteral(string text, string file) { this.text = text; this.file = file; }

    /// <summary>The value assigned to <c>P</c>: a dict whose values are floats or dicts of floats.</summary>
    public static Dictionary<string, object> ReadAssignedDict(string path)
    {
        var text = File.ReadAllText(path);
        int at = text.IndexOf("P=", StringComparison.Ordinal);
        if (at < 0) at = text.IndexOf("P =", StringComparison.Ordinal);
        if (at < 0) throw new InvalidDataException($"{path} has no 'P = {{...}}' table; point the jieba path at an unmodified jieba install.");
        var parser = new PythonDictLiteral(text, path) { pos = text.IndexOf('{', at) };
        return parser.ReadDict();
    }

    Dictionary<string, object> ReadDict()
    {
        Expect('{');
        var dict = new Dictionary<string, object>(StringComparer.Ordinal);
        while (true)
        {
            SkipSpace();
            if (Peek() == '}') { pos++; return dict; }
            var key = ReadString();
            SkipSpace();
            Expect(':');
            SkipSpace();
            dict[key] = Peek() == '{' ? ReadDict() : ReadNumber();
            SkipSpace();
            if (Peek() == ',') pos++;
        }
    }

    string ReadString()
    {
        char quote = Peek();
        if (quote is not ('\'' or '"')) throw Error("a quoted key");
        pos++;
        var sb = new StringBuilder();
        while (Peek() != quote)
        {
            char c = text[pos++];
            if (c != '\\') { sb.Append(c); continue; }
            char e = text[pos++];
            switch (e)
            {
                case 'u': sb.Append((char)Convert.ToInt32(text.Substring(pos, 4), 16)); pos += 4; break;
                case 'U': sb.Append(char.ConvertFromUtf32(Convert.ToInt32(text.Substring(pos, 8), 16))); pos += 8; break;
                case 'x': sb.Append((char)Convert.ToInt32(text.Substring(pos, 2), 16)); pos += 2; break;
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                default: sb.Append(e); break; // \\ \' \"
            }
        }
        pos++;
        return sb.ToString();
    }

    double ReadNumber()
    {
        int start = pos;
        while (pos < text.Length && (char.IsAsciiDigit(text[pos]) || text[pos] is '-' or '+' or '.' or 'e' or 'E')) pos++;
        if (!double.TryParse(text.AsSpan(start, pos - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw Error("a number");
        return value;
    }

    void SkipSpace() { while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++; }
    char Peek() => pos < text.Length ? text[pos] : throw Error("more text");
    void Expect(char c) { SkipSpace(); if (Peek() != c) throw Error($"'{c}'"); pos++; }
    InvalidDataException Error(string wanted) =>
        new($"{file} is not the table jieba ships: expected {wanted} at character {pos}; reinstall jieba or point the jieba path elsewhere.");
}
