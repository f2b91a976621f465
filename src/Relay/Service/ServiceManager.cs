using CliWrap;
using CliWrap.Buffered;

namespace Cerver.Relay.Service;

/// <summary>How one service action ended: whether it worked, and the sentences to show.</summary>
public sealed record ServiceOutcome(bool Ok, string Message);

/// <summary>Installs and drives the relay's user service through the platform's service manager.</summary>
public abstract class ServiceManager(ServiceDefinition definition)
{
    protected ServiceDefinition Definition { get; } = definition;

    /// <summary>Where the unit file or plist lives.</summary>
    public abstract string DefinitionPath { get; }

    public abstract string Render();

    public abstract Task<ServiceOutcome> InstallAsync(CancellationToken cancellationToken);
    public abstract Task<ServiceOutcome> UninstallAsync(CancellationToken cancellationToken);
    public abstract Task<ServiceOutcome> StartAsync(CancellationToken cancellationToken);
    public abstract Task<ServiceOutcome> StopAsync(CancellationToken cancellationToken);

    /// <summary>Ok when the service is running.</summary>
    public abstract Task<ServiceOutcome> StatusAsync(CancellationToken cancellationToken);

    /// <summary>systemd on Linux, launchd on macOS; null elsewhere.</summary>
    public static ServiceManager? ForThisMachine(ServiceDefinition definition, IReadOnlyDictionary<string, string?> environment)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsLinux())
        {
            var configHome = environment.GetValueOrDefault("XDG_CONFIG_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg) ? xdg : Path.Combine(home, ".config");
            return new SystemdUserService(definition, Path.Combine(configHome, "systemd", "user"));
        }

        return OperatingSystem.IsMacOS() ? new LaunchAgentService(definition, Path.Combine(home, "Library", "LaunchAgents")) : null;
    }

    /// <summary>Writes the definition (0644: the service manager reads it; it holds no secret).</summary>
    protected void WriteDefinition()
    {
        if (!File.Exists(Definition.Executable))
        {
            throw new ServiceException($"{Definition.Executable} does not exist, and the service would run nothing; install cerver-relay with install-cerver.sh first (it creates that link).");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(DefinitionPath)!);
        Directory.CreateDirectory(Definition.LogsDirectory);
        var temporary = DefinitionPath + ".tmp";
        File.WriteAllText(temporary, Render());
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
