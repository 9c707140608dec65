using System.Text.Json;
using System.Text.RegularExpressions;
using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Tests.Tokenization;

namespace PgxStudio.Engine.Tests.Templates;

/// <summary>
/// Template ids on the real Qwen3 and Llama-3 tokenizers equal the ids of the text the models' own chat templates
/// render (written out here from their tokenizer_config.json templates), so prompts built here are what the models saw.
/// </summary>
public class RealTokenizerTemplateTests
{
    [Fact]
    public void Qwen3_generation_prompts_match_the_models_chat_template()
    {
        var tokenizer = TokenizerFixtures.Tokenizer("qwen3");
        var template = ChatTemplates.Get("qwen3");
        var ids = template.EncodeGenerationPrompt(tokenizer, [Message.User("你好，你是谁？")], "You are PGX.");
        Assert.Equal(tokenizer.Encode("<|im_start|>system\nYou are PGX.<|im_end|>\n<|im_start|>user\n你好，你是谁？<|im_end|>\n<|im_start|>assistant\n"), ids);
        Assert.Equal([151645], template.StopTokenIds(tokenizer).Take(1));
    }

    [Fact]
    public void Qwen3_training_pairs_mask_the_prompt_and_learn_the_answer_with_its_end_token()
    {
        var tokenizer = TokenizerFixtures.Tokenizer("qwen3");
        var template = ChatTemplates.Get("qwen3");
        var turns = template.EncodeMultiTurn(tokenizer, [Message.User("1+1?"), Message.Assistant("2"), Message.User("2+2?"), Message.Assistant("4")]);
        Assert.Equal(2, turns.Count);
        Assert.Equal(tokenizer.Encode("<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n"), turns[0].Prompt);
        // LLaMA-Factory's qwen3 template adds the empty thought to answers that have none.
        Assert.Equal(tokenizer.Encode("<think>\n\n</think>\n\n2<|im_end|>\n"), turns[0].Response);
    }

    [Fact]
    public void Llama3_generation_prompts_match_the_models_chat_template()
    {
        var tokenizer = TokenizerFixtures.Tokenizer("llama3");
        var ids = ChatTemplates.Get("llama3").EncodeGenerationPrompt(tokenizer, [Message.User("Hi")]);
        Assert.Equal(tokenizer.Encode("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"), ids);
        Assert.Contains(tokenizer.TokenToId("<|eot_id|>")!.Value, ChatTemplates.Get("llama3").StopTokenIds(tokenizer));
    }

    const string InlineAnswer = "<think>Add two and two.</think>\n\nThe answer is 4.";

    [Fact]
    public void Qwen3_keeps_an_inline_thought_as_written_and_adds_no_empty_one_thinking_or_not()
    {
        // LLaMA-Factory asks whether a turn thinks with the bare tags (<think>, </think>) but removes thoughts only in the
        // full form ("<think>\n" … "\n</think>\n\n"): an inline thought stays, and no empty thought is added.
        var tokenizer = TokenizerFixtures.Tokenizer("qwen3");
        Message[] conversation = [Message.User("What is 2+2?"), Message.Assistant(InlineAnswer)];
        var prompt = tokenizer.Encode("<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n");
        var response = tokenizer.Encode(InlineAnswer + "<|im_end|>\n");
        foreach (var thinking in new[] { true, false })
        {
            var template = ChatTemplates.Get("qwen3", thinking);
            var turn = Assert.Single(template.EncodeMultiTurn(tokenizer, conversation));
            Assert.Equal(prompt, turn.Prompt);
            Assert.Equal(response, turn.Response);
            var oneTurn = template.EncodeOneTurn(tokenizer, conversation);
            Assert.Equal(prompt, oneTurn.Prompt);
            Assert.Equal(response, oneTurn.Response);
            Assert.Equal("<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n" + InlineAnswer + "<|im_end|>\n", template.Render(tokenizer, conversation));
        }
    }

    [Fact]
    public void Qwen3_without_thinking_closes_the_empty_thought_the_models_own_template_closes()
    {
        // The model's chat template (tokenizer_config.json) ends a generation prompt with the assistant header and, when
        // enable_thinking is false, an empty thought: read both pieces from it rather than writing them here.
        var tokenizer = TokenizerFixtures.Tokenizer("qwen3");
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(TokenizerFixtures.Folder("qwen3"), "tokenizer_config.json")));
        var jinja = config.RootElement.GetProperty("chat_template").GetString()!;
        string Literal(string after) =>
            Regex.Match(jinja, Regex.Escape(after) + @"\s*\{\{- '(.*?)' \}\}", RegexOptions.Singleline).Groups[1].Value.Replace("\\n", "\n");
        var header = Literal("{%- if add_generation_prompt %}");
        var closed = Literal("{%- if enable_thinking is defined and enable_thinking is false %}");
        Assert.Equal("<|im_start|>assistant\n", header);
        Assert.Equal("<think>\n\n</think>\n\n", closed);

        var history = "<|im_start|>user\nWhat is 2+2?<|im_end|>\n";
        Message[] messages = [Message.User("What is 2+2?")];
        Assert.Equal(tokenizer.Encode(history + header + closed), ChatTemplates.Get("qwen3", false).EncodeGenerationPrompt(tokenizer, messages));
        Assert.Equal(tokenizer.Encode(history + header), ChatTemplates.Get("qwen3", true).EncodeGenerationPrompt(tokenizer, messages));
    }
}
