using System;
using System.Collections.Generic;
using System.IO;
using TSheets.Auth.Http;

namespace TSheets.Auth.Storage
{
    /// <summary>
    /// The shared pacing file of one token, read and written by a holder of its lock: a 16-byte
    /// header ("TSAPACE1", then the UTC ticks until which a 429 holds every call) and one 24-byte
    /// record per call counted (sent, answered or 0, process, sequence; little-endian). Only the
    /// token's fingerprint names the file, and it holds times and process ids: no secret. Anything
    /// else found there (a torn or foreign file) reads as an empty book and is written anew.
    /// </summary>
    internal sealed class PaceFile
    {
        public const int HeaderSize = 16;
        public const int RecordSize = 24;
        private const ulong Magic = 0x3145434150415354; // "TSAPACE1"

        private PaceFile(List<PaceRecord> records, long heldUntil, bool valid)
        {
            Records = records;
            HeldUntil = heldUntil;
            Valid = valid;
        }

        public List<PaceRecord> Records { get; }

        public long HeldUntil { get; set; }

        /// <summary>False when the file held no book (new, torn, foreign): the next write rewrites it whole.</summary>
        public bool Valid { get; }

        /// <summary>
        /// The header alone: when a 429 holds every call until, and how many records follow; false for
        /// no book (new, torn, foreign). Enough to know there is room while fewer calls than the limit are written.
        /// </summary>
        public static bool TryReadHeader(Stream file, out long heldUntil, out int count)
        {
            heldUntil = 0;
            count = 0;
            var length = file.Length;
            if (length < HeaderSize || (length - HeaderSize) % RecordSize != 0 || length > int.MaxValue)
            {
                return false;
            }

            var header = new byte[HeaderSize];
            file.Position = 0;
            ReadFully(file, header, HeaderSize);
            if (BitConverter.ToUInt64(header, 0) != Magic)
            {
                return false;
            }

            heldUntil = BitConverter.ToInt64(header, 8);
            count = (int)((length - HeaderSize) / RecordSize);
            return true;
        }

        public static PaceFile Read(Stream file)
        {
            if (!TryReadHeader(file, out var heldUntil, out var count))
            {
                return new PaceFile(new List<PaceRecord>(), 0, false);
            }

            // In chunks of whole records: a small buffer, whatever the file's size.
            var records = new List<PaceRecord>(count + 1);
            var chunk = new byte[RecordSize * 170];
            for (var done = 0; done < count;)
            {
                var take = Math.Min(count - done, chunk.Length / RecordSize);
                ReadFully(file, chunk, take * RecordSize);
                for (var i = 0; i < take; i++)
                {
                    var at = i * RecordSize;
                    records.Add(new PaceRecord(BitConverter.ToInt64(chunk, at), BitConverter.ToInt64(chunk, at + 8), BitConverter.ToInt32(chunk, at + 16), BitConverter.ToInt32(chunk, at + 20)));
                }

                done += take;
            }

            return new PaceFile(records, heldUntil, true);
        }

        /// <summary>Writes <paramref name="record"/> after the <paramref name="count"/> records of a valid book; returns its offset.</summary>
        public static long AppendAfter(Stream file, int count, PaceRecord record)
        {
            var offset = HeaderSize + ((long)count * RecordSize);
            file.Position = offset;
            Write(file, record);
            return offset;
        }

        /// <summary>Adds <paramref name="record"/> at the end (the whole book first when it was not valid); returns its offset.</summary>
        public long Append(Stream file, PaceRecord record)
        {
            if (!Valid)
            {
                Records.Add(record);
                Rewrite(file);
                return HeaderSize + ((Records.Count - 1) * RecordSize);
            }

            var offset = AppendAfter(file, Records.Count, record);
            Records.Add(record);
            return offset;
        }

        /// <summary>The header and every record in <see cref="Records"/>, nothing after them.</summary>
        public void Rewrite(Stream file)
        {
            file.Position = 0;
            var header = new byte[HeaderSize];
            BitConverter.GetBytes(Magic).CopyTo(header, 0);
            BitConverter.GetBytes(HeldUntil).CopyTo(header, 8);
            file.Write(header, 0, header.Length);
            foreach (var record in Records)
            {
                Write(file, record);
            }

            file.SetLength(file.Position);
        }

        /// <summary>The answer time of the record <paramref name="ticket"/> took, where it still is; false when it is gone.</summary>
        public static bool Finish(Stream file, PaceTicket ticket, long at)
        {
            if (ticket.Offset >= HeaderSize && ticket.Offset + RecordSize <= file.Length && Is(file, ticket.Offset, ticket.Record))
            {
                WriteFinished(file, ticket.Offset, at);
                return true;
            }

            // Moved by a rewrite since: looked for.
            var book = Read(file);
            var index = book.Valid ? book.Records.FindIndex(r => Same(r, ticket.Record)) : -1;
            if (index < 0)
            {
                return false;
            }

            WriteFinished(file, HeaderSize + ((long)index * RecordSize), at);
            return true;
        }

        private static bool Is(Stream file, long offset, PaceRecord wanted)
        {
            var bytes = new byte[RecordSize];
            file.Position = offset;
            ReadFully(file, bytes, RecordSize);
            return BitConverter.ToInt64(bytes, 0) == wanted.Started && BitConverter.ToInt32(bytes, 16) == wanted.Process && BitConverter.ToInt32(bytes, 20) == wanted.Sequence;
        }

        private static bool Same(PaceRecord a, PaceRecord b) => a.Started == b.Started && a.Process == b.Process && a.Sequence == b.Sequence;

        private static void WriteFinished(Stream file, long offset, long at)
        {
            file.Position = offset + 8;
            file.Write(BitConverter.GetBytes(at), 0, 8);
        }

        private static void Write(Stream file, PaceRecord record)
        {
            var bytes = new byte[RecordSize];
            BitConverter.GetBytes(record.Started).CopyTo(bytes, 0);
            BitConverter.GetBytes(record.Finished).CopyTo(bytes, 8);
            BitConverter.GetBytes(record.Process).CopyTo(bytes, 16);
            BitConverter.GetBytes(record.Sequence).CopyTo(bytes, 20);
            file.Write(bytes, 0, bytes.Length);
        }

        private static void ReadFully(Stream file, byte[] buffer, int count)
        {
            var read = 0;
            while (read < count)
            {
                var n = file.Read(buffer, read, count - read);
                if (n == 0)
                {
                    throw new EndOfStreamException("The pacing file ended early.");
                }

                read += n;
            }
        }
    }
}
