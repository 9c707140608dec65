namespace PgxStudio.Engine.Templates;

/// <summary>A piece of a turn's format: literal text (with <c>{{content}}</c>) or the tokenizer's bos/eos token.</summary>
public abstract record Slot
{
    public sealed record Text(string Value) : Slot;
    public sealed record Bos : Slot;
    public sealed record Eos : Slot;

    public static Slot T(string value) => new Text(value);
    public static readonly Slot BosToken = new Bos();
    public static readonly Slot EosToken = new Eos();
}
