using Microsoft.AspNetCore.Http;

namespace PgxStudio.Serving;

/// <summary>What both completion endpoints check before answering: the model named, and the backend's own refusal.</summary>
static class CompletionChecks
{
    public static void Check(IChatBackend backend, ChatCompletionRequest request)
    {
        if (request.Model is { Length: > 0 } model && model != backend.ModelId)
            throw new ChatRequestException($"The model \"{model}\" does not exist here; this server serves \"{backend.ModelId}\" (see GET /v1/models).",
                "model", "model_not_found", StatusCodes.Status404NotFound);
        if (backend.Validate(request) is { } problem)
            throw new ChatRequestException(problem, request.Prompt is null ? "messages" : "prompt", "invalid_prompt");
    }
}
