using TSheets.Emulator.Endpoints;

namespace TSheets.Emulator;

/// <summary>
/// Writes every request to /grant and to the API into the emulator's history, with the status it got, and
/// counts the authorization pages opened.
/// </summary>
/// <remarks>
/// The record is written just before the response headers go out (not after the body), so a test that has
/// its answer can read the stats at once without racing the server.
/// </remarks>
internal sealed class RequestRecordingMiddleware(RequestDelegate next, EmulatorState state)
{
    /// <summary>The status recorded for a request that got no answer (an aborted or hung fault).</summary>
    public const int NoAnswerStatus = 0;

    private static readonly object ReceivedAtKey = new();

    /// <summary>When the request arrived, as recorded; the rate limit counts calls at this same instant.</summary>
    public static DateTimeOffset ReceivedAt(HttpContext context) =>
        context.Items.TryGetValue(ReceivedAtKey, out object? at) && at is DateTimeOffset time
            ? time
            : context.RequestServices.GetRequiredService<EmulatorState>().Now;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        DateTimeOffset receivedAt = state.Now;
        context.Items[ReceivedAtKey] = receivedAt;
        string at = EmulatorState.FormatTime(receivedAt);

        RequestKind kind = EmulatorPaths.Classify(request.Path);
        if (kind == RequestKind.Authorize && HttpMethods.IsGet(request.Method))
        {
            // Each GET is one authorization URL opened in a browser (the form's POST continues the same one).
            var query = request.Query;
            state.RecordAuthorizeRequest(AuthorizationRequest.From(name => query[name]).ToRecord(at, "page"));
        }

        if (kind == RequestKind.Grant)
        {
            state.CountGrantArrival();
        }
        else if (kind == RequestKind.Api)
        {
            state.CountApiArrival();
        }

        Action<int>? record = kind switch
        {
            RequestKind.Grant => await DescribeGrantRequestAsync(request, at),
            RequestKind.Api => DescribeApiRequest(request, at),
            _ => null,
        };

        if (record is null)
        {
            await next(context);
            return;
        }

        int recorded = 0;
        void RecordOnce(int status)
        {
            if (Interlocked.Exchange(ref recorded, 1) == 0)
            {
                record(status);
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

        if (FaultInjectionMiddleware.LeftUnanswered(context))
        {
            RecordOnce(NoAnswerStatus);
        }
    }

    private async Task<Action<int>> DescribeGrantRequestAsync(HttpRequest request, string at)
    {
        // The form is read here, before any fault, so that faulted requests are recorded in full. ASP.NET caches
        // it, so the endpoint reads the same form again.
        IReadOnlyDictionary<string, string> form = new Dictionary<string, string>();
        if (request.HasFormContentType)
        {
            try
            {
                form = (await request.ReadFormAsync(request.HttpContext.RequestAborted)).ToFlatDictionary();
            }
            catch (InvalidDataException)
            {
                // A malformed body: the endpoint answers it; the record shows an empty form.
            }
        }

        string method = request.Method;
        string? grantType = form.GetValueOrDefault("grant_type");
        var auth = ClientAuthentication.Read(request, form);
        string? clientId = auth.ClientId ?? auth.BodyClientId;
        bool hasBearer = request.BearerToken() is not null;
        string? contentType = request.ContentType;
        var masked = SecretMask.MaskValues(form, state);
        return status => state.RecordGrantRequest(new GrantRequestRecord(
            method, grantType, clientId, hasBearer, contentType, masked, status, at, auth.Mechanism, auth.Scheme is not null, auth.Scheme));
    }

    private Action<int> DescribeApiRequest(HttpRequest request, string at)
    {
        string method = request.Method;
        string path = request.Path.Value ?? "";
        var query = SecretMask.MaskValues(request.Query.ToFlatDictionary(), state);
        bool hasBearer = request.BearerToken() is not null;
        string? managedClientId = request.Headers[RequestExtensions.ManagedClientIdHeader];
        return status => state.RecordApiRequest(
            new ApiRequestRecord(method, path, query, status, hasBearer, managedClientId, at));
    }
}
