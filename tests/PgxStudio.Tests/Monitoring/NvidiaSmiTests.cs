using PgxStudio.Monitoring;

namespace PgxStudio.Tests.Monitoring;

/// <summary>Reading nvidia-smi's CSV as a GB10 and an H100 answer it (recorded from public threads).</summary>
public class NvidiaSmiTests
{
    [Fact]
    public void A_GB10s_memory_fields_stay_not_supported_and_n_a_and_its_other_fields_are_numbers()
    {
        var gpu = Assert.Single(NvidiaSmiQuery.Parse(MachineFixtures.Text("gb10-nvidia-smi.csv").ToString()));
        Assert.Equal((0, "NVIDIA GB10"), (gpu.Index, gpu.Name));
        Assert.Equal(0, gpu.UtilizationPercent.Number);
        Assert.Equal(36, gpu.TemperatureCelsius.Number);
        Assert.Equal(3.0, gpu.PowerWatts.Number);
        Assert.Equal(2184, gpu.SmClockMhz.Number);

        Assert.Null(gpu.MemoryUsedMib.Number);
        Assert.Equal(GpuValue.NotSupported, gpu.MemoryUsedMib.Missing);
        Assert.Equal("not supported", gpu.MemoryUsedMib.Text("MiB").ToString());
        Assert.Null(gpu.MemoryTotalMib.Number);
        Assert.Equal("n/a", gpu.MemoryTotalMib.Text("MiB").ToString());
        Assert.Equal("n/a", gpu.MemoryClockMhz.Text("MHz").ToString());
    }

    [Fact]
    public void Two_H100s_give_two_readings_with_their_memory_in_MiB()
    {
        var gpus = NvidiaSmiQuery.Parse(MachineFixtures.Text("h100-nvidia-smi.csv").ToString());
        Assert.Equal([0, 1], gpus.Select(g => g.Index));
        Assert.All(gpus, g => Assert.Equal("NVIDIA H100 80GB HBM3", g.Name));
        Assert.Equal([0.0, 4.0], gpus.Select(g => g.UtilizationPercent.Number!.Value));
        Assert.Equal([39.0, 32.0], gpus.Select(g => g.TemperatureCelsius.Number!.Value));
        Assert.Equal("145.0 W", gpus[0].PowerWatts.Text("W", "0.0").ToString());
        Assert.Equal("72790 MiB", gpus[0].MemoryUsedMib.Text("MiB").ToString());
        Assert.Equal(81559, gpus[1].MemoryTotalMib.Number);
        Assert.Equal(2619, gpus[1].MemoryClockMhz.Number);
    }

    [Fact]
    public void A_line_with_another_number_of_fields_is_not_a_reading()
    {
        Assert.Empty(NvidiaSmiQuery.Parse("0, NVIDIA GB10, 0, 36\nNo devices were found\n"));
    }

    [Fact]
    public async Task The_monitor_asks_the_fake_GB10_its_exact_question_and_reads_its_answer()
    {
        var answer = await new NvidiaSmi(MachineFixtures.Gb10NvidiaSmi).QueryAsync(CancellationToken.None);
        Assert.Null(answer.Problem);
        Assert.Equal("not supported", Assert.Single(answer.Gpus).MemoryUsedMib.Text("MiB").ToString());
    }

    [Fact]
    public async Task A_machine_without_nvidia_smi_says_so_instead_of_reading_zeros()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-folder-" + Guid.NewGuid(), "nvidia-smi");
        var answer = await new NvidiaSmi(missing).QueryAsync(CancellationToken.None);
        Assert.Empty(answer.Gpus);
        Assert.Equal($"No GPU readings: {missing} is not installed.", answer.Problem);
    }

    [Fact]
    public async Task An_nvidia_smi_that_fails_reports_its_exit_and_message()
    {
        // The fake itself has no recording of its own name: grep fails the way a broken driver's nvidia-smi exits non-zero.
        var answer = await new NvidiaSmi(Path.Combine(MachineFixtures.Folder, "fake-nvidia-smi")).QueryAsync(CancellationToken.None);
        Assert.Empty(answer.Gpus);
        Assert.StartsWith("nvidia-smi failed (exit 2): ", answer.Problem);
    }
}
