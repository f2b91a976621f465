using Cerver.Relay.Compute.Contract;

namespace Cerver.Gateway.Embedded.StressTests.Probes;

// A real npm install that needs no network: a tiny package written into the workspace
// and installed from its folder. The metric is the install call alone; writing the
// package first and checking it landed in node_modules afterwards are not timed.
internal sealed class PackageInstallProbe : LiveProbe
{
    public const string PackageName = "cerver-stress-probe";

    private const string PackageJson = $$"""
        {"name": "{{PackageName}}", "version": "1.0.0", "main": "index.js", "license": "MIT"}
        """;

    private const string IndexJs = "module.exports = () => 'ok';\n";

    protected override async Task<ProbeSample> SampleAsync(LiveProbeContext context, SandboxRecord sandbox, long started, CancellationToken cancellationToken)
    {
        var compute = context.Compute;
        await compute.WriteFileAsync(sandbox.SandboxId, new WriteFileRequest { Path = "pkg/package.json", Content = PackageJson }, cancellationToken);
        await compute.WriteFileAsync(sandbox.SandboxId, new WriteFileRequest { Path = "pkg/index.js", Content = IndexJs }, cancellationToken);

        var installing = context.Time.GetTimestamp();
        var install = await compute.InstallPackageAsync(sandbox.SandboxId, new InstallPackageRequest { Manager = "npm", Packages = ["./pkg"] }, cancellationToken);
        var elapsed = context.Time.GetElapsedTime(installing);
        if (install.ExitCode != 0 || install.TimedOut)
        {
            return ProbeSample.FailedRun("npm install", install);
        }

        var check = await compute.RunSandboxAsync(sandbox.SandboxId, Shell($"test -f node_modules/{PackageName}/index.js"), cancellationToken);
        return check.ExitCode == 0 ? ProbeSample.Ok(elapsed) : ProbeSample.Failed($"npm install exited 0 but node_modules/{PackageName} is missing");
    }
}
