using System.Text.RegularExpressions;
using Cerver.Relay.Compute.Contract;

namespace Cerver.Relay.Compute.Processes;

/// <summary>
/// Builds a sandboxed process's environment from nothing: PATH, HOME = the workspace, LANG,
/// a private TMPDIR, the sandbox id, then the sandbox's and the run's own variables. The
/// relay's variables — above all its keys — are never copied in.
/// </summary>
public sealed partial class SandboxEnvironmentBuilder
{
    public const string SandboxIdVariable = "CERVER_SANDBOX_ID";

    private static readonly string[] SystemPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    private readonly Dictionary<string, string> _variables = new(StringComparer.Ordinal);
    private readonly List<string> _path = [];

    public SandboxEnvironmentBuilder(string sandboxId, string workspace, string temporaryDirectory)
    {
        _variables["HOME"] = workspace;
        _variables["TMPDIR"] = temporaryDirectory;
        _variables["LANG"] = "C.UTF-8";
        _variables["LC_ALL"] = "C.UTF-8";
        _variables["TERM"] = "dumb";
        _variables[SandboxIdVariable] = sandboxId;
        _path.Add(Path.Combine(workspace, ".venv", "bin"));
        _path.Add(Path.Combine(workspace, "node_modules", ".bin"));
    }

    /// <summary>Puts a runtime's folder on PATH ahead of the system folders.</summary>
    public SandboxEnvironmentBuilder AddPathEntry(string directory)
    {
        if (!_path.Contains(directory, StringComparer.Ordinal))
        {
            _path.Add(directory);
        }

        return this;
    }

    /// <summary>Adds caller-supplied variables after checking their names; later calls win.</summary>
    public SandboxEnvironmentBuilder AddVariables(IReadOnlyDictionary<string, string>? variables, string field)
    {
        foreach (var (name, value) in variables ?? new Dictionary<string, string>())
        {
            Validate(name, value, field);
            _variables[name] = value;
        }

        return this;
    }

    public IReadOnlyDictionary<string, string> Build()
    {
        var result = new Dictionary<string, string>(_variables, StringComparer.Ordinal);
        if (!result.ContainsKey("PATH"))
        {
            result["PATH"] = string.Join(':', _path.Concat(SystemPath).Distinct(StringComparer.Ordinal));
        }

        return result;
    }

    public static void Validate(string name, string value, string field)
    {
        if (!VariableName().IsMatch(name))
        {
            throw ComputeException.Invalid($"{field}.{name}", "an environment variable name must match [A-Za-z_][A-Za-z0-9_]*");
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw ComputeException.Invalid($"{field}.{name}", "an environment value cannot contain a NUL character");
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,255}$")]
    private static partial Regex VariableName();
}
