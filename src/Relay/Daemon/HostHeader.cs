using System.Globalization;

namespace Cerver.Relay.Daemon;

/// <summary>
/// A <c>Host</c> header split into its name and port. Kestrel passes a header such as
/// <c>localhost:99999</c> through unchecked, and anything that builds a URL from it would
/// throw; the guard refuses such a header as bad input before any endpoint sees it.
/// </summary>
public readonly record struct HostHeader(string Name, int? Port)
{
    public static bool TryParse(string? value, out HostHeader host)
    {
        host = default;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        string name;
        string? port;
        if (value.StartsWith('['))
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            name = value[..(close + 1)];
            var rest = value[(close + 1)..];
            if (rest.Length > 0 && rest[0] != ':')
            {
                return false;
            }

            port = rest.Length > 0 ? rest[1..] : null;
        }
        else
        {
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && value.IndexOf(':', colon + 1) >= 0)
            {
                return false;
            }

            name = colon < 0 ? value : value[..colon];
            port = colon < 0 ? null : value[(colon + 1)..];
        }

        if (name.Length == 0)
        {
            return false;
        }

        if (port is null)
        {
            host = new HostHeader(name, null);
            return true;
        }

        if (port.Length is 0 or > 5 || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            return false;
        }

        host = new HostHeader(name, number);
        return true;
    }
}
