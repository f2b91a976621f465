using System.Reflection;

namespace Cerver.Relay.Daemon;

/// <summary>The version stamped into the binary at build time (<c>-p:Version=…</c>).</summary>
public static class RelayVersion
{
    public static string Current { get; } =
        (typeof(RelayVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];
}
