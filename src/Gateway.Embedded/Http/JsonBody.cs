using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cerver.Relay.Compute.Contract;
using Microsoft.AspNetCore.Http;

namespace Cerver.Gateway.Embedded.Http;

/// <summary>
/// Reads a JSON request body into a wire type, turning every way it can be wrong — not JSON,
/// a field of the wrong type, too large — into a refusal that names the field.
/// </summary>
public static class JsonBody
{
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

        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, typeInfo, request.HttpContext.RequestAborted);
            return value ?? (allowEmpty ? new T() : throw ComputeException.Invalid("body", "a JSON object is required, not null"));
        }
        catch (JsonException exception)
        {
            throw Describe(exception);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new ComputeException(ComputeErrorKind.TooLarge, "payload_too_large", "body: the request body is over the size limit.", exception);
        }
    }

    private static ComputeException Describe(JsonException exception)
    {
        var where = $"(line {exception.LineNumber + 1}, byte {exception.BytePositionInLine})";
        return exception.Path is null or "$"
            ? new ComputeException(ComputeErrorKind.InvalidInput, "invalid_json", $"body: not a valid JSON object {where}.", exception)
            : new ComputeException(ComputeErrorKind.InvalidInput, "invalid_json",
                $"{exception.Path.TrimStart('$', '.')}: wrong JSON type, or not valid JSON there {where}.", exception);
    }
}
