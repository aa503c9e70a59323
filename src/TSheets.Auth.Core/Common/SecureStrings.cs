using System;
using System.Runtime.InteropServices;
using System.Security;

namespace TSheets.Auth.Common
{
    /// <summary>Conversions between <see cref="SecureString"/> and the plain text a wire needs.</summary>
    internal static class SecureStrings
    {
        /// <summary>A read-only SecureString holding <paramref name="value"/>; null for null.</summary>
        public static SecureString? FromPlainText(string? value)
        {
            if (value == null)
            {
                return null;
            }

            var secure = new SecureString();
            foreach (var c in value)
            {
                secure.AppendChar(c);
            }

            secure.MakeReadOnly();
            return secure;
        }

        /// <summary>The plain text of <paramref name="value"/>, for the moment it goes on the wire.</summary>
        public static string? ToPlainText(SecureString? value)
        {
            if (value == null)
            {
                return null;
            }

            if (value.Length == 0)
            {
                return string.Empty;
            }

            var pointer = IntPtr.Zero;
            try
            {
                pointer = Marshal.SecureStringToGlobalAllocUnicode(value);
                return Marshal.PtrToStringUni(pointer, value.Length);
            }
            finally
            {
                if (pointer != IntPtr.Zero)
                {
                    Marshal.ZeroFreeGlobalAllocUnicode(pointer);
                }
            }
        }

        /// <summary>True when <paramref name="value"/> is null, empty, or only white space.</summary>
        public static bool IsNullOrWhiteSpace(SecureString? value)
        {
            if (value == null || value.Length == 0)
            {
                return true;
            }

            return string.IsNullOrWhiteSpace(ToPlainText(value));
        }

        /// <summary>An independent read-only copy, so a caller disposing its object cannot break the store.</summary>
        public static SecureString? CopyReadOnly(SecureString? value)
        {
            if (value == null)
            {
                return null;
            }

            var copy = value.Copy();
            copy.MakeReadOnly();
            return copy;
        }
    }
}
