namespace PgxStudio.Engine.Training;

/// <summary>Writes a file so readers see the old content or the new, never half of it (write aside, then rename).</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text)
    {
        var temp = path + ".tmp";
        using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write))
        using (var w = new StreamWriter(f))
        {
            w.Write(text);
            w.Flush();
            f.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
