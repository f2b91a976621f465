using Cerver.Relay.Compute.Contract;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cerver.Gateway.Embedded.Http;

/// <summary>The one error shape of every endpoint: <c>{"error": {"code", "message"}}</c>.</summary>
public static partial class ApiErrors
{
    public static int StatusFor(ComputeErrorKind kind) => kind switch
    {
        ComputeErrorKind.InvalidInput => StatusCodes.Status400BadRequest,
        ComputeErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ComputeErrorKind.NotFound => StatusCodes.Status404NotFound,
        ComputeErrorKind.Gone => StatusCodes.Status410Gone,
        ComputeErrorKind.Conflict => StatusCodes.Status409Conflict,
        ComputeErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ComputeErrorKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        ComputeErrorKind.Busy => StatusCodes.Status429TooManyRequests,
        ComputeErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>
    /// The error for a status something answered without a body: the router's 404 and 405, or
    /// a refusal of the framework's own, so that no error goes out empty.
    /// </summary>
    public static (string Code, string Message) ForBareStatus(int status, HttpRequest request) => status switch
    {
        StatusCodes.Status404NotFound => ("not_found", $"No endpoint at {request.Method} {request.Path}; see the API in the README."),
        StatusCodes.Status405MethodNotAllowed => ("method_not_allowed",
            $"{request.Method} is not allowed on {request.Path}; allowed: {request.HttpContext.Response.Headers.Allow}."),
        StatusCodes.Status413PayloadTooLarge => ("payload_too_large", "The request body is over the size limit."),
        StatusCodes.Status415UnsupportedMediaType => ("unsupported_media_type", "Send JSON (Content-Type: application/json)."),
        StatusCodes.Status429TooManyRequests => ("busy", "Too many requests; retry later."),
        >= 500 => ("internal_error", "The relay hit an internal error; details are in relay/logs."),
        _ => ("bad_request", "The request was refused."),
    };

    public static IResult Result(int status, string code, string message) =>
        Results.Json(new ErrorBody(new ErrorDetail(code, message)), ComputeJsonContext.Wire.ErrorBody, statusCode: status);

    public static Task WriteAsync(HttpContext context, int status, string code, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Every refusal of the local API is one line: the route (its ids) and the code, never the
        // message (it may quote the input) nor the query (a connect channel's token travels there).
        if (context.RequestServices?.GetService<ILoggerFactory>() is { } loggers)
        {
            var path = context.Request.Path.Value ?? "";
            path = new string([.. (path.Length <= 200 ? path : path[..200] + "…").Select(c => char.IsControl(c) ? '?' : c)]);
            LogRefused(loggers.CreateLogger(typeof(ApiErrors).FullName!), context.Request.Method, path, status, code);
        }

        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorBody(new ErrorDetail(code, message)), ComputeJsonContext.Wire.ErrorBody, contentType: null, context.RequestAborted);
    }

    [LoggerMessage(LogLevel.Information, "Refused {Method} {Path}: {Status} {Code}")]
    private static partial void LogRefused(ILogger logger, string method, string path, int status, string code);
}
