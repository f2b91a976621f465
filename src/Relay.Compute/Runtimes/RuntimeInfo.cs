namespace Cerver.Relay.Compute.Runtimes;

/// <summary>
/// A language runtime or tool found on this machine: where its real executable is, its
/// version, and the folders it needs readable inside a sandbox.
/// </summary>
public sealed record RuntimeInfo(string Name, string Executable, string Version, IReadOnlyList<string> InstallRoots)
{
    /// <summary>The folder of the executable, put on a sandbox's PATH.</summary>
    public string BinDirectory => Path.GetDirectoryName(Executable)!;
}
