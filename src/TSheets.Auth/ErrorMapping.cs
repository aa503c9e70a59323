using System.Collections.Generic;
using System.Management.Automation;
using TSheets.Auth.Common;

namespace TSheets.Auth.Commands
{
    /// <summary>The one translation from Core's errors to PowerShell's: ID, category, target, cause.</summary>
    internal static class ErrorMapping
    {
        private static readonly Dictionary<string, ErrorCategory> Categories = new Dictionary<string, ErrorCategory>
        {
            [ErrorIds.InvalidBaseUri] = ErrorCategory.InvalidArgument,
            [ErrorIds.InvalidRedirectUri] = ErrorCategory.InvalidArgument,
            [ErrorIds.InteractionRequired] = ErrorCategory.InvalidOperation,
            [ErrorIds.RedirectPortInUse] = ErrorCategory.ResourceBusy,
            [ErrorIds.AuthorizationTimedOut] = ErrorCategory.OperationTimeout,
            [ErrorIds.AuthorizationDenied] = ErrorCategory.PermissionDenied,
            [ErrorIds.StateMismatch] = ErrorCategory.SecurityError,
            [ErrorIds.InvalidClient] = ErrorCategory.AuthenticationError,
            [ErrorIds.GrantFailed] = ErrorCategory.AuthenticationError,
            [ErrorIds.InvalidServerResponse] = ErrorCategory.InvalidResult,
            [ErrorIds.ServiceUnavailable] = ErrorCategory.ConnectionError,
            [ErrorIds.TokenNotFound] = ErrorCategory.ObjectNotFound,
            [ErrorIds.TokenExpired] = ErrorCategory.AuthenticationError,
            [ErrorIds.RefreshFailed] = ErrorCategory.AuthenticationError,
            [ErrorIds.SecretManagementNotInstalled] = ErrorCategory.NotInstalled,
            [ErrorIds.VaultNotFound] = ErrorCategory.ObjectNotFound,
            [ErrorIds.VaultError] = ErrorCategory.ResourceUnavailable,
            [ErrorIds.ApiError] = ErrorCategory.InvalidResult,
            [ErrorIds.RateLimited] = ErrorCategory.LimitsExceeded,
            [ErrorIds.IpBlocked] = ErrorCategory.PermissionDenied,
            [ErrorIds.InvalidToken] = ErrorCategory.InvalidArgument,
            [ErrorIds.InvalidPath] = ErrorCategory.InvalidArgument,
            [ErrorIds.InvalidBody] = ErrorCategory.InvalidArgument,
            [ErrorIds.ProxyAuthenticationRequired] = ErrorCategory.AuthenticationError,
            [ErrorIds.AmbiguousParameterSet] = ErrorCategory.InvalidArgument,
        };

        public static ErrorRecord ToRecord(TSheetsAuthException exception)
        {
            var category = Categories.TryGetValue(exception.ErrorId, out var known) ? known : ErrorCategory.NotSpecified;
            return new ErrorRecord(exception, exception.ErrorId, category, exception.Target);
        }
    }
}
