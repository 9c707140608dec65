using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Evaluation;
using PgxStudio.Hosting;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Tests.Components;
using PgxStudio.Training;

namespace PgxStudio.Tests.Runs;

/// <summary>A run's files stay in its folder under saves/, and only real files in it are listed or served.</summary>
public class RunFolderTests
{
    [Theory]
    [InlineData("saves/models/pgx-demo-tiny/nonexistent/..", "pgx-demo-tiny")]
    [InlineData("saves/models/pgx-demo-tiny/./", "pgx-demo-tiny")]
    [InlineData("..", "model")]
    [InlineData("../..", "model")]
    [InlineData("Qwen/Qwen3-0.6B", "Qwen3-0.6B")]
    public void A_model_path_with_dot_dot_names_the_folder_it_reaches_and_never_leads_out_of_saves(string modelPath, string name)
    {
        var form = new TrainForm { ModelPath = modelPath, OutputName = "run" };
        Assert.Equal($"saves/{name}/lora/run", form.OutputDir("saves"));
        Assert.Equal($"saves/{name}/base/eval", new EvaluateForm { ModelPath = modelPath, Name = "eval" }.OutputDir("saves"));
    }

    [Fact]
    public async Task A_run_folder_outside_saves_is_refused_and_an_old_one_is_left_in_place_and_said_so()
    {
        await using var ctx = new StudioComponentContext();
        var runs = ctx.Services.GetRequiredService<RunService>();
        var refused = await Assert.ThrowsAsync<RunRequestException>(() => runs.EnqueueAsync(RunKind.Train, "out", "alice", "stage: sft\n", "saves/../lora/out"));
        Assert.Equal("The run folder saves/../lora/out lies outside saves/; runs keep their files under it.", refused.Message);

        // A run recorded by an older studio with its folder outside saves/: deleting it keeps the folder and says so.
        var outside = Path.Combine(ctx.ContentRoot, "lora", "old");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "adapter_config.json"), "{}");
        int id;
        await using (var db = await ctx.Services.GetRequiredService<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync())
        {
            var run = new Run { Kind = RunKind.Train, Name = "old", Owner = "alice", Config = "", Status = RunStatus.Failed, OutputDir = "saves/../lora/old", CreatedAt = DateTime.UtcNow };
            db.Runs.Add(run);
            await db.SaveChangesAsync();
            id = run.Id;
        }
        var said = await runs.DeleteAsync(id, new StudioUser("alice", false), ctx.Services.GetRequiredService<RunFiles>());
        Assert.Equal($"Run {id} deleted; its folder {outside} lies outside {Path.Combine(ctx.ContentRoot, "saves")} and was left in place.", said);
        Assert.True(File.Exists(Path.Combine(outside, "adapter_config.json")));

        var inside = await runs.EnqueueAsync(RunKind.SelfTest, "in", "alice", SelfTestConfig.Default);
        await runs.CancelAsync(inside.Id, new StudioUser("alice", false));
        var folder = ctx.Services.GetRequiredService<RunFiles>().FolderOf(inside);
        Directory.CreateDirectory(folder);
        Assert.Equal($"Run {inside.Id} deleted.", await runs.DeleteAsync(inside.Id, new StudioUser("alice", false), ctx.Services.GetRequiredService<RunFiles>()));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Symbolic_links_in_a_run_folder_are_neither_listed_nor_served_nor_followed()
    {
        await using var ctx = new StudioComponentContext();
        var files = ctx.Services.GetRequiredService<RunFiles>();
        var run = new Run { Id = 7, OutputDir = "saves/train/run-7" };
        var folder = files.FolderOf(run);
        Directory.CreateDirectory(Path.Combine(folder, "checkpoint-2"));
        File.WriteAllText(Path.Combine(folder, "trainer_log.jsonl"), "{}\n");
        File.WriteAllText(Path.Combine(folder, "checkpoint-2", "adapter_config.json"), "{}");
        File.CreateSymbolicLink(Path.Combine(folder, "passwd"), "/etc/passwd");
        Directory.CreateSymbolicLink(Path.Combine(folder, "etc"), "/etc");
        Directory.CreateSymbolicLink(Path.Combine(folder, "checkpoint-2", "up"), folder);
        File.CreateSymbolicLink(Path.Combine(folder, RunFiles.LogFileName), "/etc/hostname");

        Assert.Equal(["checkpoint-2/adapter_config.json", "trainer_log.jsonl"], files.List(run).Select(f => f.RelativePath));
        Assert.NotNull(files.Find(run, "checkpoint-2/adapter_config.json"));
        Assert.Null(files.Find(run, "passwd"));
        Assert.Null(files.Find(run, "etc/passwd"));
        Assert.Null(files.Find(run, "checkpoint-2/up/trainer_log.jsonl"));
        Assert.Null(files.Find(run, "../../../../etc/passwd"));
        Assert.Empty(files.TailLog(run, 10));
    }
}
