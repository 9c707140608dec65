using PgxStudio.Engine.Data;
using PgxStudio.Engine.Templates;

namespace PgxStudio.Datasets;

/// <summary>
/// Cuts a record for the preview to a budget of characters (its raw JSON, or its turns together), so one huge record
/// (a 30 MB line) cannot make a page of megabytes; "show more" asks again with a larger budget.
/// </summary>
public static class PreviewCut
{
    /// <summary>What a record shows at first.</summary>
    public const int FirstBudget = 4_000;

    /// <summary>The most one record ever shows on the page, however often "show more" is pressed.</summary>
    public const int LargestBudget = 400_000;

    /// <summary>The next budget after <paramref name="budget"/> ("show more"): ten times as much, up to the largest.</summary>
    public static int More(int budget) => (int)Math.Min(LargestBudget, budget * 10L);

    public static string Text(string text, int budget) => text.Length <= budget ? text : text[..budget];

    /// <summary>The conversation with its system prompt and turns cut so that together they hold at most <paramref name="budget"/> characters.</summary>
    public static Conversation Turns(Conversation c, int budget, out bool cut)
    {
        int left = budget;
        bool anyCut = false;
        string Take(string text)
        {
            var kept = Text(text, Math.Max(0, left));
            left -= kept.Length;
            anyCut |= kept.Length < text.Length;
            return kept;
        }
        var system = Take(c.System);
        var prompt = c.Prompt.Select(m => m with { Content = Take(m.Content) }).ToList();
        var response = c.Response.Select(m => m with { Content = Take(m.Content) }).ToList();
        cut = anyCut;
        return new Conversation(prompt, response, system, Text(c.Tools, budget)) { Dataset = c.Dataset, Index = c.Index };
    }
}
