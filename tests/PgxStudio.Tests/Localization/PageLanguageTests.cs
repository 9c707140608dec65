using System.Globalization;
using Bunit;
using Microsoft.AspNetCore.Components;
using PgxStudio.Components.Layout;
using PgxStudio.Components.Pages.Train;
using PgxStudio.Tests.Components;
using Microsoft.Extensions.DependencyInjection;
using PgxStudio.Tests.Training;
using PgxStudio.Training;
using PgxStudio.Runs;

namespace PgxStudio.Tests.Localization;

/// <summary>A page renders in the circuit's UI culture: Chinese under zh-CN with LlamaBoard's terms, English under en.</summary>
[Collection(PgxStudio.Tests.Queue.StudioCollection.Name)]
public class PageLanguageTests
{
    [Fact]
    public async Task The_Train_page_and_the_drawer_speak_Chinese_under_zh_CN_with_LlamaBoards_terms()
    {
        using var _ = new UiCulture("zh-CN");
        await using var ctx = TrainStudio.Create();
        var page = ctx.Render<TrainPage>(p => p.AddCascadingValue(ctx.Session));
        var text = page.Markup;
        foreach (var term in new[] { "学习率", "训练轮数", "截断长度", "批处理大小", "梯度累积", "最大样本数", "计算类型", "量化等级", "微调方法", "输出目录", "开始" })
            Assert.Contains(term, text);
        Assert.DoesNotContain("Learning rate", text);
        Assert.Equal("开始", page.Find("#train-start").TextContent.Trim());

        var layout = ctx.Render<MainLayout>(p => p.AddCascadingValue(ctx.Session).Add(l => l.Body, (RenderFragment)(_ => { })));
        var nav = layout.FindAll(".mud-nav-link").Select(a => a.TextContent.Trim()).ToList();
        Assert.Equal(["概览", "数据集", "训练", "运行记录", "对话", "评估", "导出", "基准测试", "队列", "系统"], nav);
        // The switch marks the language in use and offers the other.
        Assert.Equal("true", layout.Find("#language-zh-CN").GetAttribute("aria-current"));
        Assert.False(layout.Find("#language-en").HasAttribute("aria-current"));

        // The studio's own checks speak the page's language too.
        Assert.Equal("缺少数据集：请从列表中选择一个或多个数据集。", MissingDatasetProblem(ctx));
    }

    [Fact]
    public async Task Sentences_made_by_services_and_the_engine_speak_Chinese_under_zh_CN()
    {
        using var _ = new UiCulture("zh-CN");
        await using var ctx = TrainStudio.Create();
        // The memory plan: its summary, its parts' names and details.
        var page = ctx.Render<TrainPage>(p => p.AddCascadingValue(ctx.Session));
        page.WaitForAssertion(() => Assert.EndsWith("— 放得下", page.Find("#train-memory-summary").TextContent.Trim()));
        var parts = page.Find("#train-memory-parts").TextContent;
        foreach (var word in new[] { "权重", "梯度", "激活", "工作空间", "个可训练参数的 fp32 梯度" }) Assert.Contains(word, parts);
        Assert.DoesNotContain("activations", parts);

        // The engine's validation rule (shared with the CLI, which stays English), at its field.
        var form = TrainStudio.SmallForm();
        form.LearningRate = -1;
        var check = ctx.Services.GetRequiredService<TrainFormCheck>().Check(form);
        Assert.Equal("学习率 learning_rate 必须为正数，当前为 -1。", check.At("learning_rate"));
        Assert.Contains("learning_rate must be positive, got -1.", Engine.Training.TrainingArgumentsValidator.Validate(ctx.Services.GetRequiredService<TrainChoices>().Arguments(form)));

        // A refusal a service throws, with a nested phrase put into words too.
        var refusal = await Assert.ThrowsAsync<RunRequestException>(() =>
            ctx.Services.GetRequiredService<TrainLauncher>().StartAsync(TrainStudio.SmallForm(), new StudioUser("vic", IsAdmin: false, IsViewer: true)));
        var words = ctx.Services.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<PgxStudio.Localization.Strings>>();
        Assert.Equal("vic 是查看者：查看者只能查看，不能提交任务；管理员可以将你设为成员。", PgxStudio.Localization.SentenceWords.Say(words, refusal.Sentence));
        Assert.Equal("vic is a viewer: viewers can look but not queue runs; an admin can make you a member.", refusal.Message);
    }

