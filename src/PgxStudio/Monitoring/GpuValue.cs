using System.Globalization;
using PgxStudio.Engine.Sentences;

namespace PgxStudio.Monitoring;

/// <summary>
/// One field of an nvidia-smi reading: a number, or the reason there is none. A GB10 answers "[Not Supported]" for
/// memory.used and "[N/A]" for memory.total and the memory clock; those stay what they are and are never shown as 0.
/// </summary>
public sealed record GpuValue(double? Number, string? Missing)
{
    public const string NotSupported = "[Not Supported]";
    public const string NotAvailable = "[N/A]";

    public static GpuValue Parse(string field)
    {
        var text = field.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return new(number, null);
        return new(null, text.Length == 0 ? NotAvailable : text);
    }

    /// <summary>"36 °C", "not supported", "n/a"; a number with the unit given.</summary>
    public Sentence Text(string unit, string format = "0") => Number is { } n
        ? Sentence.Text($"{n.ToString(format, CultureInfo.InvariantCulture)}{(unit.Length == 0 ? "" : " " + unit)}")
        : Missing switch
        {
            NotSupported => new Sentence("not supported"),
            NotAvailable => new Sentence("n/a"),
            _ => Sentence.Text(Missing!.Trim('[', ']').ToLowerInvariant()),
        };
}
