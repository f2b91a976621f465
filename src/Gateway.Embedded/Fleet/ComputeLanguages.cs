namespace Cerver.Gateway.Embedded.Fleet;

/// <summary>The languages a compute can run, from the runtimes it reports: the shell always, interpreters when found.</summary>
public static class ComputeLanguages
{
    private static readonly string[] Interpreters = ["bash", "node", "python"];

    public static IReadOnlyList<string> From(IEnumerable<string> runtimeNames)
    {
        var found = runtimeNames.ToHashSet(StringComparer.Ordinal);
        return ["shell", .. Interpreters.Where(found.Contains)];
    }
}
