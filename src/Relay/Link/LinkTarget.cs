using System.Text.Json.Nodes;
using Cerver.Gateway.Embedded.Link.Wire;
using Cerver.Relay.Daemon;

namespace Cerver.Relay.Link;

/// <summary>
/// Where and as whom the relay dials its link, and the capabilities its hello repeats:
/// known once the gateway registered this machine.
/// </summary>
public sealed record LinkTarget(Uri Gateway, string ApiKey, string ComputeId, JsonObject Capabilities)
{
    public LinkFrame Hello() => new()
    {
        Type = LinkFrameTypes.Hello,
        ComputeId = ComputeId,
        RelayVersion = RelayVersion.Current,
        Capabilities = Capabilities.DeepClone().AsObject(),
    };

    /// <summary><c>ws(s)://gateway/v2/computes/{id}/link</c>, keeping any path prefix of the gateway URL.</summary>
    public Uri LinkUri
    {
        get
        {
            var builder = new UriBuilder(Gateway) { Scheme = Gateway.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" };
            builder.Path = builder.Path.TrimEnd('/') + $"/v2/computes/{Uri.EscapeDataString(ComputeId)}/link";
            return builder.Uri;
        }
    }
}

/// <summary>Hands the link its target once there is one (after login and registration).</summary>
public interface ILinkTargetSource
{
    Task<LinkTarget> WhenReadyAsync(CancellationToken cancellationToken);
}
