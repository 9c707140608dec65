using System.CommandLine;
using PgxStudio.Engine.Models.Demo;

namespace PgxStudio.Cli;

/// <summary>`pgx create-demo-model`: a small random Qwen3-architecture model folder, the studio's default model.</summary>
public static class CreateDemoModelVerb
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write the Hugging Face model into.", Required = true };
        var size = new Option<string>("--size") { Description = "tiny (fast tests) or small.", DefaultValueFactory = _ => "tiny" };
        size.AcceptOnlyFromAmong("tiny", "small");
        var seed = new Option<long>("--seed") { Description = "Random seed of the weights.", DefaultValueFactory = _ => 42 };
        var command = new Command("create-demo-model", "Write a small randomly initialised Qwen3-architecture model with its own byte-level BPE tokenizer.") { output, size, seed };
        command.SetAction((parse, ct) =>
        {
            var dir = parse.GetValue(output)!.FullName;
            DemoModel.Create(dir, parse.GetValue(size)!, parse.GetValue(seed));
            Console.WriteLine($"Wrote a {parse.GetValue(size)} demo Qwen3 model to {dir}.");
            return Task.FromResult(0);
        });
        return command;
    }
}
