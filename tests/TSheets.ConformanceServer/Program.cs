// TSheets conformance server: an independent OAuth 2.0 authorization server (OpenIddict, configured as its own
// documentation says) at TSheets' paths, that tests start on loopback to check the module against the RFCs rather
// than against the module's own emulator.
//
//   dotnet TSheets.ConformanceServer.dll [--urls http://127.0.0.1:0] [--parent-pid N] [--clients '<json array>']
//
// Once listening it prints exactly one line to stdout, "CONFORMANCE_SERVER_LISTENING <url>", which is how a test
// learns the port; everything else (warnings only, unless --log-level says otherwise) goes to stderr.
// README.md beside this file lists the OAuth and control endpoints.

using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Server;
using TSheets.TestServers;
using TSheets.ConformanceServer;
using static OpenIddict.Server.OpenIddictServerEvents;

const int StartupFailed = 1;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // The server's own folder, so an appsettings.json in whatever directory the tests run from cannot reconfigure it.
    ContentRootPath = AppContext.BaseDirectory,
});

if (LoopbackServerOptions.Read(builder.Configuration, "TSheets.ConformanceServer") is not { } serverOptions)
{
    return LoopbackServerOptions.UsageError;
}

string[] urls = serverOptions.Urls;
int? parentPid = serverOptions.ParentPid;

LogLevel logLevel = LogLevel.Warning;
if (builder.Configuration["log-level"] is { } logLevelText && !Enum.TryParse(logLevelText, ignoreCase: true, out logLevel))
{
    Console.Error.WriteLine($"TSheets.ConformanceServer: --log-level must be a Microsoft.Extensions.Logging.LogLevel, not '{logLevelText}'.");
    return LoopbackServerOptions.UsageError;
}

ClientRegistration[] startupClients = [ClientRegistry.DefaultClient];
if (builder.Configuration["clients"] is { Length: > 0 } clientsJson)
{
    try
    {
        startupClients = JsonSerializer.Deserialize<ClientRegistration[]>(clientsJson, ControlJson.Options) ?? [];
    }
    catch (JsonException e)
    {
        Console.Error.WriteLine($"TSheets.ConformanceServer: --clients must be a JSON array of client registrations: {e.Message}");
        return LoopbackServerOptions.UsageError;
    }
}

// UseUrls wins over ASPNETCORE_HTTP_PORTS (set in container images), which would otherwise bind every interface.
builder.WebHost.UseUrls(urls);

// stdout carries only the listening line; anything worth reading goes to stderr.
builder.Logging.ClearProviders();
builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Logging.SetMinimumLevel(logLevel);
builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(5));

builder.Services.ConfigureHttpJsonOptions(options => ControlJson.Configure(options.SerializerOptions));
// ASP.NET's authentication stack (which OpenIddict's host uses) registers data protection, whose key ring would
// otherwise be written to the user's profile on every start. Nothing here protects data: keep the keys in memory, and
// silence the warning that they are not encrypted at rest (there is no rest).
builder.Services.AddDataProtection();
builder.Services.Configure<KeyManagementOptions>(options => options.XmlRepository = new InMemoryXmlRepository());
builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);

builder.Services.AddSingleton<ConformanceState>();
// The clock OpenIddict stamps and judges codes and tokens by (resolved from the container), moved by /_control/clock.
builder.Services.AddSingleton<TestClock>();
builder.Services.AddSingleton<TimeProvider>(services => services.GetRequiredService<TestClock>());
builder.Services.AddSingleton<ServerAddress>();
builder.Services.AddScoped<ClientRegistry>();
if (parentPid is int watchedPid)
{
    builder.Services.AddHostedService(services =>
        new ParentProcessWatcher(watchedPid, services.GetRequiredService<IHostApplicationLifetime>()));
}

// OpenIddict's standard Entity Framework Core stores, on EF Core's in-memory provider: one database per process.
string databaseName = "TSheets.ConformanceServer-" + Guid.NewGuid().ToString("N");
builder.Services.AddDbContext<ConformanceDbContext>(options =>
{
    options.UseInMemoryDatabase(databaseName);
    options.UseOpenIddict();
});

