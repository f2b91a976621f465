using System.Security;

namespace Cerver.Relay.Service;

/// <summary>
/// Renders <c>ai.cerver.relay.plist</c> from its template, XML-escaping every value: a LaunchAgent,
/// or with <see cref="ServiceDefinition.Account"/> a LaunchDaemon that runs as that account (<c>UserName</c>, its HOME).
/// </summary>
public static class LaunchdPlist
{
    public const string Label = "ai.cerver.relay";
    public const string FileName = Label + ".plist";

    public static string Render(ServiceDefinition definition)
    {
        definition.Validate();
        var plist = ServiceTemplates.Fill(ServiceTemplates.Load(ServiceTemplates.LaunchdPlist), new Dictionary<string, string>
        {
            ["PROGRAM"] = Escape(definition.Executable),
            ["CERVER_HOME"] = Escape(definition.CerverHome),
            ["STDOUT_PATH"] = Escape(Path.Combine(definition.LogsDirectory, "launchd.out.log")),
            ["STDERR_PATH"] = Escape(Path.Combine(definition.LogsDirectory, "launchd.err.log")),
        });
        if (definition.Account is not { } account)
        {
            return plist;
        }

        plist = Insert(plist, "<key>RunAtLoad</key>", $"<key>UserName</key>\n  <string>{Escape(account.Name)}</string>\n  ");
        plist = Insert(plist, "<key>CERVER_SERVICE</key>", $"<key>HOME</key>\n    <string>{Escape(account.Home)}</string>\n    ");
        return plist.Replace("as a LaunchAgent.", "as a LaunchDaemon.", StringComparison.Ordinal)
            .Replace("~/Library/LaunchAgents/", "/Library/LaunchDaemons/", StringComparison.Ordinal)
            .Replace("'cerver-relay service install'", "'cerver-relay service install' (system, as root)", StringComparison.Ordinal);
    }

    private static string Insert(string plist, string before, string text)
    {
        var at = plist.IndexOf(before, StringComparison.Ordinal);
        return at < 0 ? throw new InvalidOperationException($"the launchd template has no {before}.") : plist.Insert(at, text);
    }

    private static string Escape(string value) => SecurityElement.Escape(value);
}
