using Cerver.Relay.Compute.Files.Native;
using Microsoft.Win32.SafeHandles;

namespace Cerver.Relay.Compute.Files;

/// <summary>
/// How a workspace path is opened beneath the workspace's handle: by the kernel in one call
/// where it can (links that stay inside are followed), component by component otherwise
/// (where every link is refused, because only the kernel can follow one safely).
/// </summary>
internal abstract class BeneathResolver
{
    public static readonly BeneathResolver Kernel = new KernelResolver();

    public static readonly BeneathResolver ComponentWise = new ComponentResolver();

    private static readonly Lazy<BeneathResolver> Detected = new(() => KernelResolver.IsAvailable() ? Kernel : ComponentWise);

    /// <summary>The kernel resolver where <c>openat2</c> works (Linux 5.6+ without a seccomp filter denying it), else component-wise.</summary>
    public static BeneathResolver Best => Detected.Value;

    /// <summary>Whether links that stay inside the workspace are followed (else any link is ELOOP).</summary>
    public abstract bool FollowsLinks { get; }

    /// <summary>Opens <paramref name="segments"/> (none: the root itself) beneath <paramref name="root"/>; 0 or the errno.</summary>
    public abstract int TryOpen(SafeFileHandle root, ReadOnlySpan<string> segments, int flags, uint mode, out SafeFileHandle handle);

    private sealed class KernelResolver : BeneathResolver
    {
        public override bool FollowsLinks => true;

        public static bool IsAvailable()
        {
            if (!OperatingSystem.IsLinux() || NativeFile.TryOpen("/", OpenFlags.Current.Folder, out var root) != 0)
            {
                return false;
            }

            using (root)
            {
                // ENOSYS on kernels before 5.6, EPERM or ENOSYS under container seccomp filters.
                var errno = Openat2.TryOpenBeneath(root, ".", OpenFlags.Current.Folder, 0, out var probe);
                probe.Dispose();
                return errno == 0;
            }
        }

        public override int TryOpen(SafeFileHandle root, ReadOnlySpan<string> segments, int flags, uint mode, out SafeFileHandle handle) =>
            Openat2.TryOpenBeneath(root, segments.IsEmpty ? "." : string.Join('/', segments), flags, mode, out handle);
    }

    private sealed class ComponentResolver : BeneathResolver
    {
        private static readonly int NoLinks = OpenFlags.Current.NoFollow | OpenFlags.Current.NoFollowAny;

        public override bool FollowsLinks => false;

        public override int TryOpen(SafeFileHandle root, ReadOnlySpan<string> segments, int flags, uint mode, out SafeFileHandle handle)
        {
            if (segments.IsEmpty)
            {
                return NativeFile.TryOpen(root, ".", flags, mode, out handle);
            }

            SafeFileHandle? folder = null;
            try
            {
                foreach (var segment in segments[..^1])
                {
                    var errno = NativeFile.TryOpen(folder ?? root, segment, OpenFlags.Current.Folder | NoLinks, 0, out var next);
                    if (errno != 0)
                    {
                        errno = LinkAsLoop(errno, folder ?? root, segment);
                        next.Dispose();
                        handle = new SafeFileHandle();
                        return errno;
                    }

                    folder?.Dispose();
                    folder = next;
                }

                var result = NativeFile.TryOpen(folder ?? root, segments[^1], flags | NoLinks, mode, out handle);
                return result == 0 ? 0 : LinkAsLoop(result, folder ?? root, segments[^1]);
            }
            finally
            {
                folder?.Dispose();
            }
        }

        /// <summary>Linux answers O_DIRECTORY|O_NOFOLLOW on a link with ENOTDIR; a link is ELOOP like everywhere else.</summary>
        private static int LinkAsLoop(int errno, SafeFileHandle folder, string segment)
        {
            if (errno != Errno.NotDirectory || NativeFile.TryOpen(folder, segment, OpenFlags.Current.Inspect, 0, out var entry) != 0)
            {
                return errno;
            }

            using (entry)
            {
                return NativeFile.TryStatus(entry, out var status) == 0 && status.IsLink ? Errno.Loop : errno;
            }
        }
    }
}
