namespace TSheets.Auth.Common
{
    /// <summary>
    /// The stable error IDs of the public surface, as the README's "Errors" section and about_TSheets.Auth
    /// list them (each with its meaning in docs/help). PowerShell appends the cmdlet's
    /// type name, so users match on e.g. <c>StateMismatch,TSheets.Auth.Commands.ConnectTSheetsCommand</c>.
    /// </summary>
    internal static class ErrorIds
    {
        public const string InvalidBaseUri = nameof(InvalidBaseUri);
        public const string InvalidRedirectUri = nameof(InvalidRedirectUri);
        public const string InteractionRequired = nameof(InteractionRequired);
        public const string RedirectPortInUse = nameof(RedirectPortInUse);
        public const string AuthorizationTimedOut = nameof(AuthorizationTimedOut);
        public const string AuthorizationDenied = nameof(AuthorizationDenied);
        public const string StateMismatch = nameof(StateMismatch);
        public const string InvalidClient = nameof(InvalidClient);
        public const string GrantFailed = nameof(GrantFailed);
        public const string InvalidServerResponse = nameof(InvalidServerResponse);
        public const string ServiceUnavailable = nameof(ServiceUnavailable);
        public const string TokenNotFound = nameof(TokenNotFound);
        public const string TokenExpired = nameof(TokenExpired);
        public const string RefreshFailed = nameof(RefreshFailed);
        public const string SecretManagementNotInstalled = nameof(SecretManagementNotInstalled);
        public const string VaultNotFound = nameof(VaultNotFound);
        public const string VaultError = nameof(VaultError);
        public const string ApiError = nameof(ApiError);
        public const string RateLimited = nameof(RateLimited);
        public const string IpBlocked = nameof(IpBlocked);
        public const string InvalidToken = nameof(InvalidToken);
        public const string InvalidPath = nameof(InvalidPath);
        public const string InvalidBody = nameof(InvalidBody);
        public const string ProxyAuthenticationRequired = nameof(ProxyAuthenticationRequired);

        /// <summary>
        /// PowerShell's own ID for parameters that cannot be used together (Invoke-RestMethod's answer to
        /// -Proxy with -NoProxy), for the proxy options that contradict each other.
        /// </summary>
        public const string AmbiguousParameterSet = nameof(AmbiguousParameterSet);
    }
}
