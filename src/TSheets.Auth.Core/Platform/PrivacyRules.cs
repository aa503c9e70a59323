#nullable disable // Not yet annotated: Storage, Operations and the privacy rules are next (docs/architecture.md).

using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace TSheets.Auth.Platform
{
    internal enum EntryKind
    {
        Missing,
        Folder,
        File,
        Link,
        Other,
    }

    /// <summary>What the OS says about one folder or file the module keeps: gathered per platform, judged by <see cref="PrivacyRules"/>.</summary>
    internal sealed class EntryFacts
    {
        public EntryKind Kind { get; set; }

        /// <summary>Owned by this user (on Windows also SYSTEM or Administrators, who can open anything anyway).</summary>
        public bool OwnedByMe { get; set; }

        /// <summary>Who owns it, for the message ("uid 1001", a SID).</summary>
        public string Owner { get; set; }

        /// <summary>Null when only its owner can open it; else who else can ("group and others (mode 0777)", a SID).</summary>
        public string OpenToOthers { get; set; }

        /// <summary>Unix: the facts of an lstat (mode with its type bits, owner's uid) for the user <paramref name="myUid"/>.</summary>
        public static EntryFacts FromUnix(int mode, uint uid, uint myUid)
        {
            var type = mode & UnixNative.TypeMask;
            var access = mode & 0x1FF;
            return new EntryFacts
            {
                Kind = type == UnixNative.TypeDirectory ? EntryKind.Folder : type == UnixNative.TypeRegular ? EntryKind.File : type == UnixNative.TypeLink ? EntryKind.Link : EntryKind.Other,
                OwnedByMe = uid == myUid,
                Owner = "uid " + uid.ToString(CultureInfo.InvariantCulture),
                OpenToOthers = (access & 0x3F) == 0 ? null : "its group or others (mode " + System.Convert.ToString(access, 8).PadLeft(4, '0') + ")",
            };
        }

        /// <summary>
        /// Windows: a reparse point (a symbolic link, a junction) is a link; the owner must be one of
        /// <paramref name="mySids"/> or SYSTEM or Administrators; an allowing ACE that applies to the
        /// entry itself for any other SID opens it to others (deny ACEs and inherit-only ACEs do not).
        /// A null DACL (<paramref name="aces"/> null) lets everyone in.
        /// </summary>
        public static EntryFacts FromWindows(bool exists, bool isDirectory, bool isReparsePoint, string ownerSid, ICollection<string> mySids, IEnumerable<AceFact> aces)
        {
            if (!exists)
            {
                return new EntryFacts { Kind = EntryKind.Missing };
            }

            var trusted = new HashSet<string>(mySids, System.StringComparer.OrdinalIgnoreCase) { WellKnownSids.System, WellKnownSids.Administrators, WellKnownSids.OwnerRights };
            var others = aces == null
                ? new List<string> { "everyone (no access list)" }
                : aces.Where(ace => ace.Allows && !ace.InheritOnly && ace.Mask != 0 && !trusted.Contains(ace.Sid) && !string.Equals(ace.Sid, WellKnownSids.CreatorOwner, System.StringComparison.OrdinalIgnoreCase))
                    .Select(ace => ace.Sid).Distinct(System.StringComparer.OrdinalIgnoreCase).ToList();
            return new EntryFacts
            {
                Kind = isReparsePoint ? EntryKind.Link : isDirectory ? EntryKind.Folder : EntryKind.File,
                OwnedByMe = ownerSid != null && trusted.Contains(ownerSid),
                Owner = ownerSid ?? "no owner",
                OpenToOthers = others.Count == 0 ? null : string.Join(", ", others),
            };
        }
    }

    /// <summary>One entry of a Windows access list, as far as the decision needs it.</summary>
    internal sealed class AceFact
    {
        public AceFact(string sid, bool allows, int mask, bool inheritOnly)
        {
            Sid = sid;
            Allows = allows;
            Mask = mask;
            InheritOnly = inheritOnly;
        }

        public string Sid { get; }

        public bool Allows { get; }

        public int Mask { get; }

        public bool InheritOnly { get; }
    }

    internal static class WellKnownSids
    {
        public const string System = "S-1-5-18";
        public const string Administrators = "S-1-5-32-544";
        public const string CreatorOwner = "S-1-3-0";
        public const string OwnerRights = "S-1-3-4";
    }

    internal enum PrivacyAction
    {
        Use,
        Create,
        MakePrivate,
        Refuse,
    }

    /// <summary>
    /// The one decision about a folder or file the module keeps for itself (a lock, its record, a
    /// sign-in page): never through a link, never one another user owns (whoever may change its
    /// mode: root's chmod works on anyone's folder, so ownership is read, not inferred), never one
    /// others can open (made private when this user owns it and the platform allows, else refused).
    /// Refused means not used at all: the caller goes on without it.
    /// </summary>
    internal static class PrivacyRules
    {
        public static PrivacyAction Judge(string path, EntryKind expected, EntryFacts facts, bool canMakePrivate, out string why)
        {
            why = null;
            switch (facts.Kind)
            {
                case EntryKind.Missing:
                    return PrivacyAction.Create;
                case EntryKind.Link:
                    why = $"'{path}' is a symbolic link (or another redirection), which is never followed";
                    return PrivacyAction.Refuse;
                default:
                    if (facts.Kind != expected)
                    {
                        why = $"'{path}' is not a {(expected == EntryKind.Folder ? "folder" : "regular file")}";
                        return PrivacyAction.Refuse;
                    }

                    break;
            }

            if (!facts.OwnedByMe)
            {
                why = $"'{path}' belongs to another user ({facts.Owner})";
                return PrivacyAction.Refuse;
            }

            if (facts.OpenToOthers != null)
            {
                if (canMakePrivate)
                {
                    return PrivacyAction.MakePrivate;
                }

                why = $"'{path}' can be opened by {facts.OpenToOthers}";
                return PrivacyAction.Refuse;
            }

            return PrivacyAction.Use;
        }
    }
}
