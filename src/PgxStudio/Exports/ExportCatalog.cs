using Microsoft.EntityFrameworkCore;
using PgxStudio.Engine.Export;
using PgxStudio.Hosting;
using PgxStudio.Persistence;

namespace PgxStudio.Exports;

/// <summary>One output of a finished export as the page shows it: its folder, the commands that serve it, and the
/// model folder the studio's own chat can load (Hugging Face outputs only: the engine reads safetensors).</summary>
public sealed record ExportOutputView(ExportedOutput Output, string Folder, IReadOnlyList<ServeCommand> Commands, string? ChatModelPath);

/// <summary>A finished export under saves/exports/: its manifest and outputs, or the sentence saying why it cannot be read.</summary>
public sealed record FinishedExport(string Name, string Folder, ExportManifest? Manifest, IReadOnlyList<ExportOutputView> Outputs, string? Problem);

/// <summary>The exports the Export page lists: those in the queue (export runs) and those finished on disk.</summary>
public sealed class ExportCatalog(StudioPaths paths, IDbContextFactory<StudioDbContext> dbFactory)
{
    public string Root => Path.Combine(paths.Saves, "exports");

    /// <summary>Export runs, newest first: the queued and running ones and the latest finished (with their errors).</summary>
    public async Task<IReadOnlyList<Run>> RunsAsync(int count = 20)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Runs.AsNoTracking().Where(r => r.Kind == RunKind.Export).OrderByDescending(r => r.Id).Take(count).ToListAsync();
    }

    /// <summary>Every folder under saves/exports/ holding a pgx_export.json, newest first.</summary>
    public IReadOnlyList<FinishedExport> Finished()
    {
        if (!Directory.Exists(Root)) return [];
        var found = new List<(DateTime When, FinishedExport Export)>();
        foreach (var folder in Directory.EnumerateDirectories(Root).Where(d => !Path.GetFileName(d).StartsWith('.')))
        {
            var relative = Path.GetRelativePath(paths.ContentRoot, folder).Replace('\\', '/');
            try
            {
                if (ExportManifest.Read(folder) is not { } manifest) continue;
                var outputs = manifest.Outputs.Select(o =>
                {
                    var outputFolder = Path.GetFullPath(Path.Combine(folder, o.Folder));
                    var chat = o.Format == "hf" ? Path.GetRelativePath(paths.ContentRoot, outputFolder).Replace('\\', '/') : null;
                    return new ExportOutputView(o, outputFolder, ServeCommands.For(o, outputFolder, manifest.Name), chat);
                }).ToList();
                found.Add((manifest.CreatedAt, new FinishedExport(manifest.Name, relative, manifest, outputs, null)));
            }
            catch (InvalidDataException e)
            {
                found.Add((Directory.GetLastWriteTimeUtc(folder), new FinishedExport(Path.GetFileName(folder), relative, null, [], e.Message)));
            }
        }
        return found.OrderByDescending(f => f.When).Select(f => f.Export).ToList();
    }
}
