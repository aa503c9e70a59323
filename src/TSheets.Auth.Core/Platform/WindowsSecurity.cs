using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace TSheets.Auth.Platform
{
    /// <summary>
    /// The facts Windows keeps about a folder or file: reparse point or not, owner and access list
    /// (GetNamedSecurityInfo), and who this process is (its token's user and default owner). The
    /// decision is <see cref="PrivacyRules"/>'; this only reads. Never called on Linux or macOS.
    /// </summary>
    internal static class WindowsSecurity
    {
        private const int FileObject = 1;                 // SE_FILE_OBJECT
        private const int OwnerAndDacl = 0x1 | 0x4;       // OWNER_ and DACL_SECURITY_INFORMATION
        private const int TokenQuery = 0x8;
        private const int TokenUser = 1;
        private const int TokenOwner = 4;
        private const byte AccessAllowed = 0x0;
        private const byte AccessAllowedCallback = 0x9;
        private const byte InheritOnly = 0x8;

        private static readonly Lazy<string[]> Me = new Lazy<string[]>(ReadMySids);

        /// <summary>The entry's facts, not following a link at its own level (attributes are read from the entry itself).</summary>
        public static EntryFacts Facts(string path)
        {
            FileAttributes attributes;
            try
            {
                attributes = File.GetAttributes(path);
            }
            catch (Exception ex) when (ex is FileNotFoundException || ex is DirectoryNotFoundException)
            {
                return EntryFacts.FromWindows(false, false, false, null, Me.Value, null);
            }

            var reparse = (attributes & FileAttributes.ReparsePoint) != 0;
            var directory = (attributes & FileAttributes.Directory) != 0;
            if (reparse)
            {
                return EntryFacts.FromWindows(true, directory, true, null, Me.Value, new List<AceFact>());
            }

            var status = GetNamedSecurityInfoW(path, FileObject, OwnerAndDacl, out var owner, out _, out var dacl, out _, out var descriptor);
            if (status != 0)
            {
                throw new IOException($"The security of '{path}' cannot be read (error {status}).");
            }

            try
            {
                return EntryFacts.FromWindows(true, directory, false, SidText(owner), Me.Value, dacl == IntPtr.Zero ? null : Aces(dacl));
            }
            finally
            {
                LocalFree(descriptor);
            }
        }

        private static List<AceFact> Aces(IntPtr dacl)
        {
            var aces = new List<AceFact>();
            var count = Marshal.ReadInt16(dacl, 4); // ACL: revision, pad, size (2), ace count (2)
            for (var i = 0; i < count; i++)
            {
                if (!GetAce(dacl, i, out var ace))
                {
                    continue;
                }

                var type = Marshal.ReadByte(ace, 0);
                var flags = Marshal.ReadByte(ace, 1);
                var allows = type == AccessAllowed || type == AccessAllowedCallback;
                if (allows)
                {
                    // ACE_HEADER (4 bytes), ACCESS_MASK (4), then the SID.
                    aces.Add(new AceFact(SidText(ace + 8), true, Marshal.ReadInt32(ace, 4), (flags & InheritOnly) != 0));
                }
            }

            return aces;
        }

        private static string[] ReadMySids()
        {
            if (!OpenProcessToken(GetCurrentProcess(), TokenQuery, out var token))
            {
                return Array.Empty<string>();
            }

            try
            {
                var sids = new List<string>();
                foreach (var kind in new[] { TokenUser, TokenOwner })
                {
                    GetTokenInformation(token, kind, IntPtr.Zero, 0, out var needed);
                    var buffer = Marshal.AllocHGlobal(needed);
                    try
                    {
                        if (GetTokenInformation(token, kind, buffer, needed, out _))
                        {
                            // TOKEN_USER and TOKEN_OWNER both begin with the SID's pointer.
                            var sid = SidText(Marshal.ReadIntPtr(buffer));
                            if (sid != null)
                            {
                                sids.Add(sid);
                            }
                        }
                    }
                    finally
                    {
                        Marshal.FreeHGlobal(buffer);
                    }
                }

                return sids.ToArray();
            }
            finally
            {
                CloseHandle(token);
            }
        }

        private static string? SidText(IntPtr sid)
        {
            if (sid == IntPtr.Zero || !ConvertSidToStringSidW(sid, out var text))
            {
                return null;
            }

            try
            {
                return Marshal.PtrToStringUni(text);
            }
            finally
            {
                LocalFree(text);
            }
        }

        [DllImport("advapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int GetNamedSecurityInfoW(string objectName, int objectType, int securityInfo, out IntPtr owner, out IntPtr group, out IntPtr dacl, out IntPtr sacl, out IntPtr securityDescriptor);

        [DllImport("advapi32.dll", SetLastError = true)]
        private static extern bool GetAce(IntPtr acl, int index, out IntPtr ace);

        [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern bool ConvertSidToStringSidW(IntPtr sid, out IntPtr text);

        [DllImport("advapi32.dll", SetLastError = true)]
        private static extern bool OpenProcessToken(IntPtr process, int access, out IntPtr token);

        [DllImport("advapi32.dll", SetLastError = true)]
        private static extern bool GetTokenInformation(IntPtr token, int informationClass, IntPtr information, int length, out int returned);

        [DllImport("kernel32.dll")]
        private static extern IntPtr GetCurrentProcess();

        [DllImport("kernel32.dll", SetLastError = true)]
        private static extern bool CloseHandle(IntPtr handle);

        [DllImport("kernel32.dll")]
        private static extern IntPtr LocalFree(IntPtr memory);
    }
}
