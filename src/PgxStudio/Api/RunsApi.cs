using Microsoft.EntityFrameworkCore;
using PgxStudio.Accounts;
using PgxStudio.Engine.Training;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.Engine.Sentences;

namespace PgxStudio.Api;

/// <summary>
/// The REST API for scripts (Studio:Auth accounts), authorised by `Authorization: Bearer KEY` with a key from the
/// Profile page: queue a train or predict run from a LLaMA-Factory YAML, read its status and metrics, cancel it. The
/// same services and ownership rules as the pages; cookies are not accepted here, so other sites cannot use a session.
/// </summary>
public static class RunsApi
{
    public static void MapRunsApi(this WebApplication app)
    {
        var api = app.MapGroup("/api").DisableAntiforgery().AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var user = await http.RequestServices.GetRequiredService<ApiKeys>().UserOfRequestAsync(http.Request);
            if (user is null)
                return Error(StatusCodes.Status401Unauthorized, "Send an API key from your Profile page as 'Authorization: Bearer KEY'; this one is missing, wrong, revoked or its account is disabled.");
            http.Items[typeof(StudioUser)] = user;
            return await next(context);
        });

        api.MapPost("/runs", async (HttpContext http, RunService runs, string? name) =>
        {
            var user = User(http);
            var yaml = await new StreamReader(http.Request.Body).ReadToEndAsync();
            var kind = IsPredict(yaml) ? RunKind.Predict : RunKind.Train;
            try
            {
                user.RequireMayAct(new Sentence("queue runs"));
                var args = TrainingConfigLoader.Parse(yaml, "the request body", purpose: kind == RunKind.Predict ? ConfigPurpose.Predict : ConfigPurpose.Train).Arguments;
                var run = await runs.EnqueueAsync(kind, name ?? "", user.Name, yaml, args.OutputDir);
                return Results.Json(new { id = run.Id, kind = Kind(run.Kind), status = Status(run.Status), page = $"/runs/{run.Id}" }, statusCode: StatusCodes.Status201Created);
            }
            catch (TrainingConfigException e) { return Error(StatusCodes.Status400BadRequest, e.Message); }
            catch (RunRequestException e) { return Error(user.IsViewer ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest, e.Message); }
        });

        api.MapGet("/runs/{id:int}", async (int id, IDbContextFactory<StudioDbContext> dbFactory) =>
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var run = await db.Runs.AsNoTracking().Include(r => r.Metrics).FirstOrDefaultAsync(r => r.Id == id);
            if (run is null) return Error(StatusCodes.Status404NotFound, $"Run {id} does not exist.");
            return Results.Json(new
            {
                id = run.Id, name = run.Name, kind = Kind(run.Kind), status = Status(run.Status), owner = run.Owner,
                createdAt = run.CreatedAt, startedAt = run.StartedAt, finishedAt = run.FinishedAt, error = run.Error,
                metrics = run.Metrics.OrderBy(m => m.Step).Select(m => new { step = m.Step, epoch = m.Epoch, loss = m.Loss, evalLoss = m.EvalLoss, learningRate = m.LearningRate }),
            });
        });

        api.MapPost("/runs/{id:int}/cancel", async (int id, HttpContext http, RunService runs, RunQueries queries) =>
        {
            var user = User(http);
            if (await queries.GetAsync(id) is not { } run) return Error(StatusCodes.Status404NotFound, $"Run {id} does not exist.");
            try
            {
                var cancelled = await runs.CancelAsync(id, user);
                return Results.Json(new { id, status = Status(cancelled.Status), cancelRequested = cancelled.CancelRequested });
            }
            catch (RunRequestException e)
            {
                return Error(user.MayChange(run) ? StatusCodes.Status409Conflict : StatusCodes.Status403Forbidden, e.Message);
            }
        });
    }

    static StudioUser User(HttpContext http) => (StudioUser)http.Items[typeof(StudioUser)]!;

    /// <summary>LLaMA-Factory's own switch: a config with do_predict: true is a prediction run.</summary>
    static bool IsPredict(string yaml) => yaml.Split('\n').Any(l => l.Trim().Replace(" ", "") is "do_predict:true" or "do_predict:True");

    static string Kind(RunKind kind) => kind.ToString().ToLowerInvariant();

    static string Status(RunStatus status) => status.ToString().ToLowerInvariant();

    static IResult Error(int status, string sentence) => Results.Json(new { error = sentence }, statusCode: status);
}
