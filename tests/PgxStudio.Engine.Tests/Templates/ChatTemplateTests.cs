using PgxStudio.Engine.Templates;

namespace PgxStudio.Engine.Tests.Templates;

// Expected strings are LLaMA-Factory's registered slots (src/llamafactory/data/template.py) filled in by hand.
public class ChatTemplateTests
{
    static readonly Message[] OneTurn = [Message.User("Hi"), Message.Assistant("Hello!")];
    static readonly Message[] TwoTurns = [Message.User("Hi"), Message.Assistant("Hello!"), Message.User("2+2?"), Message.Assistant("4")];

    [Fact]
    public void Qwen_renders_its_default_system_and_im_end_turns()
    {
        var tok = ByteTestTokenizer.Qwen();
        var t = ChatTemplates.Get("qwen");
        Assert.Equal(
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n" +
            "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n", t.Render(tok, OneTurn));
        Assert.Equal(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n" +
            "<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n", t.Render(tok, TwoTurns, "Be brief."));
    }

    [Fact]
    public void Qwen_multi_turn_pairs_prompt_and_response_ids_per_turn()
    {
        var tok = ByteTestTokenizer.Qwen();
        var pairs = ChatTemplates.Get("qwen").EncodeMultiTurn(tok, TwoTurns, "S");
        Assert.Equal(2, pairs.Count);
        Assert.Equal(tok.Ids("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"), pairs[0].Prompt);
        Assert.Equal(tok.Ids("Hello!<|im_end|>\n"), pairs[0].Response);
        Assert.Equal(tok.Ids("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n"), pairs[1].Prompt);
        Assert.Equal([(int)'4', 258, (int)'\n'], pairs[1].Response); // <|im_end|> is one id (258)
    }

    [Fact]
    public void Qwen3_adds_an_empty_thought_to_responses_without_one()
    {
        var tok = ByteTestTokenizer.Qwen();
        var t = ChatTemplates.Get("qwen3");
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nHello!<|im_end|>\n", t.Render(tok, OneTurn));
        var pairs = t.EncodeMultiTurn(tok, OneTurn);
        Assert.Equal(tok.Ids("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"), pairs[0].Prompt);
        Assert.Equal(tok.Ids("<think>\n\n</think>\n\nHello!<|im_end|>\n"), pairs[0].Response);

        // A response that already thinks is kept as is.
        Message[] thinking = [Message.User("Hi"), Message.Assistant("<think>\nwave\n</think>\n\nHello!")];
        Assert.Equal(tok.Ids("<think>\nwave\n</think>\n\nHello!<|im_end|>\n"), t.EncodeMultiTurn(tok, thinking)[0].Response);
    }

    [Fact]
    public void Qwen3_prediction_prompt_drops_earlier_thoughts_and_generation_prompt_ends_at_the_assistant_header()
    {
        var tok = ByteTestTokenizer.Qwen();
        var t = ChatTemplates.Get("qwen3");
        Message[] conv = [Message.User("a"), Message.Assistant("<think>\nx\n</think>\n\nb"), Message.User("c"), Message.Assistant("d")];
        var (prompt, response) = t.EncodeOneTurn(tok, conv);
        Assert.Equal(tok.Ids("<|im_start|>user\na<|im_end|>\n<|im_start|>assistant\nb<|im_end|>\n<|im_start|>user\nc<|im_end|>\n<|im_start|>assistant\n"), prompt);
        Assert.Equal(tok.Ids("<think>\n\n</think>\n\nd<|im_end|>\n"), response);
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", t.RenderGenerationPrompt(tok, [Message.User("Hi")]));
        Assert.Equal(tok.Ids("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"), t.EncodeGenerationPrompt(tok, [Message.User("Hi")]));
    }

