using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cerver.Relay.Configuration;
using Cerver.Relay.Login;

namespace Cerver.Relay.Cli;

/// <summary>
/// <c>cerver-relay dashboard [--no-open] [--json]</c>: asks this home's daemon for a one-time
/// sign-in link to its dashboard (good for one use within two minutes), prints it, and opens it in
/// the browser where there is one.
/// </summary>
public static class DashboardCommand
{
    // The expiry's '+' stays a '+' for people reading the JSON.
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var noOpen = new Option<bool>("--no-open") { Description = "Only print the link; do not open a browser." };
        var json = new Option<bool>("--json") { Description = "Print {url, expires_at, opened} as JSON." };
        var command = new Command("dashboard", "Open the daemon's dashboard in the browser with a one-time sign-in link (valid 2 minutes).") { noOpen, json };
        command.SetAction((parse, cancellationToken) => DaemonClient.RunAsync(async client =>
        {
            var link = await client.SendJsonAsync(HttpMethod.Post, "/relay/dashboard/login-links", null, cancellationToken);
            var url = new Uri(link["url"]!.GetValue<string>());
            var opened = !parse.GetValue(noOpen) && BrowserLauncher.CanOpen(RelaySettingsLoader.ProcessEnvironment()) && BrowserLauncher.TryOpen(url);
            if (parse.GetValue(json))
            {
                link["opened"] = opened;
                Console.WriteLine(link.ToJsonString(Relaxed));
                return ExitCodes.Ok;
            }

            Console.WriteLine(url);
            Console.WriteLine(opened
                ? "(opened in your browser; the link works once, for 2 minutes)"
                : "Open this link in a browser on this machine; it works once, for 2 minutes.");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
