namespace Cerver.Gateway.Embedded; public static class Placeholder {}
