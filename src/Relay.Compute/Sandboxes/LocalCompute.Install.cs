using Cerver.Relay.Compute.Isolation;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Packages;
using Cerver.Relay.Compute.Processes;
using Cerver.Relay.Compute.Storage;

namespace Cerver.Relay.Compute.Sandboxes;

/// <summary>
/// Installs. A sandbox with network installs in one step, as any run. Without network the
/// package manager's download is the only thing that gets one: it runs in a sandbox of its own
/// over a fresh staging folder, never seeing the workspace, and the install proper then runs
/// from that folder under the sandbox's own rules, so nothing the workspace holds (a planted
/// <c>.venv/bin/python</c>, an <c>.npmrc</c>, a <c>.gitconfig</c>, a package's scripts) runs
/// with network.
/// </summary>
public sealed partial class LocalCompute
{
    /// <summary>The whole install, fetch included; a gateway bounds its wait for a linked relay's install by it.</summary>
    public static TimeSpan InstallTimeout { get; } = TimeSpan.FromMinutes(10);

    public async Task<RunResult> InstallPackageAsync(string sandboxId, InstallPackageRequest request, CancellationToken cancellationToken)
    {
        var record = Find(sandboxId);
        var install = PackageInstallCommand.For(request, record.Runtime, await _runtimes.GetAsync());
        var what = new RunWhat(RunKind.Install, $"{request.Manager ?? "install"} {string.Join(' ', request.Packages ?? [])}");
        var workspace = WorkspaceOf(record.SandboxId);
        if (record.Network)
        {
            // The sandbox's own variables win over the machine's download settings here.
            var direct = install.Direct();
            var own = _sandboxEnv.GetValueOrDefault(record.SandboxId);
            var download = DownloadEnvironment.Current().Where(variable => own?.ContainsKey(variable.Key) != true).ToDictionary(StringComparer.Ordinal);
            var spec = await BuildSpecAsync(record, direct.FileName, direct.Arguments, workspace, download, network: true);
            return await RunBufferedAsync(record, spec, null, InstallTimeout, what, cancellationToken);
        }

        var staging = InstallStaging.Beside(workspace);
        var fetchTemporary = _isolation.TemporaryDirectoryFor(staging.Root);
        try
        {
            FilePermissions.CreatePrivateDirectory(staging.Root);
            if (_isolation.UserFor(record.SandboxId) is { } user)
            {
                SandboxOwnership.Give(staging.Root, user);
            }

            if (fetchTemporary.HostPath is { } temporary)
            {
                FilePermissions.CreatePrivateDirectory(temporary);
            }

            RunResult? fetched = null;
            if (install.Fetch(staging) is { } fetch)
            {
                fetched = await RunBufferedAsync(record, await BuildFetchSpecAsync(record, fetch, staging, fetchTemporary.SeenAs), null, InstallTimeout, what with { Code = $"{what.Code} (download)" }, cancellationToken);
                if (!InstallResults.Succeeded(fetched))
                {
                    return fetched;
                }
            }

            var offline = install.Offline(staging);
            var offlineSpec = await BuildSpecAsync(record, offline.FileName, offline.Arguments, workspace, offline.Environment, record.Network, [staging.Root]);
            var remaining = InstallTimeout - TimeSpan.FromMilliseconds(fetched?.DurationMs ?? 0);
            var installed = await RunBufferedAsync(record, offlineSpec, null, remaining > TimeSpan.FromMinutes(1) ? remaining : TimeSpan.FromMinutes(1), what, cancellationToken);
            return fetched is null ? installed : InstallResults.Combine(fetched, installed);
        }
        finally
        {
            DeleteDirectory(staging.Root);
            if (fetchTemporary.HostPath is { } temporary)
            {
                DeleteDirectory(temporary);
            }
        }
    }

    /// <summary>
    /// The download's process: an environment from nothing with the staging folder as HOME and
    /// the machine's download settings, not even the sandbox's own variables, so nothing but its
    /// command line configures the manager.
    /// </summary>
    private async Task<ProcessSpec> BuildFetchSpecAsync(SandboxRecord record, ManagerCommand fetch, InstallStaging staging, string temporary)
    {
        var runtimes = await _runtimes.GetAsync();
        var environment = EnvironmentFor(record.SandboxId, staging.Root, temporary, runtimes)
            .AddVariables(DownloadEnvironment.Current(), "env")
            .AddVariables(fetch.Environment, "env");
        var spec = new ProcessSpec(fetch.FileName, fetch.Arguments, staging.Root, environment.Build());
        return _isolation.Wrap(spec, FetchPhase.Boundary(BoundaryFor(record, staging.Root, network: true, runtimes), staging, temporary, _options.SandboxesDirectory));
    }
}
