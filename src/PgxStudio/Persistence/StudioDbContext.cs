using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using PgxStudio.Accounts;

namespace PgxStudio.Persistence;

/// <summary>
/// The studio's source of truth: runs and their metrics, serving benchmark results, saved chat conversations and the
/// accounts (ASP.NET Core Identity's user tables, without its role tables: an account's role is one column), in SQLite.
/// </summary>
public sealed class StudioDbContext(DbContextOptions<StudioDbContext> options) : IdentityUserContext<StudioAccount>(options)
{
    public DbSet<Run> Runs => Set<Run>();
    public DbSet<RunMetric> RunMetrics => Set<RunMetric>();
    public DbSet<BenchmarkResult> BenchmarkResults => Set<BenchmarkResult>();
    public DbSet<SavedConversation> SavedConversations => Set<SavedConversation>();
    public DbSet<SavedMessage> SavedMessages => Set<SavedMessage>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Audit.AuditEntry> AuditEntries => Set<Audit.AuditEntry>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        base.OnModelCreating(model);
        model.Entity<StudioAccount>(account => account.Property(a => a.Role).HasMaxLength(16));
        model.Entity<Audit.AuditEntry>(entry =>
        {
            entry.Property(e => e.Who).HasMaxLength(100);
            entry.Property(e => e.Action).HasMaxLength(32);
            entry.Property(e => e.Subject).HasMaxLength(400);
        });
        model.Entity<ApiKey>(key =>
        {
            key.Property(k => k.Label).HasMaxLength(100);
            key.Property(k => k.Prefix).HasMaxLength(8);
            key.Property(k => k.Hash).HasMaxLength(64);
            key.HasIndex(k => k.Hash).IsUnique();
            key.HasOne<StudioAccount>().WithMany().HasForeignKey(k => k.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
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
        model.Entity<SavedConversation>(conversation =>
        {
            conversation.Property(c => c.Owner).HasMaxLength(100);
            conversation.Property(c => c.Title).HasMaxLength(200);
            conversation.Property(c => c.Model).HasMaxLength(200);
            conversation.HasIndex(c => new { c.Owner, c.UpdatedAt });
            conversation.HasMany(c => c.Messages).WithOne().HasForeignKey(m => m.ConversationId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<SavedMessage>(message =>
        {
            message.Property(m => m.Role).HasMaxLength(16);
            message.Property(m => m.FinishReason).HasMaxLength(16);
            message.HasIndex(m => new { m.ConversationId, m.Position });
        });
    }
}
