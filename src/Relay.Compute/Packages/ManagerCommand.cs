namespace Cerver.Relay.Compute.Packages;

/// <summary>One package-manager process: its program, its arguments (never parsed by a shell) and the variables it needs.</summary>
public sealed record ManagerCommand(string FileName, IReadOnlyList<string> Arguments)
{
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
