using System.CommandLine;
using System.Text.Json.Nodes;

namespace Cerver.Relay.Cli;

public static class DoctorCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the checks as JSON (stable for scripts)." };
        var command = new Command("doctor", "Check this machine for what the relay needs, with a fix for each problem.") { json };
        command.SetAction(async (parse, _) =>
        {
            if (!CliSettings.TryLoad(out var settings))
            {
                return ExitCodes.Failed;
            }

            var checks = await DoctorChecks.RunAllAsync(settings);
            var failures = checks.Count(check => check.Verdict == Verdict.Fail);
            var warnings = checks.Count(check => check.Verdict == Verdict.Warn);
            if (parse.GetValue(json))
            {
                Console.WriteLine(ToJson(checks).ToJsonString(CliJson.Options));
                return failures == 0 ? ExitCodes.Ok : ExitCodes.Failed;
            }

            var width = checks.Max(check => check.Name.Length) + 2;
            foreach (var check in checks)
            {
                var mark = check.Verdict switch { Verdict.Ok => "ok  ", Verdict.Warn => "warn", _ => "FAIL" };
                Console.WriteLine($"{mark}  {check.Name.PadRight(width)}{Indent(check.Detail, width)}");
                if (check.Fix is not null && check.Verdict != Verdict.Ok)
                {
                    Console.WriteLine($"      {"".PadRight(width)}fix: {check.Fix}");
                }
            }

            Console.WriteLine();
            Console.WriteLine(failures == 0
                ? $"Verdict: ready{(warnings > 0 ? $" ({warnings} warning{(warnings == 1 ? "" : "s")})" : "")}."
                : $"Verdict: {failures} problem{(failures == 1 ? "" : "s")} to fix before the relay can work well.");
            return failures == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    /// <summary>The stable shape of <c>doctor --json</c> (documented in the README).</summary>
    public static JsonObject ToJson(IReadOnlyList<DoctorCheck> checks)
    {
        var list = new JsonArray();
        foreach (var check in checks)
        {
            list.Add((JsonNode)new JsonObject
            {
                ["name"] = check.Name,
                ["verdict"] = check.Verdict switch { Verdict.Ok => "ok", Verdict.Warn => "warn", _ => "fail" },
                ["detail"] = check.Detail,
                ["fix"] = check.Verdict == Verdict.Ok ? null : check.Fix,
            });
        }

        var failures = checks.Count(check => check.Verdict == Verdict.Fail);
        return new JsonObject
        {
            ["ready"] = failures == 0,
            ["problems"] = failures,
            ["warnings"] = checks.Count(check => check.Verdict == Verdict.Warn),
            ["checks"] = list,
        };
    }

    /// <summary>A detail of several lines keeps its later lines under the first.</summary>
    private static string Indent(string detail, int width) => detail.ReplaceLineEndings("\n" + "".PadRight(6 + width));
}
