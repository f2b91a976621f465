using System.CommandLine;
using Cerver.Relay.Configuration;

namespace Cerver.Relay.Cli;

public static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check this machine for what the relay needs, with a fix for each problem.");
        command.SetAction(async (_, _) =>
        {
            if (!CliSettings.TryLoad(out var settings))
            {
                return CliOutput.Failed;
            }

            var checks = await DoctorChecks.RunAllAsync(settings);
            var width = checks.Max(check => check.Name.Length) + 2;
            foreach (var check in checks)
            {
                var mark = check.Verdict switch { Verdict.Ok => "ok  ", Verdict.Warn => "warn", _ => "FAIL" };
                Console.WriteLine($"{mark}  {check.Name.PadRight(width)}{check.Detail}");
                if (check.Fix is not null && check.Verdict != Verdict.Ok)
                {
                    Console.WriteLine($"      {"".PadRight(width)}fix: {check.Fix}");
                }
            }

            var failures = checks.Count(check => check.Verdict == Verdict.Fail);
            var warnings = checks.Count(check => check.Verdict == Verdict.Warn);
            Console.WriteLine();
            Console.WriteLine(failures == 0
                ? $"Verdict: ready{(warnings > 0 ? $" ({warnings} warning{(warnings == 1 ? "" : "s")})" : "")}."
                : $"Verdict: {failures} problem{(failures == 1 ? "" : "s")} to fix before the relay can work well.");
            return failures == 0 ? CliOutput.Ok : CliOutput.Failed;
        });
        return command;
    }
}
