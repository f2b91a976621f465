using System.Text.Json.Serialization;

namespace Cerver.Gateway.Embedded.Routing.Wire;

// Nulls are written, not dropped: the contract shows recommended_provider as a present
// field that is null when nothing qualifies, and agents key off its presence.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(RecommendRequestBody))]
[JsonSerializable(typeof(RecommendationReport))]
public sealed partial class RoutingJsonContext : JsonSerializerContext;
