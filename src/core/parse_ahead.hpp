// Reading an export with its JSON parsed ahead, on a thread of its own.
//
// read_export_ahead delivers the very entries read_export does, in the same order, with the same
// errors, but the parsing (RapidJSON, UTF-8 validation, the entries' strings) runs on a parser
// thread while the calling thread imports the entries parsed before: on a machine with two cores
// the parse costs the import next to nothing.
//
// The parser thread makes no PostgreSQL call and touches nothing but its own reader and the
// queues between the two threads. The calling thread keeps everything else: it reads the source
// (a server file or a large object is read through PostgreSQL, under pg_guard), checks for
// interrupts while it waits, and consumes every entry. So the source and the consumer need not be
// thread-safe.
//
// PostgreSQL-free.
#pragma once

#include "core/byte_source.hpp"
#include "core/export_reader.hpp"

namespace relocate {

// Bounds of what the parser thread holds ahead of the consumer: at most kParseAheadEntries parsed
// entries and kParseAheadBytes of the source's bytes. An entry holding kParseAheadLargeEntry bytes
// or more of values is handed over alone, and the parser waits until it is consumed before it reads
// on: one large value is never held twice (as when read_export reads the next entry only after the
// consumer returns).
inline constexpr std::size_t kParseAheadEntries = 512;
inline constexpr std::size_t kParseAheadBytes = 1024 * 1024;
inline constexpr std::size_t kParseAheadLargeEntry = 1024 * 1024;

// As read_export(source, consumer, check), the JSON parsed on a thread of its own. `check` (if set)
// is called on the calling thread before each read of the source and at least every 100 ms while
// it waits for the parser; when it throws, or the consumer or the source throws, the parser thread
// is stopped and joined before the exception leaves.
void read_export_ahead(ByteSource &source, EntryConsumer &consumer, const CheckInterrupts &check);

} // namespace relocate
