using CliWrap;
using CliWrap.Buffered;

namespace Cerver.Relay.Compute.Agents;

/// <summary>One agent CLI as this machine has it: whether it is installed, where, its version, and whether it has a login.</summary>
public sealed record AgentCliStatus(string Name, bool Installed, string? Path, string? Version, bool LoggedIn);

/// <summary>
/// What agents this machine can run, for the compute's capabilities, <c>doctor</c> and
/// <c>status</c>: each harness's CLI looked up as a turn would, asked its version, and
/// checked for an API variable or a subscription login.
/// </summary>
public sealed class AgentInventory(AgentServices agents)
{
    private static readonly TimeSpan VersionTimeout = TimeSpan.FromSeconds(15);

    public async Task<IReadOnlyList<AgentCliStatus>> DetectAsync(CancellationToken cancellationToken)
    {
        var found = await Task.WhenAll(agents.Harnesses.All.Select(async harness =>
        {
            var cli = agents.Locator.Find(harness);
            var loggedIn = agents.Credentials.HasLogin(harness);
            return cli is null
                ? new AgentCliStatus(harness.Name, false, null, null, loggedIn)
                : new AgentCliStatus(harness.Name, true, cli.Executable, await VersionOfAsync(cli.Executable, cancellationToken), loggedIn);
        }));
        return found;
    }

    /// <summary>The first line of <c>--version</c> ("2.1.332 (Claude Code)", "codex-cli 0.171.0"); null when it says nothing in time.</summary>
    private static async Task<string?> VersionOfAsync(string executable, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(VersionTimeout);
            var result = await Cli.Wrap(executable).WithArguments("--version").WithValidation(CommandResultValidation.None)
                .WithEnvironmentVariables(variables => variables.Set("DISABLE_AUTOUPDATER", "1").Set("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"))
                .ExecuteBufferedAsync(timeout.Token);
            var line = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            return result.ExitCode == 0 && line is { Length: > 0 } ? line : null;
        }
        catch (Exception exception) when (exception is OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
