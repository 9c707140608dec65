using System.Text;

namespace PgxStudio.Engine.Native;

/// <summary>
/// Makes TorchSharp's libLibTorchSharp.so loadable where libstdc++ predates GLIBCXX_3.4.32 (Debian 12,
/// Ubuntu 22.04) by marking that one version requirement weak, on the copy the process will load.
/// Idempotent; does nothing where the system libstdc++ already provides the version (Ubuntu 24.04, the PGX OS).
/// </summary>
public static class LibStdCxxCompatibility
{
    public const string MissingVersion = "GLIBCXX_3.4.32";

    public enum Outcome { NotNeeded, AlreadyPatched, Patched, NoRequirement }

    /// <summary>True when the libstdc++ this process uses lacks GLIBCXX_3.4.32.</summary>
    public static bool SystemNeedsFix()
    {
        var libstdcxx = FindLoadedLibStdCxx();
        if (libstdcxx is null) return false;
        return !FileContains(libstdcxx, Encoding.ASCII.GetBytes(MissingVersion + "\0"));
    }

    /// <summary>Applies the fix to <paramref name="library"/> when this system needs it.</summary>
    public static Outcome Apply(string library, bool? systemNeedsFix = null)
    {
        if (!(systemNeedsFix ?? SystemNeedsFix())) return Outcome.NotNeeded;
        var bytes = File.ReadAllBytes(library);
        var requirement = ElfVersionNeeds.Read(bytes).FirstOrDefault(r => r.Version == MissingVersion);
        if (requirement is null) return Outcome.NoRequirement;
        if (requirement.IsWeak) return Outcome.AlreadyPatched;

        ElfVersionNeeds.MarkWeak(bytes, MissingVersion);
        // Write beside it and rename, so a concurrent loader never sees half a file.
        var temp = library + ".pgx-tmp-" + Environment.ProcessId;
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, library, overwrite: true);
        return Outcome.Patched;
    }

    static string? FindLoadedLibStdCxx()
    {
        // The .NET runtime itself links libstdc++, so the copy the loader will reuse is already mapped.
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && line.Contains("libstdc++.so")) return line[slash..].Trim();
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        foreach (var candidate in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6" })
            if (File.Exists(candidate)) return candidate;
        return null;
    }

    static bool FileContains(string path, byte[] needle) =>
        File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0;
}
