using Cerver.Relay.Compute.Packages;

namespace Cerver.Relay.Compute.Tests.Packages;

public sealed class DownloadEnvironmentTests
{
    [Fact]
    public void Takes_only_the_machines_trust_and_proxy_settings()
    {
        var daemon = new Dictionary<string, string>
        {
            ["NODE_EXTRA_CA_CERTS"] = "/etc/ssl/certs/ca-certificates.crt",
            ["HTTPS_PROXY"] = "http://proxy.internal:3128",
            ["NO_PROXY"] = "",
            ["NODE_OPTIONS"] = "--require /tmp/x.js",
            ["CERVER_API_KEY"] = "ck_secret",
            ["PIP_INDEX_URL"] = "http://elsewhere/simple",
        };

        var taken = DownloadEnvironment.From(name => daemon.GetValueOrDefault(name));

        Assert.Equal(new Dictionary<string, string>
        {
            ["NODE_EXTRA_CA_CERTS"] = "/etc/ssl/certs/ca-certificates.crt",
            ["HTTPS_PROXY"] = "http://proxy.internal:3128",
        }, taken);
    }
}
