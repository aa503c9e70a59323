using System;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace TSheets.Auth.Platform
{
    /// <summary>
    /// The few POSIX calls the module's private folders need (lstat, fstat, open without following
    /// links, mkdir, fchmod, flock, geteuid, unlink, rename), through the .NET runtime's own native shim
    /// (libSystem.Native, which every .NET on Linux and macOS ships and .NET itself uses for files):
    /// its flags, error codes and status layout are the same on every Unix and CPU, where libc's
    /// differ (O_NOFOLLOW, struct stat). netstandard2.0 has no public API for a file's owner.
    /// </summary>
    internal static class UnixNative
    {
        private const string Library = "libSystem.Native";

        // The shim's own numbering (pal_io.h, pal_error_common.h), fixed "for managed callers to use forever".
        internal const int ReadOnly = 0x0000;
        internal const int ReadWrite = 0x0002;
        internal const int CloseOnExec = 0x0010;
        internal const int Create = 0x0020;
        internal const int Exclusive = 0x0040;
        internal const int NoFollow = 0x0200;

        internal const int TypeMask = 0xF000;
        internal const int TypeDirectory = 0x4000;
        internal const int TypeRegular = 0x8000;
        internal const int TypeLink = 0xA000;

        internal const int LockExclusive = 2;
        internal const int LockNonBlocking = 4;
        internal const int LockUnlock = 8;

        internal const int ErrorWouldBlock = 0x10006;
        internal const int ErrorInvalid = 0x1001C;
        internal const int ErrorExists = 0x10014;
        internal const int ErrorLoop = 0x10020;
        internal const int ErrorNotFound = 0x1002D;

        private static readonly Lazy<string?> Missing = new Lazy<string?>(Probe);

        /// <summary>Null when the calls work here; else why not (then nothing is made or opened: no private folder, no lock).</summary>
        public static string? WhyUnavailable => Missing.Value;

        public static uint EffectiveUserId => GetEUid();

        /// <summary>lstat: the entry itself, a link not followed. False with the shim's error code.</summary>
        public static bool TryLStat(string path, out FileStatus status, out int error) => Check(LStat(Z(path), out status) == 0, out error);

        public static bool TryFStat(SafeFileHandle file, out FileStatus status, out int error) => Check(FStat(file, out status) == 0, out error);

        /// <summary>
        /// open(2) with the shim's flags; null with the error code when it fails. A runtime whose shim
        /// predates its O_NOFOLLOW flag refuses it as invalid: then the open is made without it, and
        /// the callers' fstat-against-lstat check is what keeps a swapped-in link from being used.
        /// </summary>
        public static SafeFileHandle? Open(string path, int flags, int mode, out int error)
        {
            var handle = OpenRaw(Z(path), flags, mode);
            if (handle.IsInvalid)
            {
                error = LastError();
                handle.Dispose();
                return error == ErrorInvalid && (flags & NoFollow) != 0 ? Open(path, flags & ~NoFollow, mode, out error) : null;
            }

            error = 0;
            return handle;
        }

        public static bool TryMakeDirectory(string path, int mode, out int error) => Check(MkDir(Z(path), mode) == 0, out error);

        public static bool TryChangeMode(SafeFileHandle file, int mode, out int error) => Check(FChMod(file, mode) == 0, out error);

        public static bool TryLock(SafeFileHandle file, out int error) => Check(FLock(file, LockExclusive | LockNonBlocking) == 0, out error);

        /// <summary>Lets go of a lock <see cref="TryLock"/> took, the file staying open.</summary>
        public static bool TryUnlock(SafeFileHandle file) => FLock(file, LockUnlock) == 0;

        public static bool TryUnlink(string path) => Unlink(Z(path)) == 0;

        /// <summary>rename(2): replaces <paramref name="to"/> in one step (a link there is replaced, never followed).</summary>
        public static bool TryRename(string from, string to, out int error) => Check(Rename(Z(from), Z(to)) == 0, out error);

        public static bool TryRemoveDirectory(string path) => RmDir(Z(path)) == 0;

        /// <summary>
        /// The same file system entry (device and inode), so a path swapped after a check is noticed.
        /// RDev too: 0 for folders and files, and where an older shim lacks it, that slot holds the inode.
        /// </summary>
        public static bool SameEntry(in FileStatus a, in FileStatus b) => a.Dev == b.Dev && a.RDev == b.RDev && a.Ino == b.Ino;

        private static bool Check(bool ok, out int error)
        {
            error = ok ? 0 : LastError();
            return ok;
        }

        /// <summary>A path as the C string the shim takes: UTF-8, NUL-terminated (netstandard2.0 has no UTF-8 string marshalling).</summary>
        private static byte[] Z(string path) => System.Text.Encoding.UTF8.GetBytes(path + "\0");

        private static int LastError() => ConvertErrorPlatformToPal(Marshal.GetLastWin32Error());

        private static string? Probe()
        {
            try
            {
                // Only whether the calls can be made at all matters here: their results are read where they are used.
                _ = GetEUid();
                _ = LStat(Z("/"), out _);
                return null;
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException || ex is BadImageFormatException)
            {
                return $"this .NET offers no way to check who owns a file ({ex.GetType().Name})";
            }
        }

        [DllImport(Library, EntryPoint = "SystemNative_LStat", SetLastError = true)]
        private static extern int LStat(byte[] path, out FileStatus status);

        [DllImport(Library, EntryPoint = "SystemNative_FStat", SetLastError = true)]
        private static extern int FStat(SafeFileHandle file, out FileStatus status);

        [DllImport(Library, EntryPoint = "SystemNative_Open", SetLastError = true)]
        private static extern SafeFileHandle OpenRaw(byte[] path, int flags, int mode);

        [DllImport(Library, EntryPoint = "SystemNative_MkDir", SetLastError = true)]
        private static extern int MkDir(byte[] path, int mode);

        [DllImport(Library, EntryPoint = "SystemNative_FChMod", SetLastError = true)]
        private static extern int FChMod(SafeFileHandle file, int mode);

        [DllImport(Library, EntryPoint = "SystemNative_FLock", SetLastError = true)]
        private static extern int FLock(SafeFileHandle file, int operation);

        [DllImport(Library, EntryPoint = "SystemNative_Unlink", SetLastError = true)]
        private static extern int Unlink(byte[] path);

        [DllImport(Library, EntryPoint = "SystemNative_Rename", SetLastError = true)]
        private static extern int Rename(byte[] oldPath, byte[] newPath);

        [DllImport(Library, EntryPoint = "SystemNative_RmDir", SetLastError = true)]
        private static extern int RmDir(byte[] path);

        [DllImport(Library, EntryPoint = "SystemNative_GetEUid")]
        private static extern uint GetEUid();

        [DllImport(Library, EntryPoint = "SystemNative_ConvertErrorPlatformToPal")]
        private static extern int ConvertErrorPlatformToPal(int platformError);

        /// <summary>The shim's FileStatus (pal_io.h), not the platform's struct stat.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct FileStatus
        {
            public int Flags;
            public int Mode;
            public uint Uid;
            public uint Gid;
            public long Size;
            public long ATime;
            public long ATimeNsec;
            public long MTime;
            public long MTimeNsec;
            public long CTime;
            public long CTimeNsec;
            public long BirthTime;
            public long BirthTimeNsec;
            public long Dev;
            public long RDev;
            public long Ino;
            public uint UserFlags;
        }
    }
}
