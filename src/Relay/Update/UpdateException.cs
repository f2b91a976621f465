namespace Cerver.Relay.Update;

/// <summary>An update that cannot go ahead; the message says why and what to do, and nothing installed was changed.</summary>
public sealed class UpdateException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>What kind of failure it is, for the CLI's exit code.</summary>
    public UpdateFailure Kind { get; init; } = UpdateFailure.Refused;
}

public enum UpdateFailure
{
    /// <summary>A check or the release itself said no (signature, checksum, version, disk…).</summary>
    Refused,

    /// <summary>There is nowhere to look: no repository, or the relay is not installed under CERVER_HOME.</summary>
    NotConfigured,

    /// <summary>GitHub's API (or CERVER_GITHUB_API_URL) could not be reached or did not answer in time.</summary>
    Unreachable,
}
