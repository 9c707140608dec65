using PgxStudio.Chat;
using PgxStudio.Cli;
using PgxStudio.Engine.Training;

namespace PgxStudio.Tests.Chat;

public class ServeConfigTests
{
    [Fact]
    public void The_chat_pages_config_is_read_back_by_pgx_serve_with_every_adapter_in_order()
    {
        var yaml = ChatModelLoader.Config(new ChatModelRequest("saves/models/m y", ["saves/a/one", "saves/b/two"], "qwen3_nothink"));
        var file = new FileInfo(Path.Combine(Directory.CreateTempSubdirectory().FullName, "serve.yaml"));
        File.WriteAllText(file.FullName, yaml);

        var spec = ServeVerb.Spec(file, model: null, adapter: null, template: null);
        Assert.Equal("saves/models/m y", spec.ModelDirectory);
        Assert.Equal(["saves/a/one", "saves/b/two"], spec.Adapters);
        Assert.Equal("qwen3_nothink", spec.Template);

        // Options given on the command line win over the file's keys.
        var overridden = ServeVerb.Spec(file, model: "other", adapter: "", template: null);
        Assert.Equal(("other", 0), (overridden.ModelDirectory, overridden.Adapters.Count));
    }

    [Fact]
    public void A_serve_config_with_quantization_bit_loads_the_base_quantized_as_QLoRA_trained_it()
    {
        var file = new FileInfo(Path.Combine(Directory.CreateTempSubdirectory().FullName, "serve.yaml"));
        File.WriteAllText(file.FullName, "model_name_or_path: m\nadapter_name_or_path: saves/qlora\nquantization_bit: 4\nquantization_type: fp4\n");
        var spec = ServeVerb.Spec(file, null, null, null);
        Assert.Equal((4, "fp4", true), (spec.Quantization!.Bits, spec.Quantization.Type, spec.Quantization.DoubleQuantization));
        Assert.Null(ServeVerb.Spec(null, "m", null, null).Quantization);

        File.WriteAllText(file.FullName, "model_name_or_path: m\nquantization_bit: 3\n");
        Assert.Contains("quantization_bit: 3 is not supported", Assert.Throws<TrainingConfigException>(() => ServeVerb.Spec(file, null, null, null)).Message);
    }

    [Fact]
    public void A_base_model_config_has_no_adapter_and_no_template_key()
    {
        var yaml = ChatModelLoader.Config(new ChatModelRequest("saves/models/pgx-demo-tiny", [], null));
        Assert.DoesNotContain("adapter_name_or_path", yaml);
        Assert.DoesNotContain("template", yaml);
    }

    [Fact]
    public void Without_a_model_pgx_serve_says_how_to_name_one()
    {
        var e = Assert.Throws<TrainingConfigException>(() => ServeVerb.Spec(null, null, null, null));
        Assert.Equal("Say which model to serve: --model FOLDER, or a config file with model_name_or_path.", e.Message);
        var file = new FileInfo(Path.Combine(Directory.CreateTempSubdirectory().FullName, "serve.yaml"));
        File.WriteAllText(file.FullName, "template: qwen3\n");
        Assert.Contains("model_name_or_path is missing", Assert.Throws<TrainingConfigException>(() => ServeVerb.Spec(file, null, null, null)).Message);
    }
}
