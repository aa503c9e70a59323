namespace TSheets.ConformanceServer;

/// <summary>
/// Records every request to the token and revocation endpoints with the status (and OAuth error) it got, and counts
/// authorization requests. It only looks: OpenIddict does all the validating.
/// </summary>
/// <remarks>
/// The record is written just before the response headers go out, so a test that has its answer can read the stats
/// at once without racing the server.
/// </remarks>
internal sealed class RequestRecordingMiddleware(RequestDelegate next, ConformanceState state)
{
    /// <summary>Where <see cref="RememberResponseError{TContext}"/> leaves the error OpenIddict answered with.</summary>
    public const string ResponseErrorItem = "TSheets.ConformanceServer.ResponseError";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path.Equals(ServerPaths.Authorize, StringComparison.OrdinalIgnoreCase))
        {
            state.RecordAuthorizeRequest();
            await next(context);
            return;
        }

        Action<EndpointRequestRecord>? record =
            request.Path.Equals(ServerPaths.Token, StringComparison.OrdinalIgnoreCase) ? state.RecordTokenRequest
            : request.Path.Equals(ServerPaths.Revocation, StringComparison.OrdinalIgnoreCase) ? state.RecordRevocationRequest
            : null;
        if (record is null)
        {
            await next(context);
            return;
        }

        // ASP.NET caches the form, so OpenIddict reads the same one again.
        IFormCollection? form = null;
        if (request.HasFormContentType)
        {
            try
            {
                form = await request.ReadFormAsync(context.RequestAborted);
            }
            catch (InvalidDataException)
            {
                // A malformed body: OpenIddict answers it; the record shows an empty form.
            }
        }

        string? authorization = request.Headers.Authorization;
        string? scheme = string.IsNullOrWhiteSpace(authorization) ? null : authorization.Trim().Split(' ', 2)[0];
        string method = request.Method;
        string? contentType = request.ContentType;
        string? grantType = FormValue(form, "grant_type");
        string? tokenTypeHint = FormValue(form, "token_type_hint");
        string? clientId = FormValue(form, "client_id");
        bool secretInBody = !string.IsNullOrEmpty(FormValue(form, "client_secret"));
        bool basic = string.Equals(scheme, "Basic", StringComparison.OrdinalIgnoreCase);

        int recorded = 0;
        void RecordOnce(int status)
        {
            if (Interlocked.Exchange(ref recorded, 1) == 0)
            {
                var error = context.Items[ResponseErrorItem] as ResponseError;
                record(new EndpointRequestRecord(
                    method, grantType, tokenTypeHint, clientId, secretInBody, basic, scheme, contentType,
                    status, error?.Error, error?.Description));
            }
        }

        context.Response.OnStarting(() =>
        {
            RecordOnce(context.Response.StatusCode);
            return Task.CompletedTask;
        });

        try
        {
            await next(context);
        }
        catch
        {
            RecordOnce(StatusCodes.Status500InternalServerError);
            throw;
        }

        RecordOnce(context.Response.StatusCode);
    }

    private static string? FormValue(IFormCollection? form, string name) =>
        form is not null && form.TryGetValue(name, out var values) ? values.ToString() : null;
}

internal sealed record ResponseError(string Error, string? Description);
