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
}
