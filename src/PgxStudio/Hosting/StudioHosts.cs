using System.Net;
using System.Net.NetworkInformation;

namespace PgxStudio.Hosting;

/// <summary>
/// The host names a browser may use to reach the studio: the hosts of the addresses it listens on, the loopback
/// names, and the names added in <c>Studio:AllowedHosts</c>. A wildcard address (<c>0.0.0.0</c>, <c>*</c>, <c>[::]</c>)
/// stands for this machine's own name and addresses. Any other name is what DNS rebinding looks like: a page of
/// another site whose name was pointed at this machine.
/// </summary>
public sealed class StudioHosts
{
    static readonly string[] LoopbackNames = ["localhost", "127.0.0.1", "::1"];

    readonly HashSet<string> _names;

    public StudioHosts(IEnumerable<string> listenUrls, IEnumerable<string> configured)
    {
        _names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in LoopbackNames) _names.Add(name);
        foreach (var name in configured) Add(name);
        foreach (var url in listenUrls)
        {
            var host = ListenAddresses.Host(url);
            if (host is null) continue;
            if (ListenAddresses.IsWildcard(host)) foreach (var name in MachineNames()) Add(name);
            else Add(host);
        }
    }

    public static StudioHosts From(IConfiguration configuration, StudioOptions options) =>
        new(ListenAddresses.Named(configuration).DefaultIfEmpty(ListenAddresses.Default), options.AllowedHosts);

    public IReadOnlyCollection<string> Names => _names;

    public bool Allows(string? host) => Normalize(host) is { Length: > 0 } name && _names.Contains(name);

    void Add(string name)
    {
        if (Normalize(name) is { Length: > 0 } normal) _names.Add(normal);
    }

    /// <summary>"[::1]" and "::1" alike, and "studio.lan." like "studio.lan".</summary>
    static string? Normalize(string? host) => host?.Trim().Trim('[', ']').TrimEnd('.').ToLowerInvariant();

    /// <summary>This machine's name (also as name.local) and its own addresses.</summary>
    public static IEnumerable<string> MachineNames()
    {
        var name = Dns.GetHostName();
        yield return name;
        yield return name + ".local"; // mDNS, as a LAN laptop usually finds the machine
        IEnumerable<IPAddress> addresses;
        try
        {
            addresses = NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address).ToList();
        }
        catch (NetworkInformationException)
        {
            addresses = [];
        }
        foreach (var address in addresses)
            yield return (address.IsIPv6LinkLocal ? new IPAddress(address.GetAddressBytes()) : address).ToString();
    }
}
