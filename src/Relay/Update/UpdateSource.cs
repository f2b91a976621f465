using System.Reflection;

namespace Cerver.Relay.Update;

/// <summary>
/// Where releases come from when <c>CERVER_UPDATE_REPO</c> names nowhere: the release build stamps
/// the GitHub repository it is published from into the binary (<c>-p:CerverUpdateRepo=owner/name</c>,
/// which <c>packaging/publish.sh --repo</c> passes), so updates are on after a plain install. A
/// build without one (<c>dotnet build</c>, tests) looks nowhere until the variable is set.
/// </summary>
public static class UpdateSource
{
    public const string MetadataKey = "CerverUpdateRepo";

    /// <summary>The repository built into this binary (<c>owner/name</c>), or null.</summary>
    public static string? BuiltInRepository { get; } =
        typeof(UpdateSource).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == MetadataKey)?.Value is { Length: > 0 } repository ? repository : null;

    /// <summary>Why this relay does not look for updates, or null when it does: what <c>status</c> shows as <c>off (…)</c>.</summary>
    public static string? OffReason(bool autoUpdate, string? repository) =>
        !autoUpdate ? "CERVER_AUTO_UPDATE=0"
        : repository is null ? "no release repository: this build has none built in and CERVER_UPDATE_REPO is not set"
        : null;
}
