// TSheets capture proxy: a loopback TCP listener standing in for an HTTP proxy. It forwards nothing. Whatever
// arrives (a CONNECT, an absolute-form GET or POST with its body, or bytes that are not HTTP at all, such as a TLS
// hello) is recorded and answered 502, or with the answer a test set, and the connection is closed. Tests ask it how
// many connections and requests arrived and what they held: "nothing reached the proxy" is then an assertion.
//
//   dotnet TSheets.CaptureProxy.dll [--urls http://127.0.0.1:0] [--parent-pid N]
//
// --urls is where the control endpoints listen; the proxy port is another loopback port of its own. Once both
// listen it prints exactly one line to stdout, "TSHEETS_CAPTURE_PROXY_LISTENING <control-url>;<proxy-url>".
//
// Control endpoints (JSON, snake_case):
//   GET  /_capture/requests  { proxy_url, connections, requests: [CapturedRequest...] } in arrival order
//   POST /_capture/reset     forgets every arrival and restores the 502 answer
//   POST /_capture/answer    { status, reason?, headers?, body? }: what to answer from now on (a 407, an HTML page...)
//   POST /_capture/shutdown

using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using TSheets.CaptureProxy;
using TSheets.TestServers;

const int StartupFailed = 1;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // Its own folder, so an appsettings.json in whatever directory the tests run from cannot reconfigure it.
    ContentRootPath = AppContext.BaseDirectory,
});

if (LoopbackServerOptions.Read(builder.Configuration, "TSheets.CaptureProxy") is not { } serverOptions)
{
    return LoopbackServerOptions.UsageError;
}

// UseUrls wins over ASPNETCORE_HTTP_PORTS (set in container images), which would otherwise bind every interface.
builder.WebHost.UseUrls(serverOptions.Urls);

// stdout carries only the listening line; anything worth reading goes to stderr.
builder.Logging.ClearProviders();
builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(5));
builder.Services.ConfigureHttpJsonOptions(options => ControlJson.Configure(options.SerializerOptions));

builder.Services.AddSingleton<CaptureLog>();
builder.Services.AddSingleton<CaptureListener>();
builder.Services.AddHostedService(services => services.GetRequiredService<CaptureListener>());
if (serverOptions.ParentPid is int watchedPid)
{
    builder.Services.AddHostedService(services =>
        new ParentProcessWatcher(watchedPid, services.GetRequiredService<IHostApplicationLifetime>()));
}

var app = builder.Build();
app.MapCaptureControlEndpoints();

try
{
    await app.StartAsync();
}
catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
{
    Console.Error.WriteLine($"TSheets.CaptureProxy: cannot listen on {string.Join(", ", serverOptions.Urls)}: {e.Message}");
    return StartupFailed;
}

string control = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
Console.Out.WriteLine($"TSHEETS_CAPTURE_PROXY_LISTENING {control};{app.Services.GetRequiredService<CaptureListener>().ProxyUrl}");
Console.Out.Flush();

await app.WaitForShutdownAsync();
return 0;
