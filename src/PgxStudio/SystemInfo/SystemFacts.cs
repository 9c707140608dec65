using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using PgxStudio.Engine.Native;

namespace PgxStudio.SystemInfo;

/// <summary>The machine and runtime facts the System page and `pgx env` show.</summary>
public sealed record SystemFacts(
    string OperatingSystem,
    string Kernel,
    string Architecture,
    string Cpu,
    int Cores,
    long MemoryTotalBytes,
    long MemoryAvailableBytes,
    string DotNetVersion,
    string TorchSharpVersion,
    string LibTorchVersion,
    string Device,
    int TorchThreads,
    IReadOnlyList<string> CudaDevices,
    string NativeSource,
    string? LibTorchPath,
    string SavesDirectory,
    long? SavesFreeBytes)
{
    /// <summary>Reads the facts now. Memory comes from /proc/meminfo: on GB10 nvidia-smi reports no memory.</summary>
    public static SystemFacts Read(TorchInfo torch, string savesDirectory)
    {
        var meminfo = ReadKeyValues("/proc/meminfo", ':');
        return new SystemFacts(
            OperatingSystem: OsName(),
            Kernel: Environment.OSVersion.Version.ToString(),
            Architecture: RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
            Cpu: CpuName(),
            Cores: Environment.ProcessorCount,
            MemoryTotalBytes: KiB(meminfo, "MemTotal"),
            MemoryAvailableBytes: KiB(meminfo, "MemAvailable"),
            DotNetVersion: RuntimeInformation.FrameworkDescription,
            TorchSharpVersion: torch.TorchSharpVersion,
            LibTorchVersion: torch.LibTorchVersion,
            Device: torch.Device.ToString(),
            TorchThreads: torch.Threads,
            CudaDevices: torch.CudaDevices,
            NativeSource: torch.NativeSource,
            LibTorchPath: torch.LibTorchPath,
            SavesDirectory: savesDirectory,
            SavesFreeBytes: FreeBytes(savesDirectory));
    }

    public IEnumerable<(string Name, string Value)> Rows()
    {
        yield return ("OS", OperatingSystem);
        yield return ("Kernel", Kernel);
        yield return ("Architecture", Architecture);
        yield return ("CPU", Cpu);
        yield return ("Cores", Cores.ToString());
        yield return ("Memory", $"{Gib(MemoryTotalBytes)} total, {Gib(MemoryAvailableBytes)} available");
        yield return (".NET", DotNetVersion);
        yield return ("TorchSharp", TorchSharpVersion);
        yield return ("libtorch", LibTorchVersion);
        yield return ("Device", Device);
        yield return ("Torch threads", TorchThreads.ToString());
        yield return ("CUDA devices", CudaDevices.Count == 0 ? "none" : string.Join(", ", CudaDevices));
        yield return ("Native libraries", NativeSource);
        yield return ("libtorch loaded from", LibTorchPath ?? "unknown");
        yield return ("Free under saves/", SavesFreeBytes is { } free ? $"{Gib(free)} ({SavesDirectory})" : $"unknown ({SavesDirectory})");
    }

    public static string Gib(long bytes) => $"{bytes / (1024.0 * 1024 * 1024):0.0} GiB";

    static string OsName()
    {
        var release = ReadKeyValues("/etc/os-release", '=');
        return release.TryGetValue("PRETTY_NAME", out var name) ? name.Trim('"') : RuntimeInformation.OSDescription;
    }

    static string CpuName()
    {
        try
        {
            var lines = File.ReadAllLines("/proc/cpuinfo");
            var model = lines.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (model is not null) return model[(model.IndexOf(':') + 1)..].Trim();
            // Arm (Grace) lists implementer/part numbers instead of a name.
            var part = lines.FirstOrDefault(l => l.StartsWith("CPU part", StringComparison.Ordinal));
            return part is null ? RuntimeInformation.ProcessArchitecture.ToString() : $"Arm CPU part {part[(part.IndexOf(':') + 1)..].Trim()}";
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    static Dictionary<string, string> ReadKeyValues(string path, char separator)
    {
        var values = new Dictionary<string, string>();
        if (!File.Exists(path)) return values;
        foreach (var line in File.ReadLines(path))
        {
            int at = line.IndexOf(separator);
            if (at > 0) values[line[..at].Trim()] = line[(at + 1)..].Trim();
        }
        return values;
    }

    static long KiB(Dictionary<string, string> meminfo, string key) =>
        meminfo.TryGetValue(key, out var v) && Regex.Match(v, @"\d+") is { Success: true } m ? long.Parse(m.Value) * 1024 : 0;

    static long? FreeBytes(string directory)
    {
        try
        {
            var existing = directory;
            while (!Directory.Exists(existing)) existing = Path.GetDirectoryName(existing) ?? "/";
            return new DriveInfo(existing).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
