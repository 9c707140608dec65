using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Components.Pages.Export;
using PgxStudio.Engine.Export;
using PgxStudio.Hosting;
using PgxStudio.Persistence;
using PgxStudio.Tests.Training;

namespace PgxStudio.Tests.Components;

public class ExportPageTests
{
    [Fact]
    public async Task A_finished_export_shows_each_output_with_size_files_serve_commands_and_chat_for_the_hf_folder()
    {
        await using var ctx = TrainStudio.Create();
        var paths = ctx.Services.GetRequiredService<StudioPaths>();
        var exportDir = Path.Combine(paths.Saves, "exports", "first");
        ExportRunner.Run(ExportSettings.Parse($"model_name_or_path: {paths.DefaultModel}\nexport_dir: {exportDir}\nexport_format: hf,gguf\nexport_quantization: f16", "test", []));

        var page = ctx.Render<ExportPage>(p => p.AddCascadingValue(ctx.Session));
        var card = page.Find("#export-first");
        Assert.Contains("saves/exports/first", card.TextContent);
        Assert.Equal(["hf", "gguf f16"], card.QuerySelectorAll(".mud-chip").Select(c => c.TextContent.Trim()));
        var ggufSize = new FileInfo(Path.Combine(exportDir, "gguf-f16", "first-F16.gguf")).Length + new FileInfo(Path.Combine(exportDir, "gguf-f16", "Modelfile")).Length;
        Assert.Contains($"{PgxStudio.Components.Shared.ByteSize.Text(ggufSize)} in 2 files", card.QuerySelectorAll(".export-size")[1].TextContent);
        Assert.Contains("first-F16.gguf", card.QuerySelectorAll(".export-files")[1].TextContent);
        var commands = card.QuerySelectorAll(".export-command").Select(c => c.TextContent).ToList();
        Assert.Contains(commands, c => c.Contains("vLLM") && c.Contains($"vllm serve {Path.Combine(exportDir, "hf")} --served-model-name first"));
        Assert.Contains(commands, c => c.Contains("llama.cpp") && c.Contains($"llama-server -m {Path.Combine(exportDir, "gguf-f16", "first-F16.gguf")}"));
        Assert.Single(card.QuerySelectorAll(".export-chat")); // only the Hugging Face folder loads in the studio's chat
    }

    [Fact]
    public async Task Starting_with_a_bad_name_shows_the_sentence_at_the_field_and_a_good_form_joins_the_queue()
    {
        await using var ctx = TrainStudio.Create();
        var page = ctx.Render<ExportPage>(p => p.AddCascadingValue(ctx.Session));
        page.Find("#export-name").Change("no spaces please");
        page.Find("#export-start").Click();
        page.WaitForAssertion(() => Assert.Contains("The export name 'no spaces please' cannot be used", page.Markup));
        await using (var db = await ctx.Services.GetRequiredService<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync())
            Assert.Empty(db.Runs);

        page.Find("#export-name").Change("good-name");
        page.Find("#export-start").Click();
        page.WaitForAssertion(() => Assert.Contains("good-name", page.Find("#export-runs").TextContent));
        await using (var db = await ctx.Services.GetRequiredService<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync())
        {
            var run = Assert.Single(db.Runs);
            Assert.Equal((RunKind.Export, "good-name", RunStatus.Queued), (run.Kind, run.Name, run.Status));
            Assert.Contains("export_format: gguf\nexport_quantization: q4_k_m\n", run.Config); // the page's defaults
        }
    }
}
