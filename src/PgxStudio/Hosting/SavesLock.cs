namespace PgxStudio.Hosting;

/// <summary>
/// One studio per saves/: two would reconcile each other's running workers away and run two GPU jobs at once. The
/// lock is an exclusive lock on saves/studio.lock (the kernel drops it when the process dies, even by kill -9); the
/// holder writes its process id beside it so a second studio can say who holds it.
/// </summary>
public sealed class SavesLock : IDisposable
{
    public const string FileName = "studio.lock";
    public const string HolderFileName = "studio.pid";

    readonly FileStream _lock;
    readonly string _holderFile;

    SavesLock(FileStream stream, string holderFile)
    {
        _lock = stream;
        _holderFile = holderFile;
    }

    /// <summary>Takes the lock or throws the sentence the second studio prints.</summary>
    public static SavesLock Acquire(string saves)
    {
        var path = Path.Combine(saves, FileName);
        var holderFile = Path.Combine(saves, HolderFileName);
        FileStream stream;
        try
        {
            // FileShare.None is an exclusive, non-blocking flock on Linux: it fails while another process holds it.
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            var holder = Holder(holderFile);
            throw new StartupProblem(
                $"Another PGX Studio{(holder is null ? "" : $" (process {holder})")} is already running on {saves}; stop it first, or give this one its own folder with Studio:SavesDirectory.");
        }
        try { File.WriteAllText(holderFile, Environment.ProcessId.ToString()); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // only the message would lack the id
        return new SavesLock(stream, holderFile);
    }

    static string? Holder(string holderFile)
    {
        try { return File.ReadAllText(holderFile).Trim() is { Length: > 0 } pid ? pid : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    public void Dispose()
    {
        try
        {
            if (File.Exists(_holderFile) && File.ReadAllText(_holderFile).Trim() == Environment.ProcessId.ToString()) File.Delete(_holderFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        _lock.Dispose();
    }
}
