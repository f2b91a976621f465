using Cerver.Relay.Compute.Storage;
using CliWrap;
using CliWrap.Buffered;

namespace Cerver.Relay.Service;

/// <summary>How one service action ended: whether it worked, and the sentences to show.</summary>
public sealed record ServiceOutcome(bool Ok, string Message);

/// <summary>
/// Installs and drives the relay's service through the platform's service manager. Every verb
/// first asks whether a service manager can run the service here at all; where none can, each
/// says so with <see cref="ServiceFallback"/>, never with advice to run another service verb.
/// </summary>
public abstract partial class ServiceManager(ServiceDefinition definition)
{
    protected ServiceDefinition Definition { get; } = definition;

    /// <summary><c>systemd</c> or <c>launchd</c>.</summary>
    public abstract string ManagerName { get; }

    public ServiceScope Scope => Definition.Scope;

    /// <summary>Where the unit file or plist lives.</summary>
    public abstract string DefinitionPath { get; }

    public bool IsInstalled => File.Exists(DefinitionPath);

    /// <summary>How the user calls this verb again for this scope, e.g. <c>cerver-relay service start --system</c>.</summary>
    protected string Verb(string verb) => $"cerver-relay service {verb}{(Scope == ServiceScope.System ? " --system" : "")}";

    public abstract string Render();

    /// <summary>Null when a service manager can run the service here; otherwise what is missing, as a clause.</summary>
    public abstract Task<string?> FindMissingManagerAsync(CancellationToken cancellationToken);

    /// <summary>Whether a user service keeps running after logout (systemd linger); null when it does not apply or cannot be told.</summary>
    public virtual Task<bool?> LingerAsync(CancellationToken cancellationToken) => Task.FromResult<bool?>(null);

    protected abstract Task<ServiceOutcome> InstallCoreAsync(CancellationToken cancellationToken);
    protected abstract Task<string?> RemoveCoreAsync(CancellationToken cancellationToken);
    protected abstract Task<ServiceOutcome> ActCoreAsync(string verb, CancellationToken cancellationToken);

    /// <summary>Whether the installed service runs, and the manager's own word for its state.</summary>
    protected abstract Task<(bool Running, string Detail)> StateCoreAsync(CancellationToken cancellationToken);

