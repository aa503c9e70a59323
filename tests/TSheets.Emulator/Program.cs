// TSheets emulator: a loopback HTTP server that behaves like rest.tsheets.com/api/v1 for tests.
//
//   dotnet TSheets.Emulator.dll [--urls http://127.0.0.1:0] [--parent-pid N]
//                               [--https-certificate <pfx> [--https-password <password>]]
//
// Once listening it prints exactly one line to stdout, "TSHEETS_EMULATOR_LISTENING <url>", which is how
// a test learns the port; everything else (warnings only) goes to stderr. With several URLs (such as
// --urls "http://127.0.0.1:0;https://127.0.0.1:0", the https one served with --https-certificate) the
// line lists every address, separated by ';', the http ones first.

using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using TSheets.TestServers;
using TSheets.Emulator;
using TSheets.Emulator.Endpoints;

const int StartupFailed = 1;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // The emulator's own folder, so an appsettings.json in whatever directory the tests run from cannot reconfigure it.
    ContentRootPath = AppContext.BaseDirectory,
});

if (LoopbackServerOptions.Read(builder.Configuration, "TSheets.Emulator") is not { } serverOptions)
{
    return LoopbackServerOptions.UsageError;
}

string[] urls = serverOptions.Urls;
int? parentPid = serverOptions.ParentPid;

if (!HttpsCertificateOption.TryRead(builder.Configuration, urls, "TSheets.Emulator", out var httpsCertificate))
{
    return LoopbackServerOptions.UsageError;
}

// UseUrls wins over ASPNETCORE_HTTP_PORTS (set in container images), which would otherwise bind every interface.
builder.WebHost.UseUrls(urls);
if (httpsCertificate is not null)
{
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = httpsCertificate));
}

// stdout carries only the listening line; anything worth reading goes to stderr.
builder.Logging.ClearProviders();
builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);

// A hung fault or a slow client must not hold up a test run's teardown for the default 30 seconds.
builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(5));

builder.Services.ConfigureHttpJsonOptions(options => ControlJson.Configure(options.SerializerOptions));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<EmulatorState>();
if (parentPid is int watchedPid)
{
    builder.Services.AddHostedService(services =>
        new ParentProcessWatcher(watchedPid, services.GetRequiredService<IHostApplicationLifetime>()));
}

var app = builder.Build();

// Recording wraps fault injection so that faulted requests show up in the stats too.
app.UseMiddleware<RequestRecordingMiddleware>();
app.UseMiddleware<FaultInjectionMiddleware>();

app.MapAuthorizeEndpoints();
app.MapGrantEndpoint();
app.MapApiEndpoints();
app.MapControlEndpoints();

try
{
    await app.StartAsync();
}
catch (Exception e) when (e is IOException or InvalidOperationException)
{
    // Port in use, or a URL Kestrel cannot bind (such as localhost:0): say so plainly instead of a stack trace.
    Console.Error.WriteLine($"TSheets.Emulator: cannot listen on {string.Join(", ", urls)}: {e.Message}");
    return StartupFailed;
}

var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
// http first: the control endpoints' address for tests that also serve https.
var announced = addresses.OrderBy(address => address.StartsWith("https:", StringComparison.OrdinalIgnoreCase));
Console.Out.WriteLine($"TSHEETS_EMULATOR_LISTENING {string.Join(';', announced)}");
Console.Out.Flush();

await app.WaitForShutdownAsync();
return 0;

