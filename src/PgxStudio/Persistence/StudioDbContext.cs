using Microsoft.EntityFrameworkCore;

namespace PgxStudio.Persistence;

/// <summary>The studio's source of truth: runs and their metrics, serving benchmark results, in SQLite.</summary>
public sealed class StudioDbContext(DbContextOptions<StudioDbContext> options) : DbContext(options)
{
    public DbSet<Run> Runs => Set<Run>();
    public DbSet<RunMetric> RunMetrics => Set<RunMetric>();
    public DbSet<BenchmarkResult> BenchmarkResults => Set<BenchmarkResult>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Run>(run =>
        {
            run.Property(r => r.Kind).HasConversion<string>().HasMaxLength(16);
            run.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
            run.Property(r => r.Name).HasMaxLength(200);
            run.Property(r => r.Owner).HasMaxLength(100);
            run.HasIndex(r => r.Status);
            run.HasIndex(r => r.Owner);
            run.HasMany(r => r.Metrics).WithOne().HasForeignKey(m => m.RunId).OnDelete(DeleteBehavior.Cascade);
        });
        // One row per step: a step's loss and its evaluation share it, and a resumed run redoes a step in place.
        model.Entity<RunMetric>().HasIndex(m => new { m.RunId, m.Step }).IsUnique();
        model.Entity<BenchmarkResult>(result =>
        {
            result.Property(r => r.Name).HasMaxLength(200);
            result.Property(r => r.Owner).HasMaxLength(100);
            result.Property(r => r.SweepId).HasMaxLength(40);
            result.HasIndex(r => r.CreatedAt);
            result.HasIndex(r => r.SweepId);
        });
    }
}
