namespace Cerver.Relay.Compute.Isolation;

/// <summary>
/// Why bubblewrap cannot make its namespaces here, read from the kernel settings the common
/// distributions use to switch unprivileged user namespaces off, each with its fix.
/// </summary>
public static class UserNamespaceDiagnosis
{
    public const string InstallFix =
        "install bubblewrap: sudo apt-get install bubblewrap (Debian, Ubuntu), sudo dnf install bubblewrap (Fedora, RHEL), " +
        "sudo pacman -S bubblewrap (Arch), sudo zypper install bubblewrap (openSUSE), sudo apk add bubblewrap (Alpine)";

    /// <summary>Each setting that blocks an unprivileged user namespace, with what to do; empty when none does.</summary>
    public static IReadOnlyList<string> Problems(Func<string, string?>? readSetting = null)
    {
        readSetting ??= Read;
        var problems = new List<string>();
        if (readSetting("/proc/sys/user/max_user_namespaces") == "0")
        {
            problems.Add("user namespaces are switched off (user.max_user_namespaces = 0): sudo sysctl -w user.max_user_namespaces=15000, " +
                "and keep it in /etc/sysctl.d/99-userns.conf");
        }

        if (readSetting("/proc/sys/kernel/unprivileged_userns_clone") == "0")
        {
            problems.Add("unprivileged user namespaces are switched off (kernel.unprivileged_userns_clone = 0, older Debian kernels): " +
                "sudo sysctl -w kernel.unprivileged_userns_clone=1, and keep it in /etc/sysctl.d/99-userns.conf");
        }

        if (readSetting("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1")
        {
            problems.Add("AppArmor restricts unprivileged user namespaces (Ubuntu 23.10 and later): give bwrap a profile that allows them " +
                "(/etc/apparmor.d/bwrap with 'abi <abi/4.0>, include <tunables/global> profile bwrap /usr/bin/bwrap flags=(unconfined) { userns, }', " +
                "then sudo systemctl reload apparmor), or sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0");
        }

        return problems;
    }

    private static string? Read(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
