namespace TSheets.Auth
{
    /// <summary>How the app proves itself to the token endpoint (RFC 6749 §2.3.1).</summary>
    public enum ClientAuthentication
    {
        /// <summary><c>client_id</c> and <c>client_secret</c> in the form body, as TSheets documents (the default).</summary>
        Post,

        /// <summary>HTTP Basic, the one method every standard server must accept; no secret in the body.</summary>
        Basic,
    }
}
