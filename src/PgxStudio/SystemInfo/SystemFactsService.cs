using PgxStudio.Engine.Native;
using PgxStudio.Hosting;

namespace PgxStudio.SystemInfo;

/// <summary>Reads <see cref="SystemFacts"/> for the studio's own libtorch and saves folder.</summary>
public sealed class SystemFactsService(TorchInfo torch, StudioPaths paths)
{
    public SystemFacts Read() => SystemFacts.Read(torch, paths.Saves);
}
