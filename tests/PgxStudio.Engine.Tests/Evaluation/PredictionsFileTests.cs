using PgxStudio.Engine.Evaluation;

namespace PgxStudio.Engine.Tests.Evaluation;

public sealed class PredictionsFileTests : IDisposable
{
    readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("pgx-predictions");
    public void Dispose() => dir.Delete(true);

    string Write(string text)
    {
        var path = Path.Combine(dir.FullName, "generated_predictions.jsonl");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Reads_every_line_and_skips_blank_ones()
    {
        var path = Write("{\"prompt\": \"问\", \"predict\": \"答\", \"label\": \"答案\"}\n\n{\"prompt\":\"p\",\"predict\":\"x\",\"label\":\"y\",\"extra\":1}\n");
        var rows = PredictionsFile.Read(path);
        Assert.Equal([new Prediction("问", "答", "答案"), new Prediction("p", "x", "y")], rows);
    }

    [Fact]
    public void A_missing_field_names_the_line_and_the_field()
    {
        var path = Write("{\"prompt\":\"a\",\"predict\":\"b\",\"label\":\"c\"}\n{\"prompt\":\"a\",\"predict\":\"b\"}\n");
        var error = Assert.Throws<InvalidDataException>(() => PredictionsFile.Read(path));
        Assert.Contains("line 2", error.Message);
        Assert.Contains("\"label\"", error.Message);
    }

    [Fact]
    public void Bad_json_names_the_line()
    {
        var path = Write("{\"prompt\":\"a\",\"predict\":\"b\",\"label\":\"c\"}\n{\"prompt\":\"a\",\"predict\":\"b\",\"label\":\"c\"}\n{oops\n");
        var error = Assert.Throws<InvalidDataException>(() => PredictionsFile.Read(path));
        Assert.Contains("line 3 is not valid JSON", error.Message);
    }

    [Fact]
    public void A_non_string_field_names_the_line_and_the_field()
    {
        var path = Write("{\"prompt\":\"a\",\"predict\":null,\"label\":\"c\"}\n");
        var error = Assert.Throws<InvalidDataException>(() => PredictionsFile.Read(path));
        Assert.Contains("line 1: \"predict\" must be a string", error.Message);
    }

    [Fact]
    public void A_missing_file_says_so() =>
        Assert.Throws<FileNotFoundException>(() => PredictionsFile.Read(Path.Combine(dir.FullName, "nope.jsonl")));
}
