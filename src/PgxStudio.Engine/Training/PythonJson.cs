using System.Globalization;
using System.Text;

namespace PgxStudio.Engine.Training;

/// <summary>
/// JSON text as Python's json.dumps writes it (", " and ": " separators, floats as repr: "3.0", "5e-05"), so
/// files LLaMA-Factory's tools read look the same byte for byte.
/// </summary>
public static class PythonJson
{
    public static string Float(double d)
    {
        if (double.IsNaN(d)) return "NaN";
        if (double.IsPositiveInfinity(d)) return "Infinity";
        if (double.IsNegativeInfinity(d)) return "-Infinity";
        var r = d.ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E');
        if (e >= 0)
        {
            var exponent = int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture);
            return $"{r[..e]}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
        }
        return r.Contains('.') ? r : r + ".0";
    }

    public static string Value(object? v) => v switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        double d => Float(d),
        float f => Float(f),
        int or long => Convert.ToString(v, CultureInfo.InvariantCulture)!,
        string s => System.Text.Json.JsonSerializer.Serialize(s),
        _ => throw new ArgumentException($"No Python JSON form for {v.GetType().Name}."),
    };

    /// <summary>A flat object with keys in the given order, as json.dumps(dict) prints it.</summary>
    public static string Object(IEnumerable<KeyValuePair<string, object?>> fields)
    {
        var sb = new StringBuilder("{");
        bool first = true;
        foreach (var (k, v) in fields)
        {
            if (!first) sb.Append(", ");
            first = false;
            sb.Append(System.Text.Json.JsonSerializer.Serialize(k)).Append(": ").Append(Value(v));
        }
        return sb.Append('}').ToString();
    }
}
