using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TSheets.Auth.Http
{
    /// <summary>
    /// NO_PROXY as Go reads it (golang.org/x/net/http/httpproxy, which curl agrees with on every form
    /// but one): comma-separated, spaces and case ignored; <c>*</c> matches everything; an IP address
    /// matches that address, a CIDR block (<c>10.0.0.0/8</c>) every address in it; <c>example.com</c>
    /// matches it and every name under it, <c>.example.com</c> and <c>*.example.com</c> only the names
    /// under it; any of them with <c>:port</c> (<c>[::1]:8080</c> for IPv6) only on that port.
    /// Loopback targets need no entry: the environment never applies to them (<see cref="ProxyChoice"/>).
    /// </summary>
    internal sealed class NoProxyList
    {
        public static readonly NoProxyList None = new NoProxyList(false, new List<Entry>());

        private readonly bool all;
        private readonly List<Entry> entries;

        private NoProxyList(bool all, List<Entry> entries)
        {
            this.all = all;
            this.entries = entries;
        }

        public static NoProxyList Parse(string? text)
        {
            var entries = new List<Entry>();
            foreach (var raw in (text ?? string.Empty).Split(','))
            {
                var item = raw.Trim().ToLowerInvariant();
                if (item.Length == 0)
                {
                    continue;
                }

                if (item == "*")
                {
                    return new NoProxyList(true, entries);
                }

                var entry = Entry.Parse(item);
                if (entry != null)
                {
                    entries.Add(entry);
                }
            }

            return new NoProxyList(false, entries);
        }

        /// <summary>True when <paramref name="target"/> is to be reached directly.</summary>
        public bool Matches(Uri target)
        {
            if (all)
            {
                return true;
            }

            if (entries.Count == 0)
            {
                return false;
            }

            var host = target.DnsSafeHost.ToLowerInvariant();
            var port = target.Port.ToString(CultureInfo.InvariantCulture);
            var ip = IPAddress.TryParse(host, out var parsed) ? parsed : null;
            foreach (var entry in entries)
            {
                if (entry.Matches(host, ip, port))
                {
                    return true;
                }
            }

            return false;
        }

        private sealed class Entry
        {
            private string? domain;
            private bool matchesItself;
            private IPAddress? address;
            private int prefixLength = -1;
            private string? port;

            public static Entry? Parse(string item)
            {
                var slash = item.IndexOf('/');
                if (slash > 0 && IPAddress.TryParse(item.Substring(0, slash), out var network)
                    && int.TryParse(item.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var bits)
                    && bits <= (network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
                {
                    return new Entry { address = network, prefixLength = bits };
                }

                var host = item;
                string? port = null;
                var colon = item.LastIndexOf(':');
                var bracketed = item.StartsWith("[", StringComparison.Ordinal);
                if (bracketed)
                {
                    var close = item.IndexOf(']');
                    if (close < 0)
                    {
                        return null;
                    }

                    host = item.Substring(1, close - 1);
                    port = close + 1 < item.Length && item[close + 1] == ':' ? item.Substring(close + 2) : null;
                }
                else if (colon > 0 && item.IndexOf(':') == colon)
                {
                    // One colon: host:port. Several without brackets: a bare IPv6 address.
                    host = item.Substring(0, colon);
                    port = item.Substring(colon + 1);
                }

                if (host.Length == 0 || port?.Length == 0)
                {
                    return null;
                }

                if (IPAddress.TryParse(host, out var ip))
                {
                    return new Entry { address = ip, port = port };
                }

                if (host.StartsWith("*.", StringComparison.Ordinal))
                {
                    host = host.Substring(1);
                }

                var itself = !host.StartsWith(".", StringComparison.Ordinal);
                return new Entry { domain = itself ? "." + host : host, matchesItself = itself, port = port };
            }

            public bool Matches(string host, IPAddress? ip, string targetPort)
            {
                if (port != null && port != targetPort)
                {
                    return false;
                }

                if (address != null)
                {
                    return ip != null && (prefixLength < 0 ? address.Equals(ip) : InBlock(ip));
                }

                return host.EndsWith(domain!, StringComparison.Ordinal) || (matchesItself && host == domain!.Substring(1));
            }

            private bool InBlock(IPAddress ip)
            {
                if (ip.AddressFamily != address!.AddressFamily)
                {
                    return false;
                }

                var a = address.GetAddressBytes();
                var b = ip.GetAddressBytes();
                var whole = prefixLength / 8;
                for (var i = 0; i < whole; i++)
                {
                    if (a[i] != b[i])
                    {
                        return false;
                    }
                }

                var rest = prefixLength % 8;
                var mask = (byte)(0xFF << (8 - rest));
                return rest == 0 || (a[whole] & mask) == (b[whole] & mask);
            }
        }
    }
}
