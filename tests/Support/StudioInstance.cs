using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PgxStudio.TestSupport;

/// <summary>
/// The real studio (Program's own start-up) on real Kestrel at a loopback port, over a given content root.
/// Several instances may run one after the other on the same root to test restarts.
/// </summary>
public sealed class StudioInstance : IAsyncDisposable
{
    readonly Factory _factory;

    StudioInstance(Factory factory, Uri baseAddress)
    {
        _factory = factory;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _factory.Services;

    public T Get<T>() where T : notnull => _factory.Services.GetRequiredService<T>();

    /// <param name="services">Changes to the studio's services (a test's own database interceptor, say).</param>
    public static Task<StudioInstance> StartAsync(string contentRoot, string environment = "Development", Action<IServiceCollection>? services = null)
    {
        var factory = new Factory(contentRoot, environment, services);
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return Task.FromResult(new StudioInstance(factory, new Uri(address.Replace("[::]", "127.0.0.1"))));
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    sealed class Factory(string contentRoot, string environment, Action<IServiceCollection>? services) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseContentRoot(contentRoot);
            builder.UseEnvironment(environment);
            builder.ConfigureLogging(StudioLogTrail.AddTo);
            if (services is not null) builder.ConfigureTestServices(services);
        }
    }
}
