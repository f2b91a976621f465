namespace Cerver.Relay.Compute.Files.Native;

/// <summary>The errno values the file calls act on; Linux and macOS number several differently.</summary>
internal static class Errno
{
    private static readonly bool Mac = OperatingSystem.IsMacOS();

    public const int Permission = 1;
    public const int NoEntry = 2;
    public const int Interrupted = 4;
    public const int NoDeviceOrAddress = 6;
    public const int Access = 13;
    public const int Exists = 17;
    public const int CrossDevice = 18;
    public const int NoDevice = 19;
    public const int NotDirectory = 20;
    public const int IsDirectory = 21;
    public const int TextBusy = 26;
    public const int FileTooBig = 27;
    public const int NoSpace = 28;
    public const int ReadOnlyFileSystem = 30;

    public static readonly int Loop = Mac ? 62 : 40;
    public static readonly int NameTooLong = Mac ? 63 : 36;
    public static readonly int NotImplemented = Mac ? 78 : 38;
    public static readonly int Quota = Mac ? 69 : 122;
    public static readonly int NotEmpty = Mac ? 66 : 39;
}
