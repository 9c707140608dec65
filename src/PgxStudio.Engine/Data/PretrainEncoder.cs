using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Tokenization;

namespace PgxStudio.Engine.Data;

/// <summary>Pre-training: each text plus the eos, all concatenated and cut into <c>cutoff_len</c> blocks.</summary>
public static class PretrainEncoder
{
    public static List<EncodedExample> Encode(IEnumerable<Conversation> texts, ChatTemplate template, ITokenizer tokenizer, int cutoffLen)
    {
        // LLaMA-Factory ends each llama3 text with <|end_of_text|> (its real document end), others with the template's eos.
        var eos = template.Name == "llama3" ? "<|end_of_text|>" : template.EosToken(tokenizer) ?? "";
        var all = new List<int>();
        foreach (var c in texts) all.AddRange(tokenizer.Encode(c.Prompt[0].Content + eos));
        var blocks = new List<EncodedExample>();
        for (var start = 0; start + cutoffLen <= all.Count; start += cutoffLen)
        {
            var block = all.GetRange(start, cutoffLen);
            blocks.Add(new EncodedExample(block, block));
        }
        return blocks;
    }
}
