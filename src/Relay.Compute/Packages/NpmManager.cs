namespace Cerver.Relay.Compute.Packages;

/// <summary>
/// npm. The fetch phase installs into a throw-away project in the staging folder with
/// lifecycle scripts off and both config files pointed at the staging folder, which fills its
/// cache; the offline phase installs from that cache in the workspace, where scripts run as
/// any run of the sandbox does.
/// </summary>
public sealed class NpmManager(string npm) : IPackageManager
{
    private static readonly string[] Quiet = ["--no-audit", "--no-fund", "--loglevel=error"];

    public bool IsLocal(string spec) => PackageSpecs.IsLocalForNpm(spec);

    public ManagerCommand Direct(IReadOnlyList<string> packages) => new(npm, ["install", .. Quiet, .. packages]);

    public ManagerCommand Fetch(InstallStaging staging, IReadOnlyList<string> packages) => new(npm,
    [
        "install",
        "--prefix", staging.NpmProject,
        "--ignore-scripts",
        "--cache", staging.NpmCache,
        "--userconfig", staging.NpmUserConfig,
        "--globalconfig", staging.NpmGlobalConfig,
        "--update-notifier=false",
        .. Quiet,
        .. packages,
    ]);

    public ManagerCommand Offline(InstallStaging staging, IReadOnlyList<string> packages) =>
        new(npm, ["install", "--offline", "--cache", staging.NpmCache, .. Quiet, .. packages]);
}
