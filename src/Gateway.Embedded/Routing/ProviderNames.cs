namespace Cerver.Gateway.Embedded.Routing;

public static class ProviderNames
{
    public const string Cloudflare = "cloudflare";
    public const string Vercel = "vercel";
    public const string E2b = "e2b";
    public const string Daytona = "daytona";
    public const string Local = "local";

    public const string ComputeIdPrefix = "cmp_";
    public const string ProviderHandlePrefix = "provider_";

    public static IReadOnlyList<string> Known { get; } = [Cloudflare, Daytona, E2b, Local, Vercel];

    // The hosted gateway and older CLIs call this machine by several names; all of them
    // must land on the same catalog entry or allowlists silently block the local compute.
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["cerver_local"] = Local,
        ["cerver_local_provider"] = Local,
        ["p69"] = Local,
    };

    public static string Canonical(string name)
    {
        var key = name.Trim().ToLowerInvariant();
        return Aliases.TryGetValue(key, out var canonical) ? canonical : key;
    }

    public static bool IsComputeId(string name) => name.StartsWith(ComputeIdPrefix, StringComparison.Ordinal);

    // Linked relays are routed by compute id, so an allowlist may name one directly.
    public static bool IsKnownOrComputeId(string canonical) =>
        Known.Contains(canonical) || (IsComputeId(canonical) && canonical.Length > ComputeIdPrefix.Length);
}
