using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using PgxStudio.Components.Pages.Datasets;
using PgxStudio.Engine.Data;
using PgxStudio.Engine.Models.Demo;

namespace PgxStudio.Tests.Components;

public class DatasetsPageTests
{
    [Fact]
    public async Task The_list_shows_the_demo_datasets_and_the_search_narrows_it()
    {
        await using var ctx = new StudioComponentContext();
        var page = ctx.Render<DatasetsPage>(p => p.AddCascadingValue(ctx.Session));
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
        var panel = ctx.Render<DatasetUploadPanel>(p => p.AddCascadingValue(ctx.Session));
        var hints = panel.Find("#dataset-upload").TextContent;
        foreach (var column in new[] { "instruction", "input", "output" })
            Assert.Contains($"Empty means \"{column}\"", hints);
    }

    [Fact]
    public async Task A_record_of_megabytes_is_cut_on_the_page_and_show_more_shows_more_within_a_bound()
    {
        await using var ctx = new StudioComponentContext();
        var data = Path.Combine(ctx.ContentRoot, "data");
        var huge = new string('x', 8_000_000);
        File.WriteAllText(Path.Combine(data, "huge.jsonl"),
            $$"""{"instruction": "Summarise this.", "input": "{{huge}}", "output": "A long line of x."}""" + "\n" +
            """{"instruction": "Say hi.", "output": "Hi."}""" + "\n");
        DatasetRegistry.Register(data, new DatasetEntry { Name = "huge", FileName = "huge.jsonl" });

        var page = ctx.Render<DatasetPage>(p => p.Add(d => d.Name, "huge"));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll(".dataset-record").Count), TimeSpan.FromSeconds(30));
        Assert.True(page.Markup.Length < 50_000, $"the page is {page.Markup.Length:N0} characters");
        Assert.Contains("Summarise this.", page.Find(".dataset-turn-user").TextContent);
        Assert.Single(page.FindAll(".dataset-more")); // only the long record is cut
        int before = page.Markup.Length;

        page.Find(".dataset-more").Click();
        page.WaitForAssertion(() => Assert.True(page.Markup.Length > before + 30_000, $"{page.Markup.Length:N0} after show more"), TimeSpan.FromSeconds(30));
        Assert.True(page.Markup.Length < 100_000);

        page.Find("#dataset-raw").Change(true);
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll(".dataset-raw").Count));
        Assert.True(page.Markup.Length < 100_000, $"raw view: {page.Markup.Length:N0} characters");
    }

    [Fact]
    public async Task After_a_registered_upload_the_form_is_empty_again()
    {
        await using var ctx = new StudioComponentContext();
        var panel = ctx.Render<DatasetUploadPanel>(p => p.AddCascadingValue(ctx.Session));
        panel.Find("#upload-name").Change("faq");
        panel.Find("#upload-col-prompt").Change("question");
        panel.Find("#upload-col-response").Change("answer");

        panel.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(
            """[{"question": "Where is the manual?", "answer": "On the desk."}]""", "faq-export.json"));

        panel.WaitForAssertion(() => Assert.True(File.Exists(Path.Combine(ctx.ContentRoot, "data", "faq.json"))), TimeSpan.FromSeconds(10));
        panel.WaitForAssertion(() =>
        {
            Assert.Equal("", panel.Find("#upload-name").GetAttribute("value") ?? "");
            Assert.Equal("", panel.Find("#upload-col-prompt").GetAttribute("value") ?? "");
            Assert.Equal("", panel.Find("#upload-col-response").GetAttribute("value") ?? "");
            Assert.Empty(panel.FindComponent<MudBlazor.MudFileUpload<IBrowserFile>>().Instance.GetFilenames());
        });
        Assert.Empty(panel.FindAll("#upload-problem"));
    }
}
