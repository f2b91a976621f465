using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cerver.Relay.Compute.Contract;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cerver.Gateway.Embedded.Http;

/// <summary>
/// Reads a JSON request body into a wire type, turning every way it can be wrong — not JSON,
/// a field of the wrong type, too deep, too large — into a refusal that names the field. A large
/// body waits for a turn (<see cref="LargeBodyGate"/>) and is read into one array of its own
/// size, not into pooled buffers the process would keep; the parser then reads that array.
/// A body over the cap is read to its end and thrown away before the refusal is sent
/// (<see cref="OverCapDrainBytes"/>), so the client reads a 413 rather than a broken pipe.
/// </summary>
public static class JsonBody
{
    /// <summary>The top-level fields meant to carry bulk text (file content, code, input, a task's prompt); every other string is a name, a path or a setting.</summary>
    private static readonly HashSet<string> BulkFields = new(StringComparer.Ordinal) { "content", "code", "stdin", "task" };

    /// <summary>No name, path or setting is this long; one that is would be copied (UTF-16, full paths, messages) many times over before anything refused it.</summary>
    public const int MaxPlainStringBytes = 64 * 1024;

    private const int MaxFieldNameBytes = 64;

    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, bool allowEmpty = false)
        where T : new()
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && !request.Body.CanSeek && request.Headers.TransferEncoding.Count == 0))
        {
            return allowEmpty ? new T() : throw ComputeException.Invalid("body", "a JSON object is required");
        }

        if (request.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ComputeException(ComputeErrorKind.InvalidInput, "unsupported_media_type", $"body: send JSON (Content-Type: application/json), not '{contentType}'.");
        }

        var sizeLimit = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (request.ContentLength is { } declared && declared > sizeLimit?.MaxRequestBodySize)
        {
            await DrainDeclaredAsync(request, sizeLimit, declared);
            throw TooLarge(null);
        }

        try
        {
            T? value;
            if (request.ContentLength is null)
            {
                // A body of unknown length (chunked) is read before it is judged: a small one
                // never waits, and only one that turns out large takes a turn.
                value = JsonSerializer.Deserialize((await ReadUnknownLengthAsync(request)).Span, typeInfo);
            }
            else
            {
                await EnterLargeBodyTurnAsync(request, request.ContentLength.Value);
                value = request.ContentLength is { } length and > LargeBodyGate.SmallBodyBytes
                    ? JsonSerializer.Deserialize(RefuseLongPlainStrings(await ReadExactlyAsync(request, length)).Span, typeInfo)
                    : await JsonSerializer.DeserializeAsync(request.Body, typeInfo, request.HttpContext.RequestAborted);
            }

            return value ?? (allowEmpty ? new T() : throw ComputeException.Invalid("body", "a JSON object is required, not null"));
        }
        catch (JsonException exception)
        {
            throw Describe(exception);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(exception);
        }
    }

    /// <summary>
    /// The turn lasts as long as the request: what the handler makes of a large body (its
    /// strings, the bytes it writes) is as large as the body, and is garbage only at the end.
    /// </summary>
    private static async Task<IDisposable> EnterLargeBodyTurnAsync(HttpRequest request, long length)
    {
        var turn = await LargeBodyGate.EnterAsync(length, request.HttpContext.RequestAborted)
            ?? throw new ComputeException(ComputeErrorKind.Busy, "busy", "body: too many large requests at once; retry in a few seconds.");
        request.HttpContext.Response.RegisterForDispose(turn);
        return turn;
    }

    /// <summary>
    /// How far past the cap a refused body is still read, and thrown away, before the 413 goes
    /// out. A client writes its whole body before it reads the answer (HttpClient does; Kestrel
    /// itself does not drain a body over the cap), so closing the connection while the body is
    /// still arriving breaks its write and it never learns why. Draining costs the daemon
    /// loopback bandwidth and no memory; a body larger still gets a closed connection.
    /// </summary>
    public const long OverCapDrainBytes = 32 * 1024 * 1024;

    /// <summary>
    /// A declared length over the cap: nothing is read yet, so Kestrel's cap can be lifted to the
    /// declared length for the drain. A client that asked to continue first has sent nothing and
    /// must not be invited to; a length past the allowance is not worth reading.
    /// </summary>
    private static async Task DrainDeclaredAsync(HttpRequest request, IHttpMaxRequestBodySizeFeature sizeLimit, long declared)
    {
        if (sizeLimit.IsReadOnly
            || declared - sizeLimit.MaxRequestBodySize > OverCapDrainBytes
            || request.Headers.Expect.Any(value => value?.Contains("100-continue", StringComparison.OrdinalIgnoreCase) == true))
        {
            return;
        }

        sizeLimit.MaxRequestBodySize = declared;
        await DrainAsync(request);
    }

    /// <summary>
    /// Takes over Kestrel's cap for a body of unknown length: Kestrel's own limit moves up by
    /// <see cref="OverCapDrainBytes"/> so the reader can pass the cap and drain, and the returned
    /// cap is the one the reader enforces. Null: Kestrel's cap (if any) stays and fails the read.
    /// </summary>
    private static long? TakeOverCap(HttpRequest request)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is not { IsReadOnly: false, MaxRequestBodySize: { } cap } sizeLimit)
        {
            return null;
        }

        sizeLimit.MaxRequestBodySize = cap + OverCapDrainBytes;
        return cap;
    }

    /// <summary>
    /// Reads the rest of a refused body and discards it, within <see cref="LargeBodyDeadline"/>.
    /// A drain that cannot finish (past the allowance, too slow, broken framing, the client gone)
    /// just stops: the answer is the 413 either way, and Kestrel closes the connection.
    /// </summary>
    private static async Task DrainAsync(HttpRequest request)
    {
        var time = request.HttpContext.RequestServices.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        using var deadline = new CancellationTokenSource(LargeBodyDeadline, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(request.HttpContext.RequestAborted, deadline.Token);
        var reader = request.BodyReader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(either.Token);
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is BadHttpRequestException or IOException
            || (exception is OperationCanceledException && deadline.IsCancellationRequested))
        {
            // Nothing more to be done for this client; the caller refuses the body as too large.
        }
    }

    /// <summary>
    /// A chunked body in one array: the first <see cref="LargeBodyGate.SmallBodyBytes"/> freely,
    /// the rest only with a large body's turn and within its deadline. One that passes the cap
    /// gives its turn back and is drained, holding nothing, before it is refused.
    /// </summary>
    private static async Task<ReadOnlyMemory<byte>> ReadUnknownLengthAsync(HttpRequest request)
    {
        var time = request.HttpContext.RequestServices.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        var cap = TakeOverCap(request);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(16 * 1024);
        var cancellationToken = request.HttpContext.RequestAborted;
        IDisposable? turn = null;
        CancellationTokenSource? deadline = null;
        CancellationTokenSource? either = null;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer.GetMemory(16 * 1024), cancellationToken)) > 0)
            {
                if (buffer.WrittenCount + read > cap)
                {
                    // The state machine would otherwise keep up to the cap's worth of bytes
                    // alive, and the large-body turn taken, while garbage is read.
                    turn?.Dispose();
                    buffer = null;
                    await DrainAsync(request);
                    throw TooLarge(null);
                }

                buffer.Advance(read);
                if (deadline is null && buffer.WrittenCount > LargeBodyGate.SmallBodyBytes)
                {
                    turn = await EnterLargeBodyTurnAsync(request, buffer.WrittenCount);
                    deadline = new CancellationTokenSource(LargeBodyDeadline, time);
                    either = CancellationTokenSource.CreateLinkedTokenSource(request.HttpContext.RequestAborted, deadline.Token);
                    cancellationToken = either.Token;
                }
            }
        }
        catch (OperationCanceledException) when (deadline?.IsCancellationRequested == true)
        {
            throw new ComputeException(ComputeErrorKind.InvalidInput, "body_too_slow",
                $"body: a large body did not arrive within {LargeBodyDeadline.TotalSeconds:0} s of its turn; send a large body in one go.");
        }
        finally
        {
            either?.Dispose();
            deadline?.Dispose();
        }

        return buffer.WrittenMemory;
    }

    /// <summary>
    /// How long a large body may take to arrive once its turn came: 16 MiB at half a megabyte a
    /// second. Only one large body is read at a time, so a client trickling its bytes (Kestrel's
    /// own minimum rate would allow hours) would otherwise hold every other upload back.
    /// </summary>
    public static readonly TimeSpan LargeBodyDeadline = TimeSpan.FromSeconds(32);

    /// <summary>The body of a declared length in one array; Kestrel has already refused a length over the cap.</summary>
    private static async Task<byte[]> ReadExactlyAsync(HttpRequest request, long length)
    {
        var time = request.HttpContext.RequestServices.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        using var deadline = new CancellationTokenSource(LargeBodyDeadline, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(request.HttpContext.RequestAborted, deadline.Token);
        var body = GC.AllocateUninitializedArray<byte>(checked((int)length));
        try
        {
            await request.Body.ReadExactlyAsync(body, either.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new ComputeException(ComputeErrorKind.InvalidInput, "body_too_slow",
                $"body: {length} bytes did not arrive within {LargeBodyDeadline.TotalSeconds:0} s; send a large body in one go.");
        }

        return body;
    }

    /// <summary>
    /// One pass over a large body's bytes, allocating nothing, before any string is made of it:
    /// a top-level string outside <see cref="BulkFields"/> over <see cref="MaxPlainStringBytes"/>
    /// is refused. Malformed JSON is left to the parser, which names where it broke.
    /// </summary>
    private static ReadOnlyMemory<byte> RefuseLongPlainStrings(ReadOnlyMemory<byte> body)
    {
        var reader = new Utf8JsonReader(body.Span);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
                {
                    continue;
                }

                var longName = reader.ValueSpan.Length > MaxFieldNameBytes;
                var name = longName ? "(a field name)" : reader.GetString()!;
                if (!reader.Read())
                {
                    break;
                }

                var tooLong = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > MaxPlainStringBytes && !BulkFields.Contains(name);
                if (tooLong || longName)
                {
                    throw ComputeException.Invalid(name, $"too long: at most {MaxPlainStringBytes} bytes for a field that is not bulk content");
                }

                reader.TrySkip();
            }
        }
        catch (JsonException)
        {
            // The parser reports it, with the line and byte.
        }

        return body;
    }

    private static ComputeException TooLarge(Exception? inner) =>
        new(ComputeErrorKind.TooLarge, "payload_too_large", "body: the request body is over the size limit.", inner);

    private static ComputeException Describe(JsonException exception)
    {
        var where = $"(line {exception.LineNumber + 1}, byte {exception.BytePositionInLine})";
        return exception.Path is null or "$"
            ? new ComputeException(ComputeErrorKind.InvalidInput, "invalid_json", $"body: not a valid JSON object {where}.", exception)
            : new ComputeException(ComputeErrorKind.InvalidInput, "invalid_json",
                $"{exception.Path.TrimStart('$', '.')}: wrong JSON type, or not valid JSON there {where}.", exception);
    }
}
