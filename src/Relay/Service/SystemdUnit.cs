using System.Text;

namespace Cerver.Relay.Service;

/// <summary>Renders <c>cerver-relay.service</c> from its template, quoting every value the way systemd reads it.</summary>
public static class SystemdUnit
{
    public const string FileName = "cerver-relay.service";

    /// <summary>A user unit as the template is; a system unit (<see cref="ServiceDefinition.Account"/> set) runs as that account, after the network, at boot.</summary>
    public static string Render(ServiceDefinition definition)
    {
        definition.Validate();
        var unit = ServiceTemplates.Fill(ServiceTemplates.Load(ServiceTemplates.SystemdUnit), new Dictionary<string, string>
        {
            ["EXEC_START"] = $"{Quote(definition.Executable, isCommandLine: true)} run",
            ["ENV_CERVER_HOME"] = Quote($"CERVER_HOME={definition.CerverHome}", isCommandLine: false),
        });
        return definition.Account is { } account ? AsSystemUnit(unit, account) : unit;
    }

    /// <summary>
    /// The template's comments speak of the user unit, so they are replaced by one of the system
    /// unit's own; the rest is the same unit with the account, the network ordering and the boot target.
    /// </summary>
    private static string AsSystemUnit(string unit, ServiceAccount account)
    {
        var body = string.Join('\n', unit.Split('\n').Where(line => !line.StartsWith('#')));
        body = Insert(body, "[Unit]\n", "Wants=network-online.target\nAfter=network-online.target\n");
        body = Insert(body, "[Service]\n", $"User={account.Name}\nEnvironment={Quote($"HOME={account.Home}", isCommandLine: false)}\n");
        body = Replace(body, "WantedBy=default.target", "WantedBy=multi-user.target");
        return "# cerver-relay as a systemd system service, written by 'cerver-relay service install --system'\n" +
               $"# to {SystemdService.SystemUnitDirectory}/{FileName}. It starts at boot and runs as {account.Name};\n" +
               "# its console output goes to the journal (journalctl -u cerver-relay).\n" + body;
    }

    private static string Insert(string unit, string after, string lines)
    {
        var at = unit.IndexOf(after, StringComparison.Ordinal);
        return at < 0
            ? throw new InvalidOperationException($"the systemd template has no '{after.Trim()}' line.")
            : unit.Insert(at + after.Length, lines);
    }

    private static string Replace(string unit, string line, string replacement) =>
        unit.Contains(line, StringComparison.Ordinal)
            ? unit.Replace(line, replacement, StringComparison.Ordinal)
            : throw new InvalidOperationException($"the systemd template has no '{line}' line.");

    /// <summary>
    /// A double-quoted word: backslash and quote escaped, <c>%</c> doubled (specifiers), and on
    /// command lines <c>$</c> doubled (variable expansion), so a path is taken literally.
    /// </summary>
    public static string Quote(string value, bool isCommandLine)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '%' => "%%",
                '$' when isCommandLine => "$$",
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }
}