builder.Services.AddOpenIddict()
    .AddCore(options =>
    {
        // The in-memory provider has no ExecuteUpdate/ExecuteDelete: OpenIddict's documented switch makes its stores
        // revoke token chains entity by entity instead.
        options.UseEntityFrameworkCore()
               .UseDbContext<ConformanceDbContext>()
               .DisableBulkOperations();
    })
    .AddServer(options =>
    {
        // TSheets' paths.
        options.SetAuthorizationEndpointUris(ServerPaths.Authorize.TrimStart('/'))
               .SetTokenEndpointUris(ServerPaths.Token.TrimStart('/'))
               .SetRevocationEndpointUris(ServerPaths.Revocation.TrimStart('/'))
               .SetConfigurationEndpointUris(ServerPaths.Discovery.TrimStart('/'), ServerPaths.OpenIdDiscovery.TrimStart('/'));

        // Authorization code flow and refresh token flow only. AllowRefreshTokenFlow registers offline_access, and
        // OpenIddict issues a refresh token only when that scope was granted.
        options.AllowAuthorizationCodeFlow()
               .AllowRefreshTokenFlow();
        options.RegisterScopes(ClientRegistry.CommonScope);

        // Default lifetimes (a client registered "short_lived" gets its own, as application settings).
        options.SetAuthorizationCodeLifetime(TimeSpan.FromSeconds(30))
               .SetAccessTokenLifetime(TimeSpan.FromSeconds(600));

        // Opaque reference tokens (short strings, like TSheets'), with the payload kept in the token store.
        options.UseReferenceAccessTokens()
               .UseReferenceRefreshTokens();

        // Rolling refresh tokens are OpenIddict's default; with no leeway a redeemed refresh token is refused at once.
        options.SetRefreshTokenReuseLeeway(TimeSpan.Zero);

        // Keys live only as long as the process, like everything else here.
        options.AddEphemeralEncryptionKey()
               .AddEphemeralSigningKey();

        options.UseAspNetCore()
               // Automatic consent: the authorization endpoint is answered by AuthorizeEndpoint.
               .EnableAuthorizationEndpointPassthrough()
               // Plain http is allowed for this loopback-only test server, as OpenIddict's docs say for development.
               .DisableTransportSecurityRequirement();

        // OpenIddict 7 has no per-application client authentication method: this enforces the one each client was
        // registered with, answering as OpenIddict's own server-wide check does (see ServerHandlers.cs).
        options.AddEventHandler<ValidateTokenRequestContext>(handler => handler
            .UseScopedHandler<EnforceRegisteredClientAuthenticationMethod<ValidateTokenRequestContext>>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateAuthentication.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom));
        options.AddEventHandler<ValidateRevocationRequestContext>(handler => handler
            .UseScopedHandler<EnforceRegisteredClientAuthenticationMethod<ValidateRevocationRequestContext>>()
            .SetOrder(OpenIddictServerHandlers.Revocation.ValidateAuthentication.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom));

        // user_id in the token response, as TSheets sends it: a custom sign-in parameter, OpenIddict's standard way.
        options.AddEventHandler<HandleTokenRequestContext>(handler => handler
            .UseSingletonHandler<AttachUserIdParameter>()
            .SetOrder(OpenIddictServerHandlers.Exchange.AttachPrincipal.Descriptor.Order + 1000)
            .SetType(OpenIddictServerHandlerType.Custom));

        // For /_control/stats only: remembers the error OpenIddict answered with.
        options.AddEventHandler<ApplyTokenResponseContext>(handler => handler
            .UseSingletonHandler<RememberResponseError<ApplyTokenResponseContext>>()
            .SetOrder(int.MinValue + 10_000)
            .SetType(OpenIddictServerHandlerType.Custom));
        options.AddEventHandler<ApplyRevocationResponseContext>(handler => handler
            .UseSingletonHandler<RememberResponseError<ApplyRevocationResponseContext>>()
            .SetOrder(int.MinValue + 10_000)
            .SetType(OpenIddictServerHandlerType.Custom));
    });

var app = builder.Build();

// Recording goes first: OpenIddict answers its endpoints inside the authentication middleware, which WebApplication
// would otherwise put ahead of everything (calling UseAuthentication here places it after the recorder instead).
app.UseMiddleware<RequestRecordingMiddleware>();
app.UseAuthentication();

app.MapAuthorizeEndpoint();
app.MapControlEndpoints();

await using (var scope = app.Services.CreateAsyncScope())
{
    var registry = scope.ServiceProvider.GetRequiredService<ClientRegistry>();
    foreach (var client in startupClients)
    {
        if (await registry.RegisterAsync(client) is { Problem: { } problem })
        {
            Console.Error.WriteLine($"TSheets.ConformanceServer: cannot register startup client: {problem}");
            return LoopbackServerOptions.UsageError;
        }
    }
}

try
{
    await app.StartAsync();
}
catch (Exception e) when (e is IOException or InvalidOperationException)
{
    // Port in use, or a URL Kestrel cannot bind (such as localhost:0): say so plainly instead of a stack trace.
    Console.Error.WriteLine($"TSheets.ConformanceServer: cannot listen on {string.Join(", ", urls)}: {e.Message}");
    return StartupFailed;
}

var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
string listening = addresses.First();
app.Services.GetRequiredService<ServerAddress>().Set(listening);
Console.Out.WriteLine($"CONFORMANCE_SERVER_LISTENING {listening}");
Console.Out.Flush();

await app.WaitForShutdownAsync();
return 0;

