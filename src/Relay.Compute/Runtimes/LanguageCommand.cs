using Cerver.Relay.Compute.Contract;

namespace Cerver.Relay.Compute.Runtimes;

/// <summary>Turns a run's <c>code</c> and <c>language</c> into the program and arguments to start.</summary>
public static class LanguageCommand
{
    /// <summary>
    /// Linux refuses a single argument over 128 KiB; larger programs belong in a file written
    /// with <c>PUT /files</c> and run from there.
    /// </summary>
    public const int MaxCodeBytes = 120 * 1024;

    public static readonly IReadOnlyList<string> Languages = ["shell", "sh", "bash", "node", "javascript", "python", "python3"];

    public static (string FileName, string[] Arguments) For(string? language, string code, string workspace, IReadOnlyDictionary<string, RuntimeInfo> runtimes)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(code) > MaxCodeBytes)
        {
            throw new ComputeException(ComputeErrorKind.TooLarge, "code_too_large",
                $"code: over {MaxCodeBytes / 1024} KiB; write the program to a file with PUT /sandbox/{{id}}/files and run that file.");
        }

        switch (Normalize(language))
        {
            case "shell":
                return (Require(runtimes, "sh", language).Executable, ["-c", code]);
            case "bash":
                return (Require(runtimes, "bash", language).Executable, ["-c", code]);
            case "node":
                return (Require(runtimes, "node", language).Executable, ["-e", code]);
            default:
                var venvPython = Path.Combine(workspace, ".venv", "bin", "python");
                var python = File.Exists(venvPython) ? venvPython : Require(runtimes, "python", language).Executable;
                return (python, ["-c", code]);
        }
    }

    /// <summary>The canonical name of a language or runtime: shell, bash, node or python.</summary>
    public static string Normalize(string? language, string field = "language") => language?.ToLowerInvariant() switch
    {
        null or "" or "shell" or "sh" => "shell",
        "bash" => "bash",
        "node" or "javascript" or "js" => "node",
        "python" or "python3" or "py" => "python",
        _ => throw ComputeException.Invalid(field, $"'{language}' is not supported; use shell, bash, node or python"),
    };

    public static RuntimeInfo Require(IReadOnlyDictionary<string, RuntimeInfo> runtimes, string name, string? asked) =>
        runtimes.TryGetValue(name, out var runtime) ? runtime
            : throw new ComputeException(ComputeErrorKind.Unprocessable, "runtime_not_available",
                $"'{asked ?? name}' needs {name}, which is not installed on this machine (cerver-relay doctor lists what is).");
}
