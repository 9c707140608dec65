namespace PgxStudio.Runs;

/// <summary>The self-test's configuration (YAML, like every worker's).</summary>
public static class SelfTestConfig
{
    public static string Create(int steps, int stepMilliseconds, int? failAtStep = null) =>
        $"steps: {steps}\nstep_ms: {stepMilliseconds}\n" + (failAtStep is { } f ? $"fail_at_step: {f}\n" : "");

    public static readonly string Default = Create(40, 100);
}
