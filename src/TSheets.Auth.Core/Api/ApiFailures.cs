using System;
using System.Collections.Generic;
using TSheets.Auth.Common;
using TSheets.Auth.Http;
using TSheets.Auth.OAuth;
using TSheets.Auth.Storage;

namespace TSheets.Auth.Api
{
    /// <summary>The errors an API call ends in, with TSheets' own words and what to do.</summary>
    internal static class ApiFailures
    {
        /// <summary>
        /// A 401 with a token that was not refreshed: it cannot be, or (<paramref name="refreshedToSame"/>) the
        /// server answered the refresh with the token it had just refused.
        /// </summary>
        public static TSheetsAuthException Refused(Connection connection, HttpResult answer, string described, bool refreshedToSame, IEnumerable<string> secrets)
        {
            var what = connection.RefreshToken == null
                ? "It may have expired or been deleted, or it lacks permission for this call. A token made in the QuickBooks Time web UI cannot be refreshed: extend it or make a new one there under Feature Add-ons > API, then store it with Set-TSheetsToken."
                : refreshedToSame
                    ? "Refreshing it gave back the same token. " + Messages.SignInAgain
                    : "It could not be refreshed: " + Messages.SignInAgain;
            return new TSheetsAuthException(
                ErrorIds.TokenExpired,
                $"TSheets refused the token '{connection.Name}' ({described} -> 401: {Said(answer, secrets)}). {what}",
                connection.Name)
            { StatusCode = 401 };
        }

        /// <summary>A 401 that persists with a freshly refreshed token: a permission problem, never a reason to loop.</summary>
        public static TSheetsAuthException LacksPermission(Connection connection, HttpResult answer, string described, IEnumerable<string> secrets) =>
            new TSheetsAuthException(
                ErrorIds.ApiError,
                $"TSheets refused {described} with HTTP 401 even with a freshly refreshed token '{connection.Name}' ({Said(answer, secrets)}): the token works but lacks permission for this call. Sign in as a user with that permission (an administrator for company-wide data), or ask one to grant it in QuickBooks Time.",
                connection.Name)
            { StatusCode = 401 };

        public static TSheetsAuthException TooLongToWait(HttpResult answer, string described, string name, TimeSpan wait, TimeSpan budget, IEnumerable<string> secrets)
        {
            var why = answer.StatusCode == 429
                ? "TSheets is rate-limiting this token (it allows 300 calls in any 5 minutes and refuses until the window ends; another process may be using the same token)"
                : "TSheets is unavailable and asked to wait";
            var id = answer.StatusCode == 429 ? ErrorIds.RateLimited : ErrorIds.ServiceUnavailable;
            return new TSheetsAuthException(
                id,
                $"{why} ({described} -> {answer.StatusCode}: {Said(answer, secrets)}). Waiting would take {wait.TotalSeconds:0} s, more than -TimeoutSec ({budget.TotalSeconds:0} s) allows: raise -TimeoutSec to wait it out, or try again later.",
                name)
            { StatusCode = answer.StatusCode };
        }

        public static TSheetsAuthException Failure(HttpResult answer, string described, string name, int retries, IEnumerable<string> secrets)
        {
            var status = answer.StatusCode;
            var error = ServerError.Parse(answer.Body, answer.ContentType, secrets);
            var said = error.ToString() ?? "no explanation";
            var after = retries > 0 ? $" after {retries + 1} tries" : string.Empty;
            var id = StatusErrors.IdFor(status, error.Code, tokenEndpoint: false, html: false);
            string message;
            switch (id)
            {
                case ErrorIds.RateLimited:
                    message = $"TSheets is rate-limiting this token ({described} -> 429{after}: {said}). TSheets allows 300 calls in any 5 minutes; wait and try again, or raise -MaximumRetryCount and -TimeoutSec.";
                    break;
                case ErrorIds.IpBlocked:
                    message = $"TSheets refused the call from this address ({described} -> 499): the company's IP restrictions block it. Ask an administrator to allow this address in QuickBooks Time. ({said})";
                    break;
                case ErrorIds.ServiceUnavailable:
                    message = $"TSheets could not answer ({described} -> {status}{after}: {said}). Try again later.";
                    break;
                default:
                    message = $"TSheets refused {described} with HTTP {status}: {said}";
                    break;
            }

            return new TSheetsAuthException(id, message, name) { StatusCode = status, ServerError = error.Code };
        }

        /// <summary>One refused item of a batch, saying truly what became of the others: <paramref name="accepted"/> good ones, <paramref name="refused"/> refused ones in all.</summary>
        public static TSheetsAuthException BatchItem(BatchFailure failure, string described, int accepted, int refused)
        {
            var extra = string.IsNullOrEmpty(failure.Extra) ? string.Empty : $" ({failure.Extra})";
            return new TSheetsAuthException(
                ErrorIds.ApiError,
                $"Item {failure.Index} of {described} was refused: {failure.Status} {failure.Message ?? "no explanation"}{extra}. {Others(accepted, refused - 1)}",
                failure.Index)
            { StatusCode = failure.Status };
        }

        /// <summary>What became of the other items of a batch, as the answer says.</summary>
        internal static string Others(int accepted, int refused)
        {
            if (refused == 0)
            {
                return accepted == 0 ? "It was the only item." : accepted == 1 ? "The other item was accepted." : $"The other {accepted} items were accepted.";
            }

            var refusedText = refused == 1 ? "1 other item was refused too" : $"{refused} other items were refused too";
            return accepted == 0 ? $"{refusedText}, and none was accepted." : $"{refusedText}; {(accepted == 1 ? "1 item was" : $"{accepted} items were")} accepted.";
        }

        private static string Said(HttpResult answer, IEnumerable<string> secrets) =>
            ServerError.Parse(answer.Body, answer.ContentType, secrets).ToString() ?? "no explanation";
    }
}
