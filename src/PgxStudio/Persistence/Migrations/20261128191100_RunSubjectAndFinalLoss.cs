using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PgxStudio.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class RunSubjectAndFinalLoss : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Datasets",
                table: "Runs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "FinalLoss",
                table: "Runs",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Method",
                table: "Runs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Model",
                table: "Runs",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Datasets",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "FinalLoss",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "Method",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "Model",
                table: "Runs");
        }
    }
}
