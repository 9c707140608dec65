using System.Diagnostics;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.TestSetup;

/// <summary>
/// Tests start from the project's committed demo data, whatever a user has since uploaded into data/ or edited:
/// checked on a scratch clone where both happened after the commit.
/// </summary>
public class CommittedFilesTests
{
    [Fact]
    public void A_dataset_added_after_the_commit_and_an_edited_committed_file_do_not_reach_the_tests()
    {
        var repo = Directory.CreateTempSubdirectory("pgx-scratch-repo-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(repo, "data"));
            File.WriteAllText(Path.Combine(repo, "data", "dataset_info.json"), """{ "identity": { "file_name": "identity.json" } }""");
            File.WriteAllText(Path.Combine(repo, "data", "identity.json"), "[]");
            Git(repo, "init", "-q");
            Git(repo, "add", "data");
            Git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "demo data");
            // What a user does through the studio afterwards.
            File.WriteAllText(Path.Combine(repo, "data", "uploaded.json"), "[]");
            File.WriteAllText(Path.Combine(repo, "data", "dataset_info.json"), """{ "identity": {}, "uploaded": { "file_name": "uploaded.json" } }""");

            var extracted = CommittedFiles.Extract(repo, "data");
            try
            {
                Assert.Equal(["dataset_info.json", "identity.json"],
                    Directory.GetFiles(Path.Combine(extracted, "data")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
                Assert.Equal("""{ "identity": { "file_name": "identity.json" } }""", File.ReadAllText(Path.Combine(extracted, "data", "dataset_info.json")));
            }
            finally { Directory.Delete(extracted, recursive: true); }
        }
        finally { Directory.Delete(repo, recursive: true); }
    }

    [Fact]
    public void A_test_content_root_holds_exactly_the_committed_data_files()
    {
        using var root = new TempContentRoot();
        var committed = Git(RepoPaths.Root, "ls-files", "data").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p["data/".Length..]).Order(StringComparer.Ordinal);
        var copied = Directory.GetFiles(Path.Combine(root.Path, "data"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(root.Path, "data"), f)).Order(StringComparer.Ordinal);
        Assert.Equal(committed, copied);
        foreach (var file in committed)
            Assert.Equal(Git(RepoPaths.Root, "show", $"HEAD:data/{file}"), File.ReadAllText(Path.Combine(root.Path, "data", file)));
    }

    static string Git(string directory, params string[] args)
    {
        var info = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"safe.directory={directory}");
        foreach (var a in args) info.ArgumentList.Add(a);
        using var git = Process.Start(info)!;
        var output = git.StandardOutput.ReadToEndAsync();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output.Result;
    }
}
