using Microsoft.EntityFrameworkCore;

namespace TSheets.ConformanceServer;

/// <summary>Holds OpenIddict's standard entities (applications, authorizations, scopes, tokens), in memory.</summary>
internal sealed class ConformanceDbContext(DbContextOptions<ConformanceDbContext> options) : DbContext(options);
