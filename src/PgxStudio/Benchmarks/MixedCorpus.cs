using System.Text;

namespace PgxStudio.Benchmarks;

/// <summary>
/// A deterministic multilingual text for throughput benchmarks when no corpus file is given: English prose,
/// Chinese, Japanese, Korean, Russian, Arabic, Khmer, code, JSON, numbers and emoji, shuffled into lines.
/// </summary>
public static class MixedCorpus
{
    static readonly string[] Sentences =
    [
        "The quick brown fox jumps over the lazy dog while the studio queues another fine-tuning run.",
        "Fine-tuning Qwen3 with LoRA on a desktop machine takes minutes, not days, when the data is small.",
        "It's 3:45 PM and we've processed 1,234,567 tokens at 98.6% utilisation; don't stop now.",
        "人工智能正在改变我们的工作方式，大语言模型可以帮助我们写代码、回答问题和翻译文本。",
        "请把下面的句子翻译成英文：今天天气很好，我们一起去公园散步吧。",
        "甄嬛传里的台词常常被用来做角色扮演数据集，模型需要学会古风的说话方式。",
        "日本語の文章もトークナイザーで正しく処理される必要があります。",
        "한국어 문장도 정확하게 토큰화되어야 합니다.",
        "Машинное обучение требует много данных и вычислительных ресурсов.",
        "يتطلب التعلم الآلي الكثير من البيانات.",
        "ខ្ញុំស្រឡាញ់ភាសាខ្មែរ និងវប្បធម៌ខ្មែរ។",
        "def train(model, data):\n    for batch in data:\n        loss = model(batch).loss\n        loss.backward()\n",
        "{\"model_name_or_path\": \"Qwen/Qwen3-0.6B\", \"finetuning_type\": \"lora\", \"lora_rank\": 8, \"learning_rate\": 1.0e-4}",
        "public async Task<Run> EnqueueAsync(RunKind kind, string name) => await _runs.AddAsync(kind, name);",
        "SELECT run_id, AVG(loss) FROM metrics WHERE step > 100 GROUP BY run_id ORDER BY 2 LIMIT 10;",
        "🎉 Training finished! 🚀 Loss dropped from 2.31 to 0.42 👍 — great job, team 🤖",
        "    indented code with    irregular     spacing\t\tand tabs\n\n\n",
        "Version 0.107.0 released on 2026-11-28 with 42 fixes and 3.14159 improvements.",
    ];

    /// <summary>Lines of mixed text totalling about <paramref name="megabytes"/> MB of UTF-8.</summary>
    public static IReadOnlyList<string> Generate(double megabytes, int seed = 7)
    {
        var random = new Random(seed);
        var lines = new List<string>();
        long bytes = 0, target = (long)(megabytes * 1024 * 1024);
        while (bytes < target)
        {
            var line = new StringBuilder();
            int parts = random.Next(1, 5);
            for (int i = 0; i < parts; i++) line.Append(Sentences[random.Next(Sentences.Length)]).Append(' ');
            var text = line.ToString();
            lines.Add(text);
            bytes += Encoding.UTF8.GetByteCount(text);
        }
        return lines;
    }
}
