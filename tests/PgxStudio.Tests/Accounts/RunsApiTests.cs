using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using PgxStudio.Accounts;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Accounts;

/// <summary>The REST API and `pgx remote train` against a real studio: keys, ownership and the viewer role hold there too.</summary>
[Collection(Queue.StudioCollection.Name)]
public class RunsApiTests
{
    const string Password = "correct horse battery";

    public const string SmallTrain = """
        model_name_or_path: saves/models/pgx-demo-tiny
        stage: sft
        do_train: true
        finetuning_type: lora
        dataset: identity
        template: qwen3_nothink
        cutoff_len: 128
        max_samples: 8
        per_device_train_batch_size: 1
        num_train_epochs: 1.0
        logging_steps: 1
        output_dir: saves/api-run
        """;

    static HttpClient Client(StudioInstance studio, string? key)
    {
        var http = studio.CreateClient();
        if (key is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    static async Task<string> Error(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;

    [Fact]
    public async Task A_key_queues_reads_and_cancels_its_own_runs_only_and_pgx_remote_train_uses_it()
    {
        using var root = new TempContentRoot(s => s["Studio"]!["Auth"] = "accounts");
        await using var studio = await StudioInstance.StartAsync(root.Path);
        var accounts = studio.Get<AccountService>();
        var keys = studio.Get<ApiKeys>();
        var key = new Dictionary<string, string>();
        foreach (var (name, role) in new[] { ("ada", AccountRoles.Member), ("bob", AccountRoles.Member), ("vic", AccountRoles.Viewer) })
        {
            await accounts.CreateByOperatorAsync(name, Password, role);
            key[name] = await keys.CreateAsync(new StudioUser(name, false, role == AccountRoles.Viewer), "tests");
        }

        using var anonymous = Client(studio, null);
        var noKey = await anonymous.PostAsync("/api/runs", new StringContent(SmallTrain));
        Assert.True(noKey.StatusCode == HttpStatusCode.Unauthorized, $"{noKey.StatusCode}: {await noKey.Content.ReadAsStringAsync()}");
        Assert.StartsWith("Send an API key from your Profile page", await Error(noKey));

        using var ada = Client(studio, key["ada"]);
        var queued = await ada.PostAsync("/api/runs?name=from-a-script", new StringContent(SmallTrain));
        Assert.Equal(HttpStatusCode.Created, queued.StatusCode);
        var id = JsonDocument.Parse(await queued.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt32();
        var run = (await studio.Get<RunQueries>().GetAsync(id))!;
        Assert.Equal(("ada", "from-a-script", RunKind.Train, "saves/api-run"), (run.Owner, run.Name, run.Kind, run.OutputDir));

        using var vic = Client(studio, key["vic"]);
        var status = JsonDocument.Parse(await vic.GetStringAsync($"/api/runs/{id}")).RootElement;
        Assert.Equal("ada", status.GetProperty("owner").GetString());
        Assert.Equal(JsonValueKind.Array, status.GetProperty("metrics").ValueKind);
        var viewerQueues = await vic.PostAsync("/api/runs", new StringContent(SmallTrain));
        Assert.Equal(HttpStatusCode.Forbidden, viewerQueues.StatusCode);
        Assert.StartsWith("vic is a viewer", await Error(viewerQueues));

        using var bob = Client(studio, key["bob"]);
        var forged = await bob.PostAsync($"/api/runs/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal($"Run {id} belongs to ada; only they or an admin can cancel it.", await Error(forged));
        var bad = await bob.PostAsync("/api/runs", new StringContent("stage: sft\nlearning_rate: fast\n"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("learning_rate", await Error(bad));

        Assert.Equal(HttpStatusCode.OK, (await ada.PostAsync($"/api/runs/{id}/cancel", null)).StatusCode);
        Assert.True((await studio.Get<RunQueries>().GetAsync(id))!.CancelRequested || (await studio.Get<RunQueries>().GetAsync(id))!.Status == RunStatus.Cancelled);

        // The CLI client, with bob's key: his run, under his name.
        var config = Path.Combine(root.Path, "remote.yaml");
        File.WriteAllText(config, SmallTrain.Replace("saves/api-run", "saves/remote-run"));
        var (code, stdout, stderr) = Pgx.Run(TimeSpan.FromSeconds(120), "remote", "train", config, "--studio", studio.BaseAddress.ToString(), "--key", key["bob"], "--name", "remote-one");
        Assert.True(code == 0, stderr);
        var remoteId = int.Parse(System.Text.RegularExpressions.Regex.Match(stdout, @"Queued train run (\d+): ").Groups[1].Value);
        Assert.Contains($"/runs/{remoteId}", stdout);
        Assert.Equal("bob", (await studio.Get<RunQueries>().GetAsync(remoteId))!.Owner);
        await studio.Get<RunService>().CancelAsync(remoteId, new StudioUser("bob", false));

        var refused = Pgx.Run(TimeSpan.FromSeconds(120), "remote", "train", config, "--studio", studio.BaseAddress.ToString(), "--key", "pgx_wrong");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("pgx: the studio refused the run (401): Send an API key", refused.Stderr);
    }
}
