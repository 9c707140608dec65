using Microsoft.AspNetCore.Http.Features;
using PgxStudio.Accounts;
using PgxStudio.Serving;

namespace PgxStudio.Api;

/// <summary>
/// The loaded chat model's OpenAI API for the LAN (Studio:Auth accounts): `/v1/…` on the studio's own address and
/// certificate, authorised by the caller's own API key from the Profile page, and passed to the model's serve worker,
/// which listens on loopback only. Each person has their own key, revoked on their own, instead of one
/// `pgx serve --api-key` the whole team shares. Answers stream through as they are written.
/// </summary>
public static class OpenAiProxy
{
    // One client for every forwarded request: streamed answers take as long as they take, and a client that
    // goes away cancels its request (RequestAborted), which the serve worker sees as a disconnect.
    static readonly HttpClient Forward = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };

    public static void MapOpenAiProxy(this WebApplication app) =>
        app.Map("/v1/{**rest}", ForwardAsync).DisableAntiforgery();

    static async Task ForwardAsync(HttpContext http, string? rest, ApiKeys keys, LoadedChatModels loaded)
    {
        if (await keys.UserOfRequestAsync(http.Request) is null)
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status401Unauthorized,
                "Send an API key from your studio Profile page as 'Authorization: Bearer KEY'; this one is missing, wrong, revoked or its account is disabled.",
                "invalid_request_error", code: "invalid_api_key");
            return;
        }
        if (loaded.Current.OrderByDescending(m => m.ReadyAt).FirstOrDefault() is not { } model)
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status503ServiceUnavailable,
                "No chat model is loaded in the studio: load one on its Chat page, then call again.", "service_unavailable_error");
            return;
        }

        using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), model.BaseUrl.TrimEnd('/') + "/" + rest + http.Request.QueryString);
        if (HttpMethods.IsPost(http.Request.Method) || HttpMethods.IsPut(http.Request.Method))
        {
            request.Content = new StreamContent(http.Request.Body);
            if (http.Request.ContentType is { } type) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        HttpResponseMessage response;
        try
        {
            response = await Forward.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted);
        }
        catch (HttpRequestException)
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status502BadGateway,
                $"The loaded chat model {model.ModelId} does not answer; unload and load it again on the Chat page.", "api_error");
            return;
        }
        using (response)
        {
            http.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } contentType) http.Response.ContentType = contentType.ToString();
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await using var body = await response.Content.ReadAsStreamAsync(http.RequestAborted);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, http.RequestAborted)) > 0)
            {
                await http.Response.Body.WriteAsync(buffer.AsMemory(0, read), http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted); // each server-sent event as it comes
            }
        }
    }
}
