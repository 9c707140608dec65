using PgxStudio.Engine.Data;
using PgxStudio.Engine.Native;
using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Tests.Templates;

namespace PgxStudio.Engine.Tests.Data;

public class EncodingTests
{
    const int X = EncodedExample.IgnoreIndex;
    static readonly ByteTestTokenizer Tok = ByteTestTokenizer.Qwen();
    static readonly ChatTemplate Qwen = ChatTemplates.Get("qwen3_nothink");

    static Conversation TwoTurns() => new(
        [Message.User("a"), Message.Assistant("b"), Message.User("c")], [Message.Assistant("d")], "S");

    // LLaMA-Factory's own test cases for infer_seqlen (tests/data/processor/test_processor_utils.py).
    [Theory]
    [InlineData(3000, 2000, 1000, 600, 400)]
    [InlineData(2000, 3000, 1000, 400, 600)]
    [InlineData(1000, 100, 1000, 900, 100)]
    [InlineData(100, 1000, 1000, 100, 900)]
    [InlineData(100, 500, 1000, 100, 500)]
    [InlineData(500, 100, 1000, 500, 100)]
    [InlineData(10, 10, 1000, 10, 10)]
    public void Cutoff_is_shared_between_source_and_target_as_LLaMA_Factory_does(int source, int target, int cutoff, int newSource, int newTarget) =>
        Assert.Equal((newSource, newTarget), SequenceLength.Infer(source, target, cutoff));

    [Fact]
    public void Prompts_are_masked_and_every_response_is_learned()
    {
        var e = SupervisedEncoder.Encode(TwoTurns(), Qwen, Tok, new SupervisedOptions());
        var p1 = Tok.Ids("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\na<|im_end|>\n<|im_start|>assistant\n");
        var r1 = Tok.Ids("b<|im_end|>\n");
        var p2 = Tok.Ids("<|im_start|>user\nc<|im_end|>\n<|im_start|>assistant\n");
        var r2 = Tok.Ids("d<|im_end|>\n");
        Assert.Equal([.. p1, .. r1, .. p2, .. r2], e.InputIds);
        Assert.Equal([.. p1.Select(_ => X), .. r1, .. p2.Select(_ => X), .. r2], e.Labels);

        var onPrompt = SupervisedEncoder.Encode(TwoTurns(), Qwen, Tok, new SupervisedOptions { TrainOnPrompt = true });
        Assert.Equal(onPrompt.InputIds, onPrompt.Labels);

        var history = SupervisedEncoder.Encode(TwoTurns(), Qwen, Tok, new SupervisedOptions { MaskHistory = true });
        Assert.Equal(e.InputIds, history.InputIds);
        Assert.Equal([.. p1.Select(_ => X), .. r1.Select(_ => X), .. p2.Select(_ => X), .. r2], history.Labels);
    }

    [Fact]
    public void Cutoff_truncates_each_turn_with_the_remaining_budget()
    {
        var c = new Conversation([Message.User(new string('q', 40))], [Message.Assistant(new string('r', 30))]);
        var full = Qwen.EncodeMultiTurn(Tok, c.Messages, c.System)[0];
        var (s, t) = SequenceLength.Infer(full.Prompt.Count, full.Response.Count, 50);
        var e = SupervisedEncoder.Encode(c, Qwen, Tok, new SupervisedOptions { CutoffLen = 50 });
        Assert.Equal(50, e.InputIds.Count);
        Assert.Equal([.. full.Prompt.Take(s), .. full.Response.Take(t)], e.InputIds);
        Assert.Equal(t, e.Labels.Count(l => l != X));
    }

    [Fact]
    public void Prediction_prompt_is_every_turn_before_the_last_and_the_label_is_the_last_response()
    {
        var e = SupervisedEncoder.EncodeForPrediction(TwoTurns(), Qwen, Tok, 1024);
        Assert.Equal(Tok.Ids("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\na<|im_end|>\n<|im_start|>assistant\nb<|im_end|>\n<|im_start|>user\nc<|im_end|>\n<|im_start|>assistant\n"), e.InputIds);
        Assert.Equal(Tok.Ids("d<|im_end|>\n"), e.Labels);
    }

    [Fact]
    public void Pretraining_joins_texts_with_eos_and_cuts_full_blocks()
    {
        var texts = new[] { "abcdef", "ghij" }.Select(t => new Conversation([Message.User(t)], []));
        var blocks = PretrainEncoder.Encode(texts, Qwen, Tok, 4);
        var all = Tok.Ids("abcdef<|im_end|>ghij<|im_end|>"); // 12 ids: 3 blocks
        Assert.Equal(3, blocks.Count);
        Assert.Equal(all.Take(4), blocks[0].InputIds);
        Assert.Equal(all.Skip(8), blocks[2].InputIds);
        Assert.Equal(blocks[1].InputIds, blocks[1].Labels);
        var llama = PretrainEncoder.Encode([new Conversation([Message.User("ab")], [])], ChatTemplates.Get("llama3"), ByteTestTokenizer.Llama3(), 3);
        Assert.Equal(Tok.Ids("ab<|end_of_text|>"), llama[0].InputIds);
    }

    [Fact]
    public void Packing_fills_sequences_up_to_cutoff_and_keeps_masks()
    {
        var examples = new[] { 5, 3, 2, 4 }.Select(n => new EncodedExample(Enumerable.Repeat(n, n).ToList(), Enumerable.Repeat(X, n).ToList())).ToList();
        var packed = SupervisedEncoder.Pack(examples, 7);
        Assert.Equal(2, packed.Count);
        Assert.All(packed, p => Assert.True(p.InputIds.Count <= 7));
        Assert.Equal(14, packed.Sum(p => p.InputIds.Count));
        Assert.All(packed, p => Assert.All(p.Labels, l => Assert.Equal(X, l)));
    }

    [Fact]
    public void Collator_pads_to_the_longest_in_the_batch_with_masks_and_ignored_labels()
    {
        TorchRuntime.Initialize();
        using var scope = TorchSharp.torch.NewDisposeScope();
        var batch = Collator.Collate([new EncodedExample([1, 2, 3], [X, 2, 3]), new EncodedExample([4], [4])], padTokenId: 0);
        Assert.Equal([2L, 3L], batch.InputIds.shape);
        Assert.Equal(TorchSharp.torch.ScalarType.Int64, batch.InputIds.dtype);
        Assert.Equal([1L, 2, 3, 4, 0, 0], batch.InputIds.data<long>().ToArray());
        Assert.Equal([1L, 1, 1, 1, 0, 0], batch.AttentionMask.data<long>().ToArray());
        Assert.Equal([(long)X, 2, 3, 4, X, X], batch.Labels.data<long>().ToArray());
    }
}
