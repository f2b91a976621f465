using System.Collections.Immutable;

namespace Cerver.Relay.Compute.Processes;

/// <summary>
/// Everything needed to start one process, immutable: isolation backends wrap a spec into
/// another spec rather than mutating it, so what runs is always what was built.
/// </summary>
public sealed record ProcessSpec
{
    public ProcessSpec(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        FileName = fileName;
        Arguments = [.. arguments];
        WorkingDirectory = workingDirectory;
        Environment = environment.ToImmutableSortedDictionary(StringComparer.Ordinal);
    }

    public string FileName { get; init; }

    public ImmutableArray<string> Arguments { get; init; }

    public string WorkingDirectory { get; init; }

    /// <summary>The complete environment: nothing of the relay's own is inherited.</summary>
    public ImmutableSortedDictionary<string, string> Environment { get; init; }

    public ProcessSpec WithCommand(string fileName, IEnumerable<string> arguments) =>
        this with { FileName = fileName, Arguments = [.. arguments] };
}