    [Fact]
    public void Qwen3_without_thinking_removes_thoughts_and_closes_an_empty_one_in_the_prompt()
    {
        var tok = ByteTestTokenizer.Qwen();
        var t = ChatTemplates.Get("qwen3", enableThinking: false);
        Message[] conv = [Message.User("Hi"), Message.Assistant("<think>\nwave\n</think>\n\nHello!")];
        var pairs = t.EncodeMultiTurn(tok, conv);
        Assert.Equal(tok.Ids("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"), pairs[0].Prompt);
        Assert.Equal(tok.Ids("Hello!<|im_end|>\n"), pairs[0].Response);
        var (prompt, response) = t.EncodeOneTurn(tok, conv);
        Assert.Equal(pairs[0].Prompt, prompt);
        Assert.Equal(pairs[0].Response, response);
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n", t.RenderGenerationPrompt(tok, [Message.User("Hi")]));
        Assert.True(((ReasoningTemplate)ChatTemplates.Get("qwen3")).EnableThinking); // the registry's copy is unchanged
    }

    [Fact]
    public void Qwen3_nothink_has_no_default_system_and_no_thought()
    {
        var tok = ByteTestTokenizer.Qwen();
        var t = ChatTemplates.Get("qwen3_nothink");
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n", t.Render(tok, OneTurn));
        Assert.Equal(["<|im_end|>"], t.StopStrings(tok));
    }

    [Fact]
    public void Llama3_starts_with_bos_and_stops_on_eot_and_eom()
    {
        var tok = ByteTestTokenizer.Llama3();
        var t = ChatTemplates.Get("llama3");
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>",
            t.Render(tok, OneTurn, "S"));
        var pairs = t.EncodeMultiTurn(tok, OneTurn);
        Assert.Equal(tok.Ids("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"), pairs[0].Prompt);
        Assert.Equal(259, pairs[0].Prompt[0]);
        Assert.Equal([tok.TokenToId("<|eot_id|>")!.Value, tok.TokenToId("<|eom_id|>")!.Value], t.StopTokenIds(tok));
        Assert.Equal(tok.TokenToId("<|eot_id|>"), t.EosTokenId(tok));
    }

    [Fact]
    public void Default_puts_eos_after_each_turn_and_alpaca_has_its_instruction_system()
    {
        var tok = new ByteTestTokenizer(eos: "</s>");
        Assert.Equal("Human: Hi</s>\nAssistant:Hello!</s>\n", ChatTemplates.Get("default").Render(tok, OneTurn));
        Assert.Equal("System: S</s>\nHuman: Hi</s>\nAssistant:Hello!</s>\nHuman: 2+2?</s>\nAssistant:4</s>\n",
            ChatTemplates.Get("default").Render(tok, TwoTurns, "S"));
        Assert.Equal(
            "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n" +
            "### Instruction:\nHi\n\n### Response:\nHello!</s>\n\n", ChatTemplates.Get("alpaca").Render(tok, OneTurn));
        var pairs = ChatTemplates.Get("default").EncodeMultiTurn(tok, OneTurn);
        Assert.Equal(tok.Ids("Human: Hi</s>\nAssistant:"), pairs[0].Prompt);
        Assert.Equal(tok.Ids("Hello!</s>\n"), pairs[0].Response);
    }

    [Fact]
    public void Empty_renders_content_only_without_eos()
    {
        var tok = new ByteTestTokenizer();
        Assert.Equal("HiHello!", ChatTemplates.Get("empty").Render(tok, OneTurn));
        Assert.Equal("SHi", ChatTemplates.Get("empty").RenderGenerationPrompt(tok, [Message.User("Hi")], "S"));
    }

    [Fact]
    public void Template_is_chosen_from_the_model_folder_and_can_be_overridden()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "config.json"), """{"architectures":["Qwen3ForCausalLM"]}""");
            Assert.Equal("qwen3", ChatTemplates.InferName(dir));
            File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"chat_template":"{%- if x %}<|im_start|>system{% endif %}"}""");
            Assert.Equal("qwen3_nothink", ChatTemplates.InferName(dir));
            File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"chat_template":"<|im_start|>{% if enable_thinking %}<think>{% endif %}"}""");
            Assert.Equal("qwen3", ChatTemplates.InferName(dir));
            File.WriteAllText(Path.Combine(dir, "config.json"), """{"architectures":["LlamaForCausalLM"]}""");
            File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"chat_template":"<|start_header_id|>"}""");
            Assert.Equal("llama3", ChatTemplates.ForModel(dir).Name);
            Assert.Equal("alpaca", ChatTemplates.ForModel(dir, "alpaca").Name);
            Assert.Throws<ArgumentException>(() => ChatTemplates.Get("nope"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
