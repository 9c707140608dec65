using System.Runtime.InteropServices;

namespace PgxStudio.Engine.Native;

/// <summary>
/// Building a model frees large temporaries (a random model's fp32 draws, the fp32 projections QLoRA has just
/// quantized) into glibc's heap, which keeps them resident: the process would hold hundreds of MB it does not use for
/// the whole run. <see cref="Trim"/> gives those pages back once the model is built, and under gradient
/// checkpointing after the forward and during the backward when the heap has grown (Training/LayerTrims.cs), where it
/// would otherwise keep more and more of the layers' freed internals. Without checkpointing a step's tensors simply
/// reuse the heap's freed blocks. Forcing every block over 1 MiB into its own mapping (M_MMAP_THRESHOLD) instead kept
/// the peak as low but made every tensor fault in fresh zeroed pages, which cost a third to a half of the training
/// speed on the CPU (docs/memory-plan.md).
/// </summary>
public static class FreedMemory
{
    [DllImport("libc.so.6", EntryPoint = "malloc_trim")]
    static extern int MallocTrim(nuint pad);

    public static void Trim()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl): its malloc returns large blocks by itself.
        }
    }
}
