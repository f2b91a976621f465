namespace Cerver.Relay.Compute.Packages;

/// <summary>A checked install request: the manager and the packages, in the order asked.</summary>
public sealed record PackageInstall(IPackageManager Manager, IReadOnlyList<string> Packages)
{
    /// <summary>A sandbox with network has it anyway: one step, in the sandbox, as any run.</summary>
    public ManagerCommand Direct() => Manager.Direct(Packages);

    /// <summary>The download with network, or null when every package is local and nothing needs one.</summary>
    public ManagerCommand? Fetch(InstallStaging staging)
    {
        var remote = Packages.Where(spec => !Manager.IsLocal(spec)).ToList();
        return remote.Count == 0 ? null : Manager.Fetch(staging, remote);
    }

    /// <summary>The install from the staging folder, local packages included, under the sandbox's own rules.</summary>
    public ManagerCommand Offline(InstallStaging staging) => Manager.Offline(staging, Packages);
}
