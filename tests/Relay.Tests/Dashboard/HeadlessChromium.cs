using Microsoft.Playwright;

namespace Cerver.Relay.Tests.Dashboard;

/// <summary>
/// Debian's Chromium (or CERVER_TEST_CHROMIUM), headless, driven by Playwright's bundled driver:
/// no browser is ever downloaded. CERVER_DASHBOARD_SCREENSHOTS names a folder for the README's pictures.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 900 };

    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("CERVER_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static async Task<HeadlessChromium> LaunchAsync()
    {
        Assert.True(File.Exists(ExecutablePath), $"no Chromium at {ExecutablePath}: install Debian's (apt-get install -y chromium) or set CERVER_TEST_CHROMIUM.");
        // The driver must never fetch a browser of its own.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return new HeadlessChromium(playwright, browser);
    }

    public Task<IBrowserContext> NewContextAsync(ViewportSize? viewport = null) =>
        Browser.NewContextAsync(new() { ViewportSize = viewport ?? Desktop, Locale = "en-GB", TimezoneId = "UTC" });

    /// <summary>Saves a picture of the page when CERVER_DASHBOARD_SCREENSHOTS names a folder.</summary>
    public static async Task ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        if (Environment.GetEnvironmentVariable("CERVER_DASHBOARD_SCREENSHOTS") is not { Length: > 0 } folder)
        {
            return;
        }

        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = fullPage });
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
