using System.Diagnostics;
using Cerver.Relay.Compute.Runtimes;

namespace Cerver.Relay.Login;

/// <summary>Opens a URL in the user's browser where there is one: always on macOS, on Linux only with a display.</summary>
public static class BrowserLauncher
{
    public static bool CanOpen(IReadOnlyDictionary<string, string?> environment) =>
        OperatingSystem.IsMacOS()
        || (OperatingSystem.IsLinux()
            && (!string.IsNullOrEmpty(environment.GetValueOrDefault("DISPLAY")) || !string.IsNullOrEmpty(environment.GetValueOrDefault("WAYLAND_DISPLAY")))
            && ExecutableSearch.Find("xdg-open") is not null);

    /// <summary>Starts the opener and does not wait for it; false when it could not start.</summary>
    public static bool TryOpen(Uri url)
    {
        var info = new ProcessStartInfo(OperatingSystem.IsMacOS() ? "open" : "xdg-open")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(url.ToString());
        try
        {
            using var process = Process.Start(info);
            return process is not null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
