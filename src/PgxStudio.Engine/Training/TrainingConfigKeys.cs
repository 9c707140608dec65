using System.Globalization;
using System.Reflection;
using System.Text;

namespace PgxStudio.Engine.Training;

/// <summary>
/// The YAML keys of <see cref="TrainingArguments"/>: each settable property under its snake_case name, with
/// parsing from the text a YAML scalar or a `key=value` override holds.
/// </summary>
public static class TrainingConfigKeys
{
    public sealed record Key(string Name, PropertyInfo Property)
    {
        public Type ValueType => Nullable.GetUnderlyingType(Property.PropertyType) ?? Property.PropertyType;
        public bool AllowsNull => !Property.PropertyType.IsValueType || Nullable.GetUnderlyingType(Property.PropertyType) is not null;
        public object? Get(TrainingArguments args) => Property.GetValue(args);
        public void Set(TrainingArguments args, object? value) => Property.SetValue(args, value);
    }

    public static IReadOnlyList<Key> All { get; } = typeof(TrainingArguments)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite)
        .Select(p => new Key(SnakeCase(p.Name), p))
        .ToArray();

    static readonly Dictionary<string, Key> ByName = All.ToDictionary(k => k.Name, StringComparer.Ordinal);

    public static Key? Find(string name) => ByName.GetValueOrDefault(name);

    public static string SnakeCase(string pascal)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < pascal.Length; i++)
        {
            char c = pascal[i];
            if (char.IsUpper(c) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    /// <summary>
    /// Reads a scalar as YAML 1.1 (PyYAML, which LLaMA-Factory uses) would: true/false/yes/no/on/off,
    /// null/~/empty, numbers in invariant culture. Returns an error sentence instead of throwing.
    /// </summary>
    public static bool TryParse(Key key, string? text, out object? value, out string? error)
    {
        value = null;
        error = null;
        var t = text?.Trim();
        if (t is null || t.Length == 0 || t is "null" or "Null" or "NULL" or "~" or "None")
        {
            if (key.AllowsNull) return true;
            error = $"needs a value ({Describe(key.ValueType)})";
            return false;
        }
        var type = key.ValueType;
        if (type == typeof(string)) { value = t; return true; }
        if (type == typeof(bool))
        {
            switch (t.ToLowerInvariant())
            {
                case "true" or "yes" or "on": value = true; return true;
                case "false" or "no" or "off": value = false; return true;
            }
        }
        else if (type == typeof(int))
        {
            if (int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)) { value = i; return true; }
            // 1e3 or 500.0 in a YAML file still mean a whole number when they are one
            if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue)
            { value = (int)d; return true; }
        }
        else if (type == typeof(double))
        {
            if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) { value = d; return true; }
        }
        error = $"'{t}' is not {Describe(type)}";
        return false;
    }

    static string Describe(Type type) =>
        type == typeof(bool) ? "true or false" :
        type == typeof(int) ? "a whole number" :
        type == typeof(double) ? "a number" : "text";

    /// <summary>The value as YAML scalar text, the way LLaMA-Factory's example files write it.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d => FormatNumber(d),
        string s => QuoteIfNeeded(s),
        _ => value.ToString() ?? "null",
    };

    static string FormatNumber(double d)
    {
        // PyYAML reads "1e-4" as a string but "1.0e-4" as a float: always keep a dot in the mantissa.
        var r = d.ToString("R", CultureInfo.InvariantCulture);
        if (r.Contains('E'))
        {
            var parts = r.Split('E');
            var mantissa = parts[0].Contains('.') ? parts[0] : parts[0] + ".0";
            var exponent = int.Parse(parts[1], CultureInfo.InvariantCulture);
            return $"{mantissa}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent)}";
        }
        return r.Contains('.') ? r : r + ".0";
    }

    static string QuoteIfNeeded(string s)
    {
        bool plain = s.Length > 0
            && !s.Any(c => ":#{}[]&*!|>'\"%@`\n\r\t".Contains(c))
            && s.Trim() == s
            && !s.StartsWith('-') && !s.StartsWith('?')
            && !TryLooksLikeOtherScalar(s);
        return plain ? s : "'" + s.Replace("'", "''") + "'";
    }

    static bool TryLooksLikeOtherScalar(string s) =>
        s.ToLowerInvariant() is "true" or "false" or "yes" or "no" or "on" or "off" or "null" or "~" or "none"
        || double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
