using System.Xml;
using System.Xml.Linq;
using Cerver.Relay.Tests.Infrastructure;

namespace Cerver.Relay.Tests.Service;

/// <summary>Reads what the service generators wrote: a plist's keys, and systemd's own verdict on a unit.</summary>
internal static class GeneratedDefinitions
{
    /// <summary>The top-level dictionary of a plist, key to value element.</summary>
    public static Dictionary<string, XElement> PlistValues(string plist)
    {
        using var reader = XmlReader.Create(new StringReader(plist), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return Pairs(XDocument.Load(reader).Root!.Element("dict")!);
    }

    /// <summary>The keys and values of a plist <c>dict</c> element.</summary>
    public static Dictionary<string, XElement> Pairs(XElement dict)
    {
        var elements = dict.Elements().ToList();
        return Enumerable.Range(0, elements.Count / 2).ToDictionary(i => elements[2 * i].Value, i => elements[2 * i + 1]);
    }

    /// <summary>A <c>bin/cerver-relay</c> under <paramref name="home"/> that systemd can check (a link to <c>/bin/true</c>).</summary>
    public static string ExecutableBinary(string home)
    {
        var binary = Path.Combine(home, "bin", "cerver-relay");
        Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
        File.CreateSymbolicLink(binary, "/bin/true");
        return binary;
    }

    /// <summary>
    /// <c>systemd-analyze verify</c> of a unit file. A user unit needs a runtime directory to set up
    /// a user manager; a private one is enough here (without it the container has none and the tool
    /// cannot start).
    /// </summary>
    public static Task<ChildProcess.Result> VerifyAsync(string scratch, string unitPath, bool user)
    {
        var runtime = Path.Combine(scratch, "runtime");
        Directory.CreateDirectory(runtime, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string[] arguments = user ? ["--user", "--man=no", "verify", unitPath] : ["--man=no", "verify", unitPath];
        return ChildProcess.RunAsync("systemd-analyze", arguments, TimeSpan.FromSeconds(60), new Dictionary<string, string?> { ["XDG_RUNTIME_DIR"] = runtime });
    }
}
