namespace PgxStudio.Engine.Data;

/// <summary>One tokenized example: its ids and labels (-100 where no loss is taken).</summary>
public sealed record EncodedExample(IReadOnlyList<int> InputIds, IReadOnlyList<int> Labels)
{
    public const int IgnoreIndex = -100;
}
