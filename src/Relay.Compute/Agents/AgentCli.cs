namespace Cerver.Relay.Compute.Agents;

/// <summary>
/// An agent CLI found on this machine: the path to start it by (links resolved, so it works in
/// a sandbox that does not see the link), and the folders it needs readable there.
/// </summary>
public sealed record AgentCli(string Harness, string Executable, IReadOnlyList<string> InstallRoots);
