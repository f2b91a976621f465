namespace Cerver.Relay.Link;

/// <summary>
/// The account key this daemon holds now. One given in the environment stays for the daemon's
/// life; one from <c>cerver.env</c> follows <c>login</c> and <c>logout</c>, as the registration
/// loop reads the file again before each heartbeat. The local API accepts this key as the owner's.
/// </summary>
public sealed class AccountKey(string? initial)
{
    private volatile string? _current = initial;

    public string? Current
    {
        get => _current;
        set => _current = value;
    }
}
