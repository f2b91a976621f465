using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Cerver.Relay.Cli;

/// <summary>The relays that log in to this machine as their gateway: waiting codes, issued keys, approve, deny, revoke.</summary>
public static class DevicesCommand
{
    public static Command Create()
    {
        var listJson = JsonOption();
        var list = new Command("list", "Show logins waiting for approval and the keys issued to relays.") { listJson };
        list.SetAction((parse, cancellationToken) => ListAsync(parse.GetValue(listJson), cancellationToken));
        var json = JsonOption();

        // 'devices' alone lists: what is waiting is what one wants to see before approving anything.
        var devices = new Command("devices", "Approve, deny and revoke relays that use this machine as their gateway (alone: list them).")
        {
            json,
            list,
            Decision("approve", "Approve a waiting login by its code (as the relay printed it; dash and case do not matter).", "approved"),
            Decision("deny", "Deny a waiting login by its code.", "denied"),
            Revoke(),
        };
        devices.SetAction((parse, cancellationToken) => ListAsync(parse.GetValue(json), cancellationToken));
        return devices;
    }

    private static Option<bool> JsonOption() => new("--json") { Description = "Print JSON (stable for scripts)." };

    private static Task<int> ListAsync(bool json, CancellationToken cancellationToken) => DaemonClient.RunAsync(async client =>
    {
        var devices = await client.GetJsonAsync("/relay/devices", cancellationToken);
        if (json)
        {
            Console.WriteLine(devices.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Ok;
        }

        var pending = devices["pending"]!.AsArray();
        Console.WriteLine(pending.Count == 0 ? "No login is waiting for approval." : "Waiting for approval (cerver-relay devices approve CODE):");
        foreach (var device in pending)
        {
            Console.WriteLine($"  {device!["user_code"]}  {device["machine_name"]}  expires {CliOutput.When(device["expires_at"])}");
        }

        var keys = devices["keys"]!.AsArray();
        Console.WriteLine();
        Console.WriteLine(keys.Count == 0 ? "No keys issued yet." : $"{"KEY",-24} {"STATUS",-8} {"MACHINE",-24} {"CREATED",-19}  LAST USED");
        foreach (var key in keys)
        {
            Console.WriteLine($"{key!["key_id"],-24} {key["status"],-8} {key["machine_name"],-24} {CliOutput.When(key["created_at"]),-19}  {CliOutput.When(key["last_used_at"])}");
        }

        return ExitCodes.Ok;
    });

    private static Command Decision(string verb, string description, string done)
    {
        var code = new Argument<string>("code") { Description = "The user code, e.g. BCDF-GHJK." };
        var command = new Command(verb, description) { code };
        command.SetAction((parse, cancellationToken) => DaemonClient.RunAsync(async client =>
        {
            var decided = await client.SendJsonAsync(HttpMethod.Post, $"/relay/devices/{verb}", new JsonObject { ["user_code"] = parse.GetValue(code) }, cancellationToken);
            Console.WriteLine($"{done[..1].ToUpperInvariant()}{done[1..]} {decided["machine_name"]} ({decided["user_code"]}).");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<string>("id") { Description = "The key id (key_…), from 'cerver-relay devices list'." };
        var command = new Command("revoke", "Revoke a relay's key; it is refused from its next request on.") { id };
        command.SetAction((parse, cancellationToken) => DaemonClient.RunAsync(async client =>
        {
            var key = await client.SendJsonAsync(HttpMethod.Delete, $"/relay/devices/{Uri.EscapeDataString(parse.GetValue(id)!)}", null, cancellationToken);
            Console.WriteLine($"Revoked {key["key_id"]} ({key["machine_name"]}).");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
