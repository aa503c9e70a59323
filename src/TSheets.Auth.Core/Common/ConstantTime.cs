namespace TSheets.Auth.Common
{
    internal static class ConstantTime
    {
        /// <summary>Compares without an early exit, so timing tells nothing about how much matched.</summary>
        public static bool Equals(string? a, string? b)
        {
            if (a == null || b == null)
            {
                return false;
            }

            var difference = a.Length ^ b.Length;
            for (var i = 0; i < a.Length; i++)
            {
                difference |= a[i] ^ (i < b.Length ? b[i] : 0);
            }

            return difference == 0;
        }
    }
}
