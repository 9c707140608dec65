namespace PgxStudio.Engine.Templates;

/// <summary>Who speaks a turn, in LLaMA-Factory's role names.</summary>
public enum Role { User, Assistant, System, Function, Observation }

/// <summary>One turn of a conversation.</summary>
public sealed record Message(Role Role, string Content)
{
    public static Message User(string content) => new(Role.User, content);
    public static Message Assistant(string content) => new(Role.Assistant, content);
}
