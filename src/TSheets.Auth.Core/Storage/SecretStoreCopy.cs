#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System;
using System.Linq;
using System.Reflection;
using System.Threading;

namespace TSheets.Auth.Storage
{
    /// <summary>What became of this process's copy of the SecretStore store when it was asked to reload.</summary>
    internal enum StoreCopy
    {
        /// <summary>This process holds no copy (SecretStore not loaded, or its store not opened yet): the next call reads the file.</summary>
        None,

        /// <summary>The copy was read again from the file: it is what the disk holds now.</summary>
        Reloaded,

        /// <summary>The file could not be read (a write in progress elsewhere, a password that timed out): the copy may be stale.</summary>
        Unreadable,

        /// <summary>This SecretStore is not built as 1.0.6 is: nothing was done, and the copy may be stale.</summary>
        Unknown,
    }

    /// <summary>
    /// Makes this process's SecretStore copy of its store what the disk holds. SecretStore 1.0.6
    /// (its last release) keeps the decrypted store in memory once per process, in the static
    /// <c>LocalSecretStore.LocalStore</c>, and writes that whole copy back on every change; it
    /// reloads another process's write only through a file watcher, 5 seconds later, and not at all
    /// when this process wrote within 5 seconds before that change. Its own <c>UpdateDataFromFile</c>
    /// (what <c>Unlock-SecretStore</c> calls) reads the file again with the password the copy already
    /// holds. It is internal, so it is found by reflection and checked for the shape 1.0.6 has; any
    /// other shape is <see cref="StoreCopy.Unknown"/> and the caller falls back to child processes.
    /// </summary>
    internal static class SecretStoreCopy
    {
        private const string AssemblyName = "Microsoft.PowerShell.SecretStore";
        private const BindingFlags Static = BindingFlags.NonPublic | BindingFlags.Static;
        private const BindingFlags Instance = BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance;
        private static readonly TimeSpan[] UnreadableRetries = { TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200) };

        /// <summary>Reloads every copy this process holds (one per loaded SecretStore assembly, which is one in practice).</summary>
        public static StoreCopy Reload()
        {
            var result = StoreCopy.None;
            foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies().Where(a => string.Equals(a.GetName().Name, AssemblyName, StringComparison.OrdinalIgnoreCase)))
            {
                var copy = ReloadWithRetries(assembly);
                if (copy > result)
                {
                    result = copy;
                }
            }

            return result;
        }

        private static StoreCopy ReloadWithRetries(Assembly assembly)
        {
            var copy = ReloadOnce(assembly);
            for (var attempt = 0; copy == StoreCopy.Unreadable && attempt < UnreadableRetries.Length; attempt++)
            {
                Thread.Sleep(UnreadableRetries[attempt]);
                copy = ReloadOnce(assembly);
            }

            return copy;
        }

        /// <summary>
        /// <c>UpdateDataFromFile</c> swaps in a new data object only when the file was read; the same
        /// object afterwards means it kept the old copy (it says nothing else).
        /// </summary>
        private static StoreCopy ReloadOnce(Assembly assembly)
        {
            try
            {
                var localStore = assembly.GetType(AssemblyName + ".LocalSecretStore", throwOnError: false);
                var instanceField = localStore?.GetField("LocalStore", Static);
                var storeField = localStore?.GetField("_secureStore", Instance);
                if (instanceField == null || storeField == null)
                {
                    return StoreCopy.Unknown;
                }

                var instance = instanceField.GetValue(null);
                if (instance == null)
                {
                    return StoreCopy.None;
                }

                var store = storeField.GetValue(instance);
                var dataField = store?.GetType().GetField("_data", Instance);
                var update = store?.GetType().GetMethod("UpdateDataFromFile", Instance, null, Type.EmptyTypes, null);
                if (dataField == null || update == null)
                {
                    return StoreCopy.Unknown;
                }

                var before = dataField.GetValue(store);
                try
                {
                    update.Invoke(store, null);
                }
                catch (TargetInvocationException)
                {
                    return StoreCopy.Unreadable;
                }

                return ReferenceEquals(before, dataField.GetValue(store)) ? StoreCopy.Unreadable : StoreCopy.Reloaded;
            }
            catch (Exception ex) when (ex is MemberAccessException || ex is ArgumentException || ex is TypeLoadException || ex is NotSupportedException)
            {
                return StoreCopy.Unknown;
            }
        }
    }
}
