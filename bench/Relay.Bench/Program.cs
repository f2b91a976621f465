using System.Runtime.InteropServices;

namespace Cerver.Relay.Bench;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException exception)
        {
            await Console.Error.WriteLineAsync($"relay-bench: {exception.Message}");
            return 2;
        }

        if (options.ShowHelp)
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }

        // Ctrl+C and SIGTERM cancel the run instead of ending the process, so the daemons are
        // killed and the temporary homes deleted on the way out.
        using var stop = new CancellationTokenSource();
        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        try
        {
            return await new BenchRunner(options, Console.Out, Console.Error).RunAsync(stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("\nrelay-bench: interrupted; the daemons were stopped and their homes deleted.");
            return 130;
        }
        catch (BenchException exception)
        {
            await Console.Error.WriteLineAsync($"\nrelay-bench: {exception.Message}");
            return 1;
        }
    }
}
