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

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    static extern int MallOpt(int parameter, int value);

    const int TrimThreshold = -1, MmapThreshold = -3; // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD in malloc.h

    /// <summary>
    /// For a process that only runs inference (pgx serve, predict, the decode and prefill benchmarks): a freed block
    /// of up to 32 MiB stays in the heap for the next forward pass instead of going back to the system. A prefill makes
    /// tens of megabytes of activations a layer, each over glibc's initial 128 KiB mmap threshold, so each was a fresh
    /// mapping whose pages were faulted in and zeroed again, every layer of every prefill (a fifth of a served
    /// prefill's time, in the kernel). glibc raises that threshold by itself only once a large mapping is freed, which
    /// building a random model happens to do and loading a checkpoint does not: the same 8 × 126-token bf16 prefill of
    /// Qwen3-0.6B took 2.4–3.2 s on the loaded model against 1.9–2.2 s with this (2-core AMD EPYC, alternating runs).
    /// The heap then holds what the largest step needed; explicit <see cref="Trim"/> calls still give it back.
    /// </summary>
    public static void KeepForReuse()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            MallOpt(MmapThreshold, 32 << 20);
            MallOpt(TrimThreshold, 1 << 30);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: its own allocator's policy stands.
        }
    }

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
