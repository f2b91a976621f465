namespace Cerver.Relay.Compute.Tests.Agents.Claude;

/// <summary>The folders of one test's turns: workspace, state, home and temp, under one temporary root.</summary>
public sealed class ClaudeFolders : IDisposable
{
    public const string ApiKey = "sk-ant-standin-dummy";

    private readonly string _root = Directory.CreateTempSubdirectory("claude-").FullName;

    public ClaudeFolders()
    {
        foreach (var folder in new[] { Workspace, State, Home, Temp })
        {
            Directory.CreateDirectory(folder);
        }
    }

    public string Workspace => Path.Combine(_root, "workspace");

    public string State => Path.Combine(_root, "state");

    public string Home => Path.Combine(_root, "home");

    public string Temp => Path.Combine(_root, "tmp");

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
