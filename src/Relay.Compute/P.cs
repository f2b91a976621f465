namespace Cerver.Relay.Compute; public static class Placeholder {}
