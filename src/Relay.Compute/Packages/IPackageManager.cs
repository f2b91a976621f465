namespace Cerver.Relay.Compute.Packages;

/// <summary>
/// The command lines of one package manager. A sandbox with network installs in one step, as
/// before. Without network an install is two: <see cref="Fetch"/> downloads with network in a
/// sandbox of its own that sees only the staging folder, runs nothing but the manager and reads
/// no config from the workspace; <see cref="Offline"/> then installs from the staging folder
/// under the sandbox's own rules, where whatever the workspace holds runs without network.
/// </summary>
public interface IPackageManager
{
    bool IsLocal(string spec);

    ManagerCommand Direct(IReadOnlyList<string> packages);

    /// <summary>Downloads the registry packages (never the local ones) and their dependencies into the staging folder.</summary>
    ManagerCommand Fetch(InstallStaging staging, IReadOnlyList<string> packages);

    ManagerCommand Offline(InstallStaging staging, IReadOnlyList<string> packages);
}
