using Microsoft.Playwright;
using PgxStudio.Accounts;
using PgxStudio.Chat;
using PgxStudio.Persistence;
using PgxStudio.Runs;
using PgxStudio.TestSupport;

namespace PgxStudio.E2E;

/// <summary>
/// Two members and a viewer, each signed in in their own browser context: runs are recorded under the account, a
/// member cannot cancel another's run even by re-enabling the button by hand, and a viewer reads but changes nothing.
/// </summary>
public class OwnershipTests
{
    const string Password = "correct horse battery";

    [Fact]
    public async Task A_member_cannot_cancel_another_s_run_even_by_hand_and_a_viewer_reads_but_changes_nothing()
    {
        using var root = AccountsTests.AccountsRoot();
        await using var studio = await StudioInstance.StartAsync(root.Path, environment: "Production");
        var accounts = studio.Get<AccountService>();
        foreach (var (name, role) in new[] { ("ada", AccountRoles.Member), ("bob", AccountRoles.Member), ("vic", AccountRoles.Viewer) })
            await accounts.CreateByOperatorAsync(name, Password, role);
        // Ada's model, loaded and serving: a run that stays running until someone cancels it.
        var loader = studio.Get<ChatModelLoader>();
        var adas = await loader.LoadAsync(new ChatModelRequest("saves/models/pgx-demo-tiny", [], null), new StudioUser("ada", false));
        await Eventually.Get(() => Task.FromResult(loader.Loaded(adas.Id)), m => m is not null, TimeSpan.FromSeconds(90), "ada's model to load");
        var (playwright, browser) = await Browser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var queries = studio.Get<RunQueries>();

        // Bob sees ada's run with its Cancel button off; enabling it by hand and clicking changes nothing.
        var bob = await AccountsTests.SignInAsync(browser, studio, "bob", Password);
        await bob.GotoAsync(new Uri(studio.BaseAddress, $"/runs/{adas.Id}").ToString());
        await Browser.WaitForInteractiveAsync(bob);
        var cancel = bob.Locator("#run-cancel");
        await Assertions.Expect(cancel).ToBeDisabledAsync();
        await cancel.EvaluateAsync("b => { b.removeAttribute('disabled'); b.classList.remove('mud-disabled'); }");
        await cancel.ClickAsync(new() { Force = true });
        // The circuit handles its events in order: once the account menu opens, the forged click has been handled.
        await bob.Locator("#account-menu").ClickAsync();
        await Assertions.Expect(bob.Locator("#account-profile")).ToBeVisibleAsync();
        var after = (await queries.GetAsync(adas.Id))!;
        Assert.Equal(RunStatus.Running, after.Status);
        Assert.False(after.CancelRequested);

        // A run bob queues on the Train page is recorded under his account.
        await bob.GotoAsync(new Uri(studio.BaseAddress, "/train").ToString());
        await Browser.WaitForInteractiveAsync(bob);
        await bob.Locator("#train-datasets").ClickAsync();
        await bob.GetByRole(AriaRole.Option, new() { Name = "identity" }).ClickAsync();
        await bob.Keyboard.PressAsync("Escape");
        await bob.Locator("#train-start").ClickAsync();
        await Assertions.Expect(bob.Locator("#train-started")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        var bobs = Assert.Single((await queries.ListAsync(new RunFilter(Owner: "bob"), 0, 10)).Items);
        await studio.Get<RunService>().CancelAsync(bobs.Id, new StudioUser("bob", false));

        // Vic, a viewer, reads ada's run but cannot cancel it, and the Train page will not queue for her.
        var vic = await AccountsTests.SignInAsync(browser, studio, "vic", Password);
        await vic.GotoAsync(new Uri(studio.BaseAddress, $"/runs/{adas.Id}").ToString());
        await Browser.WaitForInteractiveAsync(vic);
        await Assertions.Expect(vic.Locator("body")).ToContainTextAsync("queued by ada");
        await Assertions.Expect(vic.Locator("#run-cancel")).ToBeDisabledAsync();
        await vic.GotoAsync(new Uri(studio.BaseAddress, "/train").ToString());
        await Browser.WaitForInteractiveAsync(vic);
        await vic.Locator("#train-start").ClickAsync();
        await Assertions.Expect(vic.Locator("#train-start-error")).ToContainTextAsync("vic is a viewer: viewers can look but not queue runs");
        await Browser.ScreenshotAsync(vic, "viewer-refused");

        // Ada, the owner, cancels her own run from her page.
        var ada = await AccountsTests.SignInAsync(browser, studio, "ada", Password);
        await ada.GotoAsync(new Uri(studio.BaseAddress, $"/runs/{adas.Id}").ToString());
        await Browser.WaitForInteractiveAsync(ada);
        await ada.Locator("#run-cancel").ClickAsync();
        await Assertions.Expect(ada.Locator("#run-cancel")).ToContainTextAsync("Stopping…");
        Assert.True((await queries.GetAsync(adas.Id))!.CancelRequested);
    }
}
