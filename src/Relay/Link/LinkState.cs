namespace Cerver.Relay.Link;

/// <summary>What <c>status</c> says about the link: connected since when, or offline since when and why.</summary>
public sealed class LinkState(TimeProvider time)
{
    private readonly Lock _lock = new();
    private LinkSnapshot _current = new(LinkStatus.NotLinked, null, null, null, 0);

    public LinkSnapshot Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    public void Connecting(Uri gateway)
    {
        lock (_lock)
        {
            // Dialing is still offline; "offline since" keeps the moment the link was first missing.
            _current = _current.Status == LinkStatus.NotLinked
                ? _current with { Gateway = gateway, Status = LinkStatus.Offline, Since = time.GetUtcNow() }
                : _current with { Gateway = gateway };
        }
    }

    public void Connected()
    {
        lock (_lock)
        {
            _current = _current with { Status = LinkStatus.Connected, Since = time.GetUtcNow(), LastError = null, Attempts = 0 };
        }
    }

    public void Lost(string reason)
    {
        lock (_lock)
        {
            _current = _current with
            {
                Status = LinkStatus.Offline,
                Since = _current.Status == LinkStatus.Offline ? _current.Since : time.GetUtcNow(),
                LastError = reason,
                Attempts = _current.Attempts + 1,
            };
        }
    }
}

public enum LinkStatus
{
    NotLinked,
    Connected,
    Offline,
}

public sealed record LinkSnapshot(LinkStatus Status, Uri? Gateway, DateTimeOffset? Since, string? LastError, int Attempts);
