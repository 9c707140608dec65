using PgxStudio.Engine.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Tests.Native;

public class NativeLoadingTests
{
    [Fact]
    public void Torch_loads_and_runs_a_backward_pass_on_this_machine()
    {
        var info = TorchRuntime.Initialize();
        Assert.Equal(DeviceType.CPU, info.Device.type); // no GPU on the test machines
        Assert.Equal(Environment.ProcessorCount, info.Threads);

        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3 }, requires_grad: true);
        var y = (x * x).sum();
        y.backward();
        Assert.Equal(new float[] { 2, 4, 6 }, x.grad!.data<float>().ToArray());
        Assert.Equal(14f, y.item<float>());
    }

    [Fact]
    public void The_loaded_copy_of_LibTorchSharp_no_longer_hard_requires_GLIBCXX_3_4_32_where_the_system_lacks_it()
    {
        TorchRuntime.Initialize();
        var copies = TorchRuntime.FindPackagedLibTorchSharp().ToList();
        Assert.NotEmpty(copies);
        foreach (var copy in copies)
        {
            var need = ElfVersionNeeds.Read(File.ReadAllBytes(copy))
                .Single(r => r.Version == LibStdCxxCompatibility.MissingVersion);
            Assert.Equal(LibStdCxxCompatibility.SystemNeedsFix(), need.IsWeak);
        }
    }

    [Fact]
    public void Marking_weak_is_idempotent_and_changes_only_the_flag()
    {
        var original = File.ReadAllBytes(PristineLibTorchSharp());
        var copy = (byte[])original.Clone();
        var before = ElfVersionNeeds.Read(copy).Single(r => r.Version == LibStdCxxCompatibility.MissingVersion);
        if (before.IsWeak) return; // the package itself was already fixed upstream: nothing to do
        Assert.True(ElfVersionNeeds.MarkWeak(copy, LibStdCxxCompatibility.MissingVersion));
        Assert.False(ElfVersionNeeds.MarkWeak(copy, LibStdCxxCompatibility.MissingVersion));
        var diff = Enumerable.Range(0, copy.Length).Where(i => copy[i] != original[i]).ToList();
        Assert.Equal(new[] { (int)before.FlagsOffset }, diff);
        // Every other requirement is untouched.
        var others = ElfVersionNeeds.Read(copy).Where(r => r.Version != LibStdCxxCompatibility.MissingVersion);
        Assert.All(others, r => Assert.False(r.IsWeak));
    }

    [Fact]
    public void A_file_that_is_not_ELF_is_refused_with_a_clear_message()
    {
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(new byte[100]));
        Assert.Contains("not an ELF file", e.Message);
    }

    [Fact]
    public void A_missing_native_directory_is_one_clear_sentence()
    {
        var e = Assert.Throws<TorchSetupException>(() => TorchRuntime.LoadCustomNatives("/nonexistent/libtorch"));
        Assert.Contains("'/nonexistent/libtorch' does not exist", e.Message);
        Assert.Contains("scripts/build-libtorchsharp.sh", e.Message);
    }

    static string PristineLibTorchSharp()
    {
        var home = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                   ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(home, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }
}
