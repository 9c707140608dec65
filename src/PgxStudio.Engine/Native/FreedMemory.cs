using System.Runtime.InteropServices;

namespace PgxStudio.Engine.Native;

/// <summary>
/// glibc's malloc raises its mmap threshold each time a large block is freed (up to 32 MiB), after which tensors of
/// that size come from the heap and stay resident when freed: quantizing a model's projections, or a step's
/// activations, then leave hundreds of MB that the process holds but does not use. Fixing the threshold at 1 MiB keeps
/// every tensor-sized block its own mapping, given back when freed, so a run's resident memory is what it holds and its
/// measured peak is the one the memory plan predicts. The cost is a page fault per fresh page, small against a step.
/// </summary>
static class FreedMemory
{
    const int MmapThreshold = -3; // M_MMAP_THRESHOLD in malloc.h

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    static extern int Mallopt(int parameter, int value);

    public static void ReturnToSystem()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            Mallopt(MmapThreshold, 1 << 20);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl): its malloc returns large blocks by itself.
        }
    }
}
