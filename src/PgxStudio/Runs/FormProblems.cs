using PgxStudio.Engine.Sentences;

namespace PgxStudio.Runs;

/// <summary>What is wrong with a form (Evaluate, Export), by field: the sentence shown at that field.</summary>
public sealed record FormProblems(IReadOnlyDictionary<string, Sentence> ByField)
{
    public bool IsEmpty => ByField.Count == 0;
    public Sentence? For(string field) => ByField.GetValueOrDefault(field);
}
