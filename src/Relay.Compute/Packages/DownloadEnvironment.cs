namespace Cerver.Relay.Compute.Packages;

/// <summary>
/// The machine's own way out to the registries, from the daemon's environment (the
/// operator's, never a workspace's): the certificate authorities to trust where TLS is
/// intercepted, and the proxy where only a proxy leads out. A sandbox's environment is built
/// from nothing, so without these a download fails on such a machine. They name files and
/// hosts, never a program.
/// </summary>
public static class DownloadEnvironment
{
    public static readonly IReadOnlyList<string> Names =
    [
        "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR",
        "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy",
    ];

    public static IReadOnlyDictionary<string, string> Current() => From(Environment.GetEnvironmentVariable);

    public static IReadOnlyDictionary<string, string> From(Func<string, string?> lookup)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in Names)
        {
            if (lookup(name) is { Length: > 0 } value && !value.Contains('\0', StringComparison.Ordinal))
            {
                found[name] = value;
            }
        }

        return found;
    }
}
