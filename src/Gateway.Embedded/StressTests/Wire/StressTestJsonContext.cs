using System.Text.Json.Serialization;

namespace Cerver.Gateway.Embedded.StressTests.Wire;

// The request reads snake_case like every other gateway body.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StressTestRequestBody))]
public sealed partial class StressTestRequestJsonContext : JsonSerializerContext;

// The result names every property itself (see StressTestResult). Nulls are written:
// winner and median_ms are present-but-null until something was measured.
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StressTestResult))]
[JsonSerializable(typeof(StressTestList))]
public sealed partial class StressTestResultJsonContext : JsonSerializerContext
{
    private static StressTestResultJsonContext? s_wire;

    // What the HTTP layer writes with: the response is application/json, never HTML, so
    // apostrophes in the guidance stay readable (as ComputeJsonContext.Wire does).
    // Built on first use: a static initializer would run before the generated Default exists.
    public static StressTestResultJsonContext Wire => s_wire ??= new(new System.Text.Json.JsonSerializerOptions(Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
