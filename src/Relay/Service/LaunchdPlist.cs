using System.Security;

namespace Cerver.Relay.Service;

/// <summary>Renders the LaunchAgent <c>ai.cerver.relay.plist</c> from its template, XML-escaping every value.</summary>
public static class LaunchdPlist
{
    public const string Label = "ai.cerver.relay";
    public const string FileName = Label + ".plist";

    public static string Render(ServiceDefinition definition)
    {
        definition.Validate();
        return ServiceTemplates.Fill(ServiceTemplates.Load(ServiceTemplates.LaunchdPlist), new Dictionary<string, string>
        {
            ["PROGRAM"] = Escape(definition.Executable),
            ["CERVER_HOME"] = Escape(definition.CerverHome),
            ["STDOUT_PATH"] = Escape(Path.Combine(definition.LogsDirectory, "launchd.out.log")),
            ["STDERR_PATH"] = Escape(Path.Combine(definition.LogsDirectory, "launchd.err.log")),
        });
    }

    private static string Escape(string value) => SecurityElement.Escape(value);
}
