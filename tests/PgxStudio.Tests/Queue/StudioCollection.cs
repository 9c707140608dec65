namespace PgxStudio.Tests.Queue;

/// <summary>Tests that start real studios run one at a time: two cores, and Hangfire keeps some static state.</summary>
[CollectionDefinition(Name)]
public sealed class StudioCollection
{
    public const string Name = "real studio";
}
