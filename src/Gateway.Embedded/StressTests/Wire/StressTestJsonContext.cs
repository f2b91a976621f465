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
public sealed partial class StressTestResultJsonContext : JsonSerializerContext;
