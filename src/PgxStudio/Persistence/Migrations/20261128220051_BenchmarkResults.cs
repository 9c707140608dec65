using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PgxStudio.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class BenchmarkResults : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BenchmarkResults",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    SweepId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Owner = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Url = table.Column<string>(type: "TEXT", nullable: false),
                    Model = table.Column<string>(type: "TEXT", nullable: false),
                    Parallel = table.Column<int>(type: "INTEGER", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    Prompts = table.Column<string>(type: "TEXT", nullable: false),
                    MaxTokens = table.Column<int>(type: "INTEGER", nullable: false),
                    Stream = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Partial = table.Column<bool>(type: "INTEGER", nullable: false),
                    PartialReason = table.Column<string>(type: "TEXT", nullable: true),
                    Succeeded = table.Column<int>(type: "INTEGER", nullable: false),
                    Failed = table.Column<int>(type: "INTEGER", nullable: false),
                    FirstError = table.Column<string>(type: "TEXT", nullable: true),
                    DurationSeconds = table.Column<double>(type: "REAL", nullable: false),
                    InputTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    OutputTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    TokenCounting = table.Column<string>(type: "TEXT", nullable: false),
                    RequestThroughput = table.Column<double>(type: "REAL", nullable: false),
                    OutputTokenThroughput = table.Column<double>(type: "REAL", nullable: false),
                    TotalTokenThroughput = table.Column<double>(type: "REAL", nullable: false),
                    TtftMean = table.Column<double>(type: "REAL", nullable: false),
                    TtftP50 = table.Column<double>(type: "REAL", nullable: false),
                    TtftP90 = table.Column<double>(type: "REAL", nullable: false),
                    TtftP99 = table.Column<double>(type: "REAL", nullable: false),
                    TpotMean = table.Column<double>(type: "REAL", nullable: false),
                    TpotP50 = table.Column<double>(type: "REAL", nullable: false),
                    TpotP90 = table.Column<double>(type: "REAL", nullable: false),
                    TpotP99 = table.Column<double>(type: "REAL", nullable: false),
                    ItlMean = table.Column<double>(type: "REAL", nullable: false),
                    ItlP50 = table.Column<double>(type: "REAL", nullable: false),
                    ItlP90 = table.Column<double>(type: "REAL", nullable: false),
                    ItlP99 = table.Column<double>(type: "REAL", nullable: false),
                    E2elMean = table.Column<double>(type: "REAL", nullable: false),
                    E2elP50 = table.Column<double>(type: "REAL", nullable: false),
                    E2elP90 = table.Column<double>(type: "REAL", nullable: false),
                    E2elP99 = table.Column<double>(type: "REAL", nullable: false),
                    ResultJson = table.Column<string>(type: "TEXT", nullable: false),
                    SamplesJson = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BenchmarkResults", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BenchmarkResults_CreatedAt",
                table: "BenchmarkResults",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_BenchmarkResults_SweepId",
                table: "BenchmarkResults",
                column: "SweepId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BenchmarkResults");
        }
    }
}