    public async Task<ServiceOutcome> InstallAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Definition.Executable))
        {
            throw new ServiceException($"{Definition.Executable} does not exist, and the service would run nothing; install cerver-relay with install-cerver.sh first (it creates that link).");
        }

        if (NeedsRoot("install") is { } root)
        {
            return root;
        }

        return await FindMissingManagerAsync(cancellationToken) is { } missing
            ? new ServiceOutcome(false, Fallback(missing, prepare: true))
            : await InstallCoreAsync(cancellationToken);
    }

    /// <summary>Stops the service and removes its definition; with no service manager, removes the definition alone.</summary>
    public async Task<ServiceOutcome> UninstallAsync(CancellationToken cancellationToken)
    {
        if (!IsInstalled)
        {
            return new ServiceOutcome(true, $"The service is not installed ({DefinitionPath} does not exist); nothing to remove.");
        }

        if (NeedsRoot("uninstall") is { } root)
        {
            return root;
        }

        var missing = await FindMissingManagerAsync(cancellationToken);
        var failure = missing is null ? await RemoveCoreAsync(cancellationToken) : null;
        File.Delete(DefinitionPath);
        return failure is null
            ? new ServiceOutcome(true, missing is null ? $"Stopped the service and removed {DefinitionPath}." : $"Removed {DefinitionPath} (no service manager ran it here).")
            : new ServiceOutcome(false, $"Removed {DefinitionPath}, but {ManagerName} could not be told: {failure}");
    }

    public Task<ServiceOutcome> StartAsync(CancellationToken cancellationToken) => ActAsync("start", cancellationToken);

    public Task<ServiceOutcome> StopAsync(CancellationToken cancellationToken) => ActAsync("stop", cancellationToken);

    public Task<ServiceOutcome> RestartAsync(CancellationToken cancellationToken) => ActAsync("restart", cancellationToken);

    public async Task<ServiceStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var missing = await FindMissingManagerAsync(cancellationToken);
        var linger = missing is null ? await LingerAsync(cancellationToken) : null;
        var status = new ServiceStatus
        {
            Manager = ManagerName,
            Scope = Scope,
            DefinitionPath = DefinitionPath,
            Installed = IsInstalled,
            ManagerMissing = missing,
            Linger = linger,
            User = Definition.Account?.Name ?? Environment.UserName,
        };
        if (missing is not null)
        {
            return status with
            {
                State = ServiceState.NoManager,
                Detail = Fallback(missing, prepare: false),
                FallbackCommand = ServiceFallback.Command(Definition),
            };
        }

        if (!status.Installed)
        {
            return status with { State = ServiceState.NotInstalled, Detail = $"The service is not installed ({DefinitionPath} does not exist); install it with '{Verb("install")}'." };
        }

        var (running, detail) = await StateCoreAsync(cancellationToken);
        return running
            ? status with { State = ServiceState.Running, Running = true, Detail = $"{ServiceName} is running ({DefinitionPath})." }
            : status with { State = ServiceState.Stopped, Detail = $"{ServiceName} is installed ({DefinitionPath}) but not running ({detail}); start it with '{Verb("start")}'{LogsHint}." };
    }

    /// <summary>The name the service manager knows the service by.</summary>
    protected abstract string ServiceName { get; }

    /// <summary>Where to look for why the service stopped, as a clause starting with "; ".</summary>
    protected abstract string LogsHint { get; }

    private async Task<ServiceOutcome> ActAsync(string verb, CancellationToken cancellationToken)
    {
        if (await FindMissingManagerAsync(cancellationToken) is { } missing)
        {
            return new ServiceOutcome(false, verb == "stop"
                ? $"no service manager runs the relay here: {missing}. A relay started by hand stops with Ctrl-C in its terminal, or 'kill' with its process id."
                : Fallback(missing, prepare: true));
        }

        if (!IsInstalled)
        {
            return new ServiceOutcome(false, $"The service is not installed ({DefinitionPath} does not exist); install it with '{Verb("install")}', which also starts it.");
        }

        return NeedsRoot(verb) ?? await ActCoreAsync(verb, cancellationToken);
    }

    /// <summary>
    /// The fallback message; to <paramref name="prepare"/> is to make the logs folder its command
    /// appends to (the daemon makes it only once it runs), private as the daemon makes it.
    /// </summary>
    private string Fallback(string missing, bool prepare)
    {
        if (prepare && Directory.Exists(Definition.CerverHome) && (Definition.Account is null || Definition.Account.Name == Environment.UserName))
        {
            FilePermissions.CreatePrivateDirectory(Path.GetDirectoryName(Definition.LogsDirectory)!);
            FilePermissions.CreatePrivateDirectory(Definition.LogsDirectory);
        }

        return ServiceFallback.Message(Definition, missing);
    }

    private ServiceOutcome? NeedsRoot(string verb) =>
        Scope == ServiceScope.System && !Environment.IsPrivilegedProcess
            ? new ServiceOutcome(false, $"the system service is managed as root: run 'sudo {ServiceFallback.ShellQuote(Definition.Executable)} service {verb} --system'.")
            : null;

    /// <summary>Writes the definition (0644: the service manager reads it; it holds no secret).</summary>
    protected async Task WriteDefinitionAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DefinitionPath)!);
        if (!Directory.Exists(Definition.LogsDirectory))
        {
            FilePermissions.CreatePrivateDirectory(Path.GetDirectoryName(Definition.LogsDirectory)!);
            FilePermissions.CreatePrivateDirectory(Definition.LogsDirectory);
            if (Definition.Account is { } account && Environment.IsPrivilegedProcess && account.Name != Environment.UserName)
            {
                // Made by root for a service that runs as the account: the account must own it.
                await RunAsync("chown", ["-R", account.Name, Path.GetDirectoryName(Definition.LogsDirectory)!], cancellationToken);
            }
        }

        var temporary = DefinitionPath + ".tmp";
        await File.WriteAllTextAsync(temporary, Render(), cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        File.Move(temporary, DefinitionPath, overwrite: true);
    }

    /// <summary>Runs a service manager's command; a missing program counts as a failure with its reason.</summary>
    protected static async Task<(bool Ok, string Output)> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        try
        {
            var result = await global::CliWrap.Cli.Wrap(program).WithArguments(arguments).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(cancellationToken);
            var output = (result.StandardError.Trim() + "\n" + result.StandardOutput.Trim()).Trim();
            return (result.ExitCode == 0, output.Length > 0 ? output : $"exit code {result.ExitCode}");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return (false, $"{program} is not available ({exception.Message})");
        }
    }
}
