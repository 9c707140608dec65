using System.ClientModel;
using OpenAI;
using OpenAI.Chat;
using PgxStudio.Cli;
using PgxStudio.Engine.Models.Demo;
using PgxStudio.Engine.Tokenization;
using PgxStudio.Serving;

namespace PgxStudio.Tests.Serving;

/// <summary>The real engine behind the OpenAI-compatible server: the demo Qwen3 model, its tokenizer and template.</summary>
public class DemoModelServingTests
{
    static readonly Lazy<string> Model = new(() =>
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory().FullName, "pgx-demo-tiny");
        DemoModel.Create(dir, "tiny", seed: 9);
        return dir;
    });

    [Fact]
    public async Task The_official_OpenAI_client_gets_whole_and_streamed_replies_with_consistent_usage()
    {
        using var backend = new EngineChatBackend(new ServeModelSpec(Model.Value, null));
        await using var server = await ChatServer.StartAsync(backend, new ChatServerOptions());
        var client = new ChatClient(backend.ModelId, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.Url, "v1") });
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0 };

        ChatCompletion whole = await client.CompleteChatAsync([new SystemChatMessage("You are PGX."), new UserChatMessage("你好, who are you?")], options);
        Assert.True(whole.Usage.OutputTokenCount is > 0 and <= 12);
        Assert.True(whole.Usage.InputTokenCount > 5);

        // Greedy decoding: the stream carries the same text as the whole reply.
        var streamed = new System.Text.StringBuilder();
        var streamOptions = new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0 };
        await foreach (var update in client.CompleteChatStreamingAsync([new SystemChatMessage("You are PGX."), new UserChatMessage("你好, who are you?")], streamOptions))
            foreach (var part in update.ContentUpdate) streamed.Append(part.Text);
        Assert.Equal(string.Concat(whole.Content.Select(c => c.Text)), streamed.ToString());
    }

    [Fact]
    public async Task A_conversation_longer_than_the_context_is_a_400_not_a_crash()
    {
        using var backend = new EngineChatBackend(new ServeModelSpec(Model.Value, null));
        await using var server = await ChatServer.StartAsync(backend, new ChatServerOptions());
        var client = new ChatClient(backend.ModelId, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.Url, "v1") });
        var huge = string.Concat(Enumerable.Repeat("tokens and more tokens ", 2000));
        var e = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage(huge)]));
        Assert.Equal(400, e.Status);
        Assert.Contains("context", e.Message);
        ChatCompletion after = await client.CompleteChatAsync([new UserChatMessage("still there?")], new ChatCompletionOptions { MaxOutputTokenCount = 3 });
        Assert.NotNull(after);
    }

    [Fact]
    public async Task A_model_loaded_with_thinking_off_closes_an_empty_thought_in_every_prompt()
    {
        // The config the Chat page writes, read back by `pgx serve` as its worker would.
        ServeModelSpec Spec(bool thinking)
        {
            var file = new FileInfo(Path.Combine(Directory.CreateTempSubdirectory().FullName, "serve.yaml"));
            File.WriteAllText(file.FullName, PgxStudio.Chat.ChatModelLoader.Config(new PgxStudio.Chat.ChatModelRequest(Model.Value, [], "qwen3", thinking)));
            return ServeVerb.Spec(file, model: null, adapter: null, template: null);
        }
        async Task<int> PromptTokens(ServeModelSpec spec)
        {
            using var backend = new EngineChatBackend(spec);
            await using var server = await ChatServer.StartAsync(backend, new ChatServerOptions());
            var client = new ChatClient(backend.ModelId, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(server.Url, "v1") });
            ChatCompletion reply = await client.CompleteChatAsync([new UserChatMessage("Who are you?")], new ChatCompletionOptions { MaxOutputTokenCount = 1, Temperature = 0 });
            return reply.Usage.InputTokenCount;
        }

        var off = Spec(false);
        Assert.False(off.EnableThinking);
        Assert.True(Spec(true).EnableThinking);
        var emptyThought = HfTokenizer.Load(Model.Value).Encode("<think>\n\n</think>\n\n").Count;
        Assert.Equal(await PromptTokens(Spec(true)) + emptyThought, await PromptTokens(off));
    }
}
