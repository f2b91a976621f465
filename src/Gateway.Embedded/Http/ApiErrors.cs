using Cerver.Relay.Compute.Contract;
using Microsoft.AspNetCore.Http;

namespace Cerver.Gateway.Embedded.Http;

/// <summary>The one error shape of every endpoint: <c>{"error": {"code", "message"}}</c>.</summary>
public static class ApiErrors
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

    public static IResult Result(int status, string code, string message) =>
        Results.Json(new ErrorBody(new ErrorDetail(code, message)), ComputeJsonContext.Wire.ErrorBody, statusCode: status);

    public static Task WriteAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorBody(new ErrorDetail(code, message)), ComputeJsonContext.Wire.ErrorBody, contentType: null, context.RequestAborted);
    }
}