    [Fact]
    public async Task MudBlazors_own_words_speak_the_pages_language()
    {
        using var _ = new UiCulture("zh-CN");
        await using var ctx = TrainStudio.Create();
        var page = ctx.Render<PgxStudio.Components.Pages.Runs.RunsPage>(p => p.AddCascadingValue(ctx.Session));
        page.WaitForAssertion(() => Assert.Contains("每页行数：", page.Markup));
        Assert.Contains("aria-label=\"下一页\"", page.Markup);
        Assert.DoesNotContain("Rows per page", page.Markup);

        var mud = ctx.Services.GetRequiredService<MudBlazor.MudLocalizer>();
        Assert.Equal("关闭", mud["MudDialog_Close"].Value);
        Assert.Equal("选择了 3 个文件，超过上限 1 个", mud["MudFileUpload_MaximumFileCountExceeded", 3, 1].Value);
        // A key the studio does not translate is left to MudBlazor, which then shows its English.
        Assert.True(mud["MudDataGrid_Save"].ResourceNotFound);
    }

    [Fact]
    public void The_English_behind_each_MudBlazor_key_is_MudBlazors_own()
    {
        // MudBlazor's English is our resource key: were an upgrade to change it, the page would show a stale translation.
        var builtIn = new System.Resources.ResourceManager("MudBlazor.Resources.LanguageResource", typeof(MudBlazor.MudButton).Assembly);
        foreach (var (key, english) in PgxStudio.Localization.MudWords.English)
            Assert.Equal(builtIn.GetString(key, CultureInfo.InvariantCulture), english);
    }

    [Fact]
    public async Task The_same_page_speaks_English_under_en()
    {
        using var _ = new UiCulture("en");
        await using var ctx = TrainStudio.Create();
        var page = ctx.Render<TrainPage>(p => p.AddCascadingValue(ctx.Session));
        Assert.Contains("Learning rate", page.Markup);
        Assert.Contains("Cutoff length", page.Markup);
        Assert.DoesNotContain("学习率", page.Markup);
        Assert.Equal("Start", page.Find("#train-start").TextContent.Trim());
        Assert.Equal("dataset is missing: pick one or more datasets from the list.", MissingDatasetProblem(ctx));
    }

    [Fact]
    public async Task A_page_keeps_its_language_when_a_live_update_renders_it_from_another_thread()
    {
        await using var services = new ServiceCollection().AddLogging().AddLocalization().BuildServiceProvider();
        PgxStudio.Localization.PageStrings words;
        using (new UiCulture("zh-CN")) words = new(services.GetRequiredService<Microsoft.Extensions.Localization.IStringLocalizer<PgxStudio.Localization.Strings>>());
        // A run's step or a monitor sample arrives on a thread of the server, in the server's culture.
        var (word, cultureAfter) = await Task.Run(() =>
        {
            CultureInfo.CurrentUICulture = new CultureInfo("en");
            return (words["Start"].Value, CultureInfo.CurrentUICulture.Name);
        });
        Assert.Equal("开始", word);
        Assert.Equal("en", cultureAfter); // the thread's own culture is left as it was
    }

    static string? MissingDatasetProblem(StudioComponentContext ctx)
    {
        var form = TrainStudio.SmallForm();
        form.Datasets = [];
        return ctx.Services.GetRequiredService<TrainFormCheck>().Check(form).At(TrainFields.Datasets);
    }

    /// <summary>Sets the UI culture for a test, as the request localization middleware does for a circuit.</summary>
    sealed class UiCulture : IDisposable
    {
        readonly CultureInfo _before = CultureInfo.CurrentUICulture;

        public UiCulture(string name) => CultureInfo.CurrentUICulture = new CultureInfo(name);

        public void Dispose() => CultureInfo.CurrentUICulture = _before;
    }
}
