using System.Text.RegularExpressions;
using Cerver.Relay.Compute.Contract;
using Cerver.Relay.Compute.Runtimes;

namespace Cerver.Relay.Compute.Packages;

/// <summary>
/// Checks an install request and picks its manager. Packages travel as separate arguments,
/// never through a shell's parser, and a name may not start with '-' so it cannot smuggle in
/// an option such as <c>--index-url</c>. Python packages go into the workspace's
/// <c>.venv</c>, which later python runs use.
/// </summary>
public static partial class PackageInstallCommand
{
    public const int MaxPackages = 100;

    public static PackageInstall For(InstallPackageRequest request, string runtime, IReadOnlyDictionary<string, RuntimeInfo> runtimes)
    {
        var manager = (request.Manager ?? DefaultManager(runtime)).ToLowerInvariant();
        var packages = Validate(request.Packages);
        var shell = LanguageCommand.Require(runtimes, "sh", "shell").Executable;
        IPackageManager chosen = manager switch
        {
            "npm" => new NpmManager(Installed(runtimes, "npm", "npm is not installed on this machine; install Node.js (it ships npm) and restart the relay.").Executable),
            "pip" => new PipManager(shell, Installed(runtimes, "python", "pip needs python3, which is not installed on this machine; install Python 3 and restart the relay.").Executable),
            "uv" => new UvManager(shell, Installed(runtimes, "uv", "uv is not installed on this machine; install it (https://docs.astral.sh/uv/) and restart the relay.").Executable),
            _ => throw ComputeException.Invalid("manager", $"'{request.Manager}' is not supported; use npm, pip or uv"),
        };
        return new PackageInstall(chosen, packages);
    }

    private static string DefaultManager(string runtime) => runtime switch
    {
        "node" => "npm",
        "python" => "pip",
        _ => throw ComputeException.Invalid("manager", "is required for a shell sandbox; use npm, pip or uv"),
    };

    private static List<string> Validate(List<string>? packages)
    {
        if (packages is null || packages.Count == 0)
        {
            throw ComputeException.Invalid("packages", "name at least one package");
        }

        if (packages.Count > MaxPackages)
        {
            throw ComputeException.Invalid("packages", $"at most {MaxPackages} packages per call");
        }

        for (var i = 0; i < packages.Count; i++)
        {
            if (packages[i] is null || !PackageSpec().IsMatch(packages[i]))
            {
                throw ComputeException.Invalid($"packages[{i}]", $"'{packages[i]}' is not a package name, version spec or relative path (no spaces, no leading '-')");
            }
        }

        return packages;
    }

    private static RuntimeInfo Installed(IReadOnlyDictionary<string, RuntimeInfo> runtimes, string name, string message) =>
        runtimes.TryGetValue(name, out var runtime) ? runtime
            : throw new ComputeException(ComputeErrorKind.Unprocessable, "manager_not_installed", message);

    [GeneratedRegex(@"^[^\s\-][^\s\x00-\x1f]{0,199}$")]
    private static partial Regex PackageSpec();
}
