namespace Cerver.Relay.Tests.Infrastructure;

/// <summary>Looks for live processes by a marker in their command line (Linux /proc).</summary>
public static class ProcessTable
{
    public static int CountWithArgument(string marker)
    {
        var count = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out _))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                var state = File.ReadAllLines(Path.Combine(directory, "status")).FirstOrDefault(line => line.StartsWith("State:", StringComparison.Ordinal)) ?? "";
                if (cmdline.Contains(marker, StringComparison.Ordinal) && !state.Contains("zombie", StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        return count;
    }

    /// <summary>Waits (bounded) for the processes to disappear; killing and reaping is asynchronous.</summary>
    public static async Task<int> WaitUntilGoneAsync(string marker, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        int count;
        while ((count = CountWithArgument(marker)) > 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }

        return count;
    }
}
