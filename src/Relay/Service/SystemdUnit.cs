using System.Text;

namespace Cerver.Relay.Service;

/// <summary>Renders <c>cerver-relay.service</c> from its template, quoting every value the way systemd reads it.</summary>
public static class SystemdUnit
{
    public const string FileName = "cerver-relay.service";

    public static string Render(ServiceDefinition definition)
    {
        definition.Validate();
        return ServiceTemplates.Fill(ServiceTemplates.Load(ServiceTemplates.SystemdUnit), new Dictionary<string, string>
        {
            ["EXEC_START"] = $"{Quote(definition.Executable, isCommandLine: true)} run",
            ["ENV_CERVER_HOME"] = Quote($"CERVER_HOME={definition.CerverHome}", isCommandLine: false),
        });
    }

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
