using Bunit;
using PgxStudio.Components.Pages.Datasets;
using PgxStudio.Engine.Models.Demo;

namespace PgxStudio.Tests.Components;

public class DatasetsPageTests
{
    [Fact]
    public async Task The_list_shows_the_demo_datasets_and_the_search_narrows_it()
    {
        await using var ctx = new StudioComponentContext();
        var page = ctx.Render<DatasetsPage>();
        page.WaitForAssertion(() => Assert.Equal(["identity", "instruct_demo", "pretrain_demo"], page.FindAll(".dataset-link").Select(a => a.TextContent)));
        Assert.Contains("alpaca", page.Find("#datasets-table tbody tr").TextContent);

        page.Find("#datasets-search").Input("pretrain");
        page.WaitForAssertion(() => Assert.Equal(["pretrain_demo"], page.FindAll(".dataset-link").Select(a => a.TextContent)));
    }

    [Fact]
    public async Task A_dataset_shows_its_records_by_role_its_raw_json_on_request_and_its_token_lengths()
    {
        await using var ctx = new StudioComponentContext();
        DemoModel.Create(Path.Combine(ctx.ContentRoot, "saves/models/pgx-demo-tiny"), "tiny", seed: 3);
        var page = ctx.Render<DatasetPage>(p => p.Add(d => d.Name, "identity"));

        page.WaitForAssertion(() => Assert.Equal(10, page.FindAll(".dataset-record").Count));
        Assert.NotEmpty(page.FindAll(".dataset-turn-user"));
        Assert.NotEmpty(page.FindAll(".dataset-turn-assistant"));
        Assert.Empty(page.FindAll(".dataset-raw"));

        page.Find("#dataset-raw").Change(true);
        page.WaitForAssertion(() => Assert.Equal(10, page.FindAll(".dataset-raw").Count));
        Assert.Contains("\"instruction\"", page.Find(".dataset-raw").TextContent);

        page.WaitForAssertion(() => Assert.Contains("with pgx-demo-tiny's tokenizer", page.Find("#lengths-figures").TextContent), TimeSpan.FromSeconds(30));
        Assert.Matches(@"^\d+ · \d+ · \d+ · \d+$", page.Find("#lengths-percentiles").TextContent.Trim());
        Assert.Equal("0%", page.Find("#lengths-truncated").TextContent.Trim()); // identity's examples are far below 2048
        Assert.Equal("1", page.Find("#lengths-histogram").GetAttribute("data-traces"));
    }

    [Fact]
    public async Task A_dataset_that_is_not_registered_is_one_sentence()
    {
        await using var ctx = new StudioComponentContext();
        var page = ctx.Render<DatasetPage>(p => p.Add(d => d.Name, "nope"));
        page.WaitForAssertion(() => Assert.Contains("nope", page.Find("#dataset-problem").TextContent));
    }

    [Fact]
    public async Task The_upload_form_says_which_column_an_empty_field_means()
    {
        await using var ctx = new StudioComponentContext();
        var panel = ctx.Render<DatasetUploadPanel>();
        var hints = panel.Find("#dataset-upload").TextContent;
        foreach (var column in new[] { "instruction", "input", "output" })
            Assert.Contains($"Empty means \"{column}\"", hints);
    }
}
