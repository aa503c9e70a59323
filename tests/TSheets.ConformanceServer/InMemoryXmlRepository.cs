using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace TSheets.ConformanceServer;

/// <summary>Keeps ASP.NET data protection keys for the life of the process only.</summary>
internal sealed class InMemoryXmlRepository : IXmlRepository
{
    private readonly Lock _lock = new();
    private readonly List<XElement> _elements = [];

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_lock)
        {
            return _elements.Select(element => new XElement(element)).ToArray();
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_lock)
        {
            _elements.Add(new XElement(element));
        }
    }
}
