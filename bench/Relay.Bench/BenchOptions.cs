using System.Globalization;

namespace Cerver.Relay.Bench;

/// <summary>The command line of <c>relay-bench</c>.</summary>
internal sealed record BenchOptions
{
    public const int DefaultSamples = 200;
    public const int QuickSamples = 30;

    public const int DefaultLoadSessions = 200;
    public const int QuickLoadSessions = 50;
    public const int DefaultLoadCommands = 10;

    public int Samples { get; init; } = DefaultSamples;
    public int Warmup { get; init; } = 20;
    public string? RelayPath { get; init; }
    public string? JsonPath { get; init; }
    public bool ShowHelp { get; init; }

    /// <summary>The parts to run, in <see cref="BenchPart"/> order; all of them unless <c>--only</c> names some.</summary>
    public IReadOnlySet<BenchPart> Parts { get; init; } = new HashSet<BenchPart>(Enum.GetValues<BenchPart>());

    public int LoadSessions { get; init; } = DefaultLoadSessions;
    public int LoadCommands { get; init; } = DefaultLoadCommands;

    public const int DefaultStreamSamples = 5;
    public const int QuickStreamSamples = 3;

    /// <summary>Samples of each 64 MiB stream of the link part: each takes about a second, so few.</summary>
    public int StreamSamples { get; init; } = DefaultStreamSamples;

    public const string Usage = """
        relay-bench: latency and memory of a real cerver-relay daemon against raw baselines.

        usage: dotnet bench/Relay.Bench/bin/Release/net10.0/relay-bench.dll [options]

          --only PARTS         run only these parts, comma-separated (default: all):
                                 compute   sandbox create, run, first streamed byte, idle RSS
                                 sessions  session create, gateway run vs compute run
                                 load      concurrent sessions running commands, daemon RSS
                                 link      a relay logged in to another: run through the dispatch
                                           link vs on the relay itself, 64 MiB stream throughput
                                 limits    timeout answer and delete of a bubblewrap sandbox
                                           holding 1 vs 5,000 processes (at most 3 samples)
                                 hostile   a bounded mix of hostile requests from 200 clients:
                                           peak and after RSS, latencies, 5xx count
                                 agents    agent sessions on bubblewrap: /input to the agent's start
                                           and entry latency with a fake claude (at most 100
                                           samples); a one-turn session of the real claude vs
                                           claude -p run directly (at most 20 samples; installs
                                           claude from npm on first use)
          --samples N          measured samples per measurement (default 200)
          --quick              30 samples, 5 warm-up iterations, 50 load sessions, 3 streams
          --warmup N           warm-up iterations discarded before measuring (default 20)
          --load-sessions N    concurrent sessions of the load part (default 200)
          --load-commands N    commands each load session runs (default 10)
          --stream-samples N   64 MiB streams per side of the link part (default 5)
          --relay PATH         the relay to start (default src/Relay/bin/Release/net10.0/cerver-relay.dll)
          --json FILE          also write the results as JSON
          -h, --help           this text

        Build the relay first: dotnet build src/Relay -c Release
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        int? samples = null;
        int? warmup = null;
        int? loadSessions = null;
        int? streamSamples = null;
        var quick = false;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--samples":
                    samples = Count(args, ref i, min: 1, max: 100_000);
                    break;
                case "--warmup":
                    warmup = Count(args, ref i, min: 0, max: 10_000);
                    break;
                case "--only":
                    options = options with { Parts = ParseParts(Value(args, ref i)) };
                    break;
                case "--load-sessions":
                    loadSessions = Count(args, ref i, min: 1, max: 10_000);
                    break;
                case "--load-commands":
                    options = options with { LoadCommands = Count(args, ref i, min: 1, max: 10_000) };
                    break;
                case "--stream-samples":
                    streamSamples = Count(args, ref i, min: 1, max: 1_000);
                    break;
                case "--quick":
                    quick = true;
                    break;
                case "--relay":
                    options = options with { RelayPath = Value(args, ref i) };
                    break;
                case "--json":
                    options = options with { JsonPath = Value(args, ref i) };
                    break;
                case "-h" or "--help":
                    return options with { ShowHelp = true };
                default:
                    throw new ArgumentException($"unknown option '{args[i]}' (see --help)");
            }
        }

        return options with
        {
            Samples = samples ?? (quick ? QuickSamples : DefaultSamples),
            Warmup = warmup ?? (quick ? 5 : 20),
            LoadSessions = loadSessions ?? (quick ? QuickLoadSessions : DefaultLoadSessions),
            StreamSamples = streamSamples ?? (quick ? QuickStreamSamples : DefaultStreamSamples),
        };
    }

    private static HashSet<BenchPart> ParseParts(string text)
    {
        var parts = new HashSet<BenchPart>();
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            parts.Add(Enum.TryParse<BenchPart>(name, ignoreCase: true, out var part) && Enum.IsDefined(part) && !char.IsDigit(name[0])
                ? part
                : throw new ArgumentException($"--only: '{name}' is not a part; use compute, sessions, load, link, limits, hostile or agents"));
        }

        return parts.Count > 0 ? parts : throw new ArgumentException("--only needs at least one of compute, sessions, load, link, limits, hostile, agents");
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{args[i]} needs a value");
        }

        return args[++i];
    }

    private static int Count(IReadOnlyList<string> args, ref int i, int min, int max)
    {
        var name = args[i];
        var text = Value(args, ref i);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name} must be a whole number from {min} to {max}, not '{text}'");
    }
}

/// <summary>The parts of a run, which <c>--only</c> selects from.</summary>
internal enum BenchPart
{
    Compute,
    Sessions,
    Load,
    Link,
    Limits,
    Hostile,
    Agents,
}
