using Cerver.Relay.Link;

namespace Cerver.Relay.Tests.Link;

/// <summary>A link target known up front, for tests of the link itself rather than of login and registration.</summary>
internal sealed class FixedLinkTarget(LinkTarget target) : ILinkTargetSource
{
    public Task<LinkTarget> WhenReadyAsync(CancellationToken cancellationToken) => Task.FromResult(target);
}
