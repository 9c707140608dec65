using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PgxStudio.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class MetricsOneRowPerStep : Migration
    {
        const string FoldDuplicateSteps = """
            UPDATE RunMetrics AS keep SET
                Epoch = COALESCE((SELECT m.Epoch FROM RunMetrics m WHERE m.RunId = keep.RunId AND m.Step = keep.Step AND m.Epoch IS NOT NULL ORDER BY m.Id DESC LIMIT 1), keep.Epoch),
                Loss = COALESCE((SELECT m.Loss FROM RunMetrics m WHERE m.RunId = keep.RunId AND m.Step = keep.Step AND m.Loss IS NOT NULL ORDER BY m.Id DESC LIMIT 1), keep.Loss),
                EvalLoss = COALESCE((SELECT m.EvalLoss FROM RunMetrics m WHERE m.RunId = keep.RunId AND m.Step = keep.Step AND m.EvalLoss IS NOT NULL ORDER BY m.Id DESC LIMIT 1), keep.EvalLoss),
                LearningRate = COALESCE((SELECT m.LearningRate FROM RunMetrics m WHERE m.RunId = keep.RunId AND m.Step = keep.Step AND m.LearningRate IS NOT NULL ORDER BY m.Id DESC LIMIT 1), keep.LearningRate),
                TokensPerSecond = COALESCE((SELECT m.TokensPerSecond FROM RunMetrics m WHERE m.RunId = keep.RunId AND m.Step = keep.Step AND m.TokensPerSecond IS NOT NULL ORDER BY m.Id DESC LIMIT 1), keep.TokensPerSecond),
                ElapsedSeconds = COALESCE((SELECT m.ElapsedSeconds FROM RunMetrics m WHERE m.RunId = keep.RunId AND m.Step = keep.Step AND m.ElapsedSeconds IS NOT NULL ORDER BY m.Id DESC LIMIT 1), keep.ElapsedSeconds)
            WHERE keep.Id = (SELECT MIN(m.Id) FROM RunMetrics m WHERE m.RunId = keep.RunId AND m.Step = keep.Step)
              AND EXISTS (SELECT 1 FROM RunMetrics m WHERE m.RunId = keep.RunId AND m.Step = keep.Step AND m.Id <> keep.Id);
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Runs resumed before this version may hold a step twice, or a step's loss and its eval loss in two rows:
            // fold each (run, step) into its first row, the latest value of each column winning, then drop the rest.
            migrationBuilder.Sql(FoldDuplicateSteps);
            migrationBuilder.Sql("DELETE FROM RunMetrics WHERE Id NOT IN (SELECT MIN(Id) FROM RunMetrics GROUP BY RunId, Step);");

            migrationBuilder.DropIndex(
                name: "IX_RunMetrics_RunId_Step",
                table: "RunMetrics");

            migrationBuilder.CreateIndex(
                name: "IX_RunMetrics_RunId_Step",
                table: "RunMetrics",
                columns: new[] { "RunId", "Step" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_RunMetrics_RunId_Step",
                table: "RunMetrics");

            migrationBuilder.CreateIndex(
                name: "IX_RunMetrics_RunId_Step",
                table: "RunMetrics",
                columns: new[] { "RunId", "Step" });
        }
    }
}
