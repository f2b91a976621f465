namespace Cerver.Relay.Update;

/// <summary>Fetches release assets over HTTP (the browser download URLs, which redirect to storage, not the API).</summary>
public sealed class AssetDownloader(HttpClient http)
{
    /// <summary>Largest SHA256SUMS or signature accepted; both are a few hundred bytes.</summary>
    private const int MaxSmallAsset = 64 * 1024;

    public async Task<byte[]> GetSmallAsync(ReleaseAsset asset, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream();
        await CopyAsync(asset, stream, SilentProgress.Instance, MaxSmallAsset, cancellationToken);
        return stream.ToArray();
    }

    /// <summary>Streams an asset into <paramref name="destination"/>, failing when fewer bytes arrive than announced.</summary>
    public async Task CopyAsync(ReleaseAsset asset, Stream destination, IDownloadProgress progress, long? maxBytes, CancellationToken cancellationToken)
    {
        long received = 0;
        var started = false;
        try
        {
            using var response = await http.GetAsync(asset.DownloadUrl, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new UpdateException($"downloading {asset.Name} failed: {asset.DownloadUrl} answered {(int)response.StatusCode}. Nothing was changed; try again later.");
            }

            started = true;
            var expected = response.Content.Headers.ContentLength;
            progress.Start(asset.Name, expected);
            await using var source = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[81920];
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                received += read;
                if (received > maxBytes)
                {
                    throw new UpdateException($"{asset.Name} is larger than the {maxBytes} bytes it may have; the release is not as expected. Nothing was changed.");
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                progress.Advance(received);
            }

            if (expected is { } length && received != length)
            {
                throw Truncated(asset, received, length);
            }

            await destination.FlushAsync(cancellationToken);
            progress.Finish();
        }
        catch (HttpRequestException exception) when (!started)
        {
            throw new UpdateException($"downloading {asset.Name} failed ({exception.Message}). Nothing was changed; try again later.", exception);
        }
        catch (IOException exception) when (IsDiskFull(exception))
        {
            throw new UpdateException($"the disk is full: {asset.Name} could not be saved. Free some space and try again; nothing was changed.", exception);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            throw new UpdateException($"the download of {asset.Name} broke off after {received} bytes ({exception.Message}): it is incomplete. Nothing was changed; try again later.", exception);
        }
    }

    /// <summary>ENOSPC on Unix (errno 28) or ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.</summary>
    public static bool IsDiskFull(IOException exception) =>
        (exception.HResult & 0xFFFF) is 28 or 0x70 or 0x27;

    private static UpdateException Truncated(ReleaseAsset asset, long received, long expected) =>
        new($"the download of {asset.Name} is incomplete ({received} of {expected} bytes). Nothing was changed; try again later.");
}
