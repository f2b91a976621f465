namespace Cerver.Relay.Compute.Packages;

/// <summary>
/// The folder an install of a sandbox without network downloads into: beside the workspace,
/// never inside it, so no run of the sandbox can plant anything there while the download
/// runs with network. It is the fetch phase's only writable folder and its HOME, and the
/// offline phase installs from it. The names below avoid <c>.venv</c> and
/// <c>node_modules</c>, which a sandbox's PATH puts first under its HOME.
/// </summary>
public sealed record InstallStaging(string Root)
{
    public const string Marker = ".install-";

    /// <summary>A fresh, unique staging path for one install of the sandbox whose workspace this is.</summary>
    public static InstallStaging Beside(string workspace) =>
        new(Path.TrimEndingDirectorySeparator(workspace) + Marker + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)));

    public string NpmCache => Path.Combine(Root, "npm-cache");

    /// <summary>Where the fetch phase's npm resolves the tree; its node_modules is thrown away.</summary>
    public string NpmProject => Path.Combine(Root, "npm-project");

    /// <summary>Config files npm is pointed at and that nothing writes: npm reads a missing file as empty.</summary>
    public string NpmUserConfig => Path.Combine(Root, "user.npmrc");

    public string NpmGlobalConfig => Path.Combine(Root, "global.npmrc");

    /// <summary>The fetch phase's own virtual environment, made by the system python.</summary>
    public string PythonEnvironment => Path.Combine(Root, "python-env");

    public string Wheels => Path.Combine(Root, "wheels");

    public string UvCache => Path.Combine(Root, "uv-cache");
}
