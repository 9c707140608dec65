using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;

namespace PgxStudio.Cli;

/// <summary>
/// `pgx remote train CONFIG.yaml --studio URL --key KEY`: queues the config on a studio elsewhere through its REST API
/// (a train run, or a predict run when the config says do_predict: true) and prints where to follow it.
/// </summary>
public static class RemoteVerb
{
    public static Command Create()
    {
        var config = new Argument<FileInfo>("CONFIG") { Description = "A LLaMA-Factory YAML config; its paths are the studio machine's." };
        var studio = new Option<string>("--studio") { Description = "The studio's address, e.g. https://studio.lan:5001.", Required = true };
        var key = new Option<string?>("--key") { Description = "An API key from your Profile page (or the PGX_STUDIO_KEY variable)." };
        var name = new Option<string?>("--name") { Description = "The run's name (default: its kind and time)." };
        var train = new Command("train", "Queue a train (or predict) run from a YAML on a studio.") { config, studio, key, name };
        train.SetAction(async (parse, ct) =>
        {
            var apiKey = parse.GetValue(key) ?? Environment.GetEnvironmentVariable("PGX_STUDIO_KEY");
            if (string.IsNullOrWhiteSpace(apiKey))
            {
                Console.Error.WriteLine("pgx: give an API key with --key or PGX_STUDIO_KEY (make one on the studio's Profile page).");
                return 2;
            }
            var file = parse.GetValue(config)!;
            if (!file.Exists)
            {
                Console.Error.WriteLine($"pgx: {file.FullName} does not exist.");
                return 2;
            }
            if (!Uri.TryCreate(parse.GetValue(studio), UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            {
                Console.Error.WriteLine($"pgx: --studio '{parse.GetValue(studio)}' is not an http(s) address; give the studio's address, e.g. http://studio.lan:5000.");
                return 2;
            }
            using var http = new HttpClient { BaseAddress = baseUri };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey.Trim());
            var path = "api/runs" + (parse.GetValue(name) is { } n ? "?name=" + Uri.EscapeDataString(n) : "");
            HttpResponseMessage response;
            try
            {
                response = await http.PostAsync(path, new StringContent(await File.ReadAllTextAsync(file.FullName, ct), System.Text.Encoding.UTF8, "application/yaml"), ct);
            }
            catch (HttpRequestException e)
            {
                Console.Error.WriteLine($"pgx: cannot reach the studio at {baseUri}: {e.Message}");
                return 1;
            }
            var text = await response.Content.ReadAsStringAsync(ct);
            JsonDocument? body = null;
            try { body = JsonDocument.Parse(text); }
            catch (JsonException) { } // a proxy's or the host check's plain answer
            if (!response.IsSuccessStatusCode || body is null)
            {
                var reason = body is not null && body.RootElement.TryGetProperty("error", out var error) ? error.GetString() : text.Trim();
                Console.Error.WriteLine($"pgx: the studio refused the run ({(int)response.StatusCode}): {reason}");
                return 1;
            }
            var id = body.RootElement.GetProperty("id").GetInt32();
            Console.WriteLine($"Queued {body.RootElement.GetProperty("kind").GetString()} run {id}: {new Uri(baseUri, body.RootElement.GetProperty("page").GetString())}");
            return 0;
        });
        return new Command("remote", "Use a studio elsewhere through its REST API (Studio:Auth accounts).") { train };
    }
}
