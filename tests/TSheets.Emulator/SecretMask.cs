using System.Security.Cryptography;
using System.Text;

namespace TSheets.Emulator;

/// <summary>
/// What the stats write in place of a secret: "sha256:" and the first 16 hex digits of its SHA-256, so a test
/// can still tell which code or token was sent without the stats ever holding one (they are read by tests that
/// scan for leaks, and end up in logs).
/// </summary>
internal static class SecretMask
{
    private static readonly HashSet<string> SecretFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "client_secret", "code", "refresh_token", "access_token", "code_verifier", "password",
    };

    public static string Mask(string value) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..16];

    /// <summary>Masks the fields named like secrets, and any other value that is a secret the emulator knows.</summary>
    public static IReadOnlyDictionary<string, string> MaskValues(IReadOnlyDictionary<string, string> fields, EmulatorState state) =>
        fields.ToDictionary(
            field => field.Key,
            field => field.Value.Length > 0 && (SecretFields.Contains(field.Key) || state.IsKnownSecret(field.Value))
                ? Mask(field.Value)
                : field.Value,
            StringComparer.Ordinal);
}
