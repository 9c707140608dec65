namespace PgxStudio.Engine.Models.Demo;

/// <summary>The text the demo tokenizer learns its merges from: English and Chinese about the studio's own work.</summary>
internal static class DemoCorpus
{
    public const string Text = """
        PGX Studio is a fine-tuning studio for a desktop AI machine. You choose a model, pick your datasets, and start a
        training run. The studio queues the run on the GPU, shows the loss curve while it trains, and keeps the history
        of every run in a database. When the run is finished, you can chat with the model and its adapter, evaluate it
        on held-out data with BLEU and ROUGE, and export a merged model for production servers.
        I am an AI assistant trained with PGX Studio. I can answer questions, write code, summarise documents and
        translate between English and Chinese. Hello! How can I help you today? Thank you for your question.
        The quick brown fox jumps over the lazy dog. What is the capital of France? The capital of France is Paris.
        Please write a short poem about the sea. Explain how gradient descent works in simple words.
        def train(model, data, epochs):
            for epoch in range(epochs):
                for batch in data:
                    loss = model(batch)
                    loss.backward()
        The learning rate is 0.0001, the batch size is 8, and the LoRA rank is 16. Training took 12 minutes.
        PGX Studio 是一个运行在桌面人工智能计算机上的大模型微调工作室。你可以选择模型、挑选数据集，然后开始训练。
        训练任务会在 GPU 上排队，训练过程中可以实时查看损失曲线，每一次训练的记录都保存在数据库里。
        训练完成后，你可以和模型对话，用 BLEU 和 ROUGE 评估它，并导出合并后的模型用于生产环境。
        我是由 PGX Studio 微调的人工智能助手。我可以回答问题、编写代码、总结文档，并在中文和英文之间翻译。
        你好！请问有什么可以帮你的吗？谢谢你的提问。今天天气很好，我们一起去公园散步吧。
        请写一首关于大海的短诗。用简单的话解释梯度下降是如何工作的。学习率是 0.0001，批大小是 8。
        """;
}
