using System.Diagnostics;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Cli;

public class ChatVerbTests
{
    [Fact]
    public void A_terminal_chat_streams_replies_keeps_history_until_clear_and_exits()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "pgx-demo-tiny");
        DemoModel.Create(dir, "tiny", seed: 3);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Pgx.Dll, "chat", "--model", dir, "--temperature", "0", "--max-new-tokens", "8", "--system", "You are PGX." }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        process.StandardInput.WriteLine("你好");
        process.StandardInput.WriteLine("and again?");
        process.StandardInput.WriteLine("clear");
        process.StandardInput.WriteLine("exit");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000));
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("Chatting with pgx-demo-tiny", output);
        Assert.Equal(2, output.Split("Assistant: ").Length - 1);
        Assert.Contains("History cleared.", output);
    }

    [Fact]
    public void A_missing_model_is_one_sentence()
    {
        var (code, _, stderr) = Pgx.Run(TimeSpan.FromSeconds(60), "chat", "--model", "/nonexistent/model");
        Assert.Equal(2, code);
        Assert.Contains("does not exist", stderr);
    }
}
