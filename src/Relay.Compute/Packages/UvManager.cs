namespace Cerver.Relay.Compute.Packages;

/// <summary>
/// uv into the workspace's <c>.venv</c>. The fetch phase installs into a virtual environment
/// of its own in the staging folder, which fills the staging cache, reading no uv config; the
/// offline phase installs from that cache. Files are copied out of the cache, which is
/// deleted after the install and sits on another mount inside the sandbox.
/// </summary>
public sealed class UvManager(string shell, string uv) : IPackageManager
{
    public bool IsLocal(string spec) => PackageSpecs.IsLocalForPython(spec);

    public ManagerCommand Direct(IReadOnlyList<string> packages) =>
        new(shell, ["-c", "[ -x .venv/bin/python ] || \"$0\" venv --quiet .venv && exec \"$0\" pip install --quiet --python .venv/bin/python \"$@\"", uv, .. packages]);

    public ManagerCommand Fetch(InstallStaging staging, IReadOnlyList<string> packages) =>
        new(shell, ["-c", "venv=$1 cache=$2; shift 2; \"$0\" venv --no-config --quiet --cache-dir \"$cache\" \"$venv\" && exec \"$0\" pip install --no-config --quiet --cache-dir \"$cache\" --python \"$venv/bin/python\" \"$@\"",
            uv, staging.PythonEnvironment, staging.UvCache, .. packages]);

    public ManagerCommand Offline(InstallStaging staging, IReadOnlyList<string> packages) =>
        new(shell, ["-c", "cache=$1; shift; { [ -x .venv/bin/python ] || \"$0\" venv --offline --quiet --cache-dir \"$cache\" .venv; } && exec \"$0\" pip install --offline --quiet --cache-dir \"$cache\" --link-mode copy --python .venv/bin/python \"$@\"",
            uv, staging.UvCache, .. packages]);
}
