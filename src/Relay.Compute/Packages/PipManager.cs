namespace Cerver.Relay.Compute.Packages;

/// <summary>
/// pip into the workspace's <c>.venv</c>. The fetch phase makes a virtual environment of its
/// own with the system python and builds wheels of everything asked for (a source package's
/// build runs there, unable to see the workspace); the offline phase installs those wheels
/// with no index. The shell scripts take every value as an argument, never spliced in.
/// </summary>
public sealed class PipManager(string shell, string python) : IPackageManager
{
    private const string Pip = "-m pip install --disable-pip-version-check --no-input";

    public bool IsLocal(string spec) => PackageSpecs.IsLocalForPython(spec);

    public ManagerCommand Direct(IReadOnlyList<string> packages) =>
        new(shell, ["-c", $"[ -x .venv/bin/python ] || \"$0\" -m venv .venv && exec .venv/bin/python {Pip} \"$@\"", python, .. packages]);

    public ManagerCommand Fetch(InstallStaging staging, IReadOnlyList<string> packages) =>
        new(shell, ["-c", "venv=$1 wheels=$2; shift 2; \"$0\" -m venv \"$venv\" && exec \"$venv/bin/python\" -m pip wheel --isolated --disable-pip-version-check --no-input --wheel-dir \"$wheels\" \"$@\"",
            python, staging.PythonEnvironment, staging.Wheels, .. packages])
        {
            // With this value pip loads no config file at all; --isolated drops PIP_* variables.
            Environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["PIP_CONFIG_FILE"] = "/dev/null" },
        };

    public ManagerCommand Offline(InstallStaging staging, IReadOnlyList<string> packages) =>
        new(shell, ["-c", $"wheels=$1; shift; mkdir -p \"$wheels\" && {{ [ -x .venv/bin/python ] || \"$0\" -m venv .venv; }} && exec .venv/bin/python {Pip} --no-index --find-links \"$wheels\" \"$@\"",
            python, staging.Wheels, .. packages]);
}
