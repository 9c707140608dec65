using PgxStudio.TestSupport;

namespace PgxStudio.Tests.Monitoring;

/// <summary>The committed recordings under tests/fixtures/machine (see its README for where they come from).</summary>
static class MachineFixtures
{
    public static string Folder => Path.Combine(RepoPaths.Root, "tests", "fixtures", "machine");
    public static string Gb10NvidiaSmi => Path.Combine(Folder, "gb10-nvidia-smi");
    public static string H100NvidiaSmi => Path.Combine(Folder, "h100-nvidia-smi");
    public static string Proc => Path.Combine(Folder, "proc");
    public static string Text(string relative) => File.ReadAllText(Path.Combine(Folder, relative));
}
