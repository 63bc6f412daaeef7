#include "core/parse_ahead.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "core/threads.hpp"
#include "core/value.hpp"

namespace relocate {

namespace {

constexpr std::size_t kChunk = 256 * 1024; // one read of the source
constexpr std::size_t kHandOver = 64;      // entries the parser hands over at once
constexpr auto kWait = std::chrono::milliseconds(100);

// Thrown on the parser thread to unwind its reader when the calling thread stops the parse.
struct Stopped {};

std::size_t value_bytes(const ExportEntry &e) {
	std::size_t n = 0;
	for (const ExportField &f : e)
		n += f.value.text.size();
	return n;
}

// What the two threads share, all of it guarded by `mutex`.
struct Pipeline {
	std::mutex mutex;
	std::condition_variable parser_wake; // bytes came, entries were taken, a large entry was consumed, stop
	std::condition_variable reader_wake; // entries were handed over, bytes were taken, the parser ended

	// The source's bytes, read by the calling thread, for the parser.
	std::deque<std::string> chunks;
	std::size_t queued_bytes = 0;
	bool source_end = false;

	// Parsed entries, for the calling thread; consumed entries come back in `spare`, so the parser
	// reuses their storage.
	std::deque<ExportEntry> ready;
	std::vector<ExportEntry> spare;
	bool large_in_flight = false; // the last entry in `ready` is large: the parser waits for it

	bool parser_done = false;
	std::exception_ptr error; // what stopped the parser (after the entries before it)
	bool stop = false;        // set by the calling thread: the parser unwinds at its next wait or read
};

class HandOver;

// The parser's ByteSource: the chunks the calling thread read. Before it takes the next chunk, it
// hands over the entries parsed from the last one: the consumer never waits for a block to fill
// while the parser works through a stretch of the file without entries.
class PipeSource final : public ByteSource {
public:
	PipeSource(Pipeline &p, HandOver &out) : p_(p), out_(out) {}

	std::size_t read(char *buf, std::size_t n) override;
	void rewind() override { throw std::logic_error("relocate: a parse-ahead source cannot be rewound"); }

private:
	Pipeline &p_;
	HandOver &out_;
	std::string current_;
	std::size_t offset_ = 0;
};

// What the parser freed while it read a large value (the reader's string buffers as they grew) goes
// back to the system before the value is written: glibc keeps the parser thread's heap apart from
// the backend's, so the backend could not reuse it, and the import's peak would hold both.
void release_free_heap() {
#if defined(__GLIBC__)
	malloc_trim(0);
#endif
}

// The parser's consumer: moves each entry into the queue, in blocks, and gives the reader recycled
// storage in its place.
class HandOver final : public EntryConsumer {
public:
	explicit HandOver(Pipeline &p) : p_(p) {}

	void consume(ExportEntry &entry) override {
		const bool large = value_bytes(entry) >= kParseAheadLargeEntry;
		pending_.emplace_back();
		if (!pool_.empty()) {
			pending_.back() = std::move(pool_.back());
			pool_.pop_back();
		}
		std::swap(pending_.back(), entry);
		if (large) {
			release_free_heap();
			hand_over(true);
		} else if (pending_.size() >= kHandOver) {
			hand_over();
		}
	}

	// Hands over what is pending (at the end, or before an error is passed on).
	void hand_over(bool large = false) {
		if (pending_.empty())
			return;
		std::unique_lock<std::mutex> lock(p_.mutex);
		while (!p_.stop && !p_.ready.empty() && p_.ready.size() + pending_.size() > kParseAheadEntries)
			p_.parser_wake.wait(lock);
		if (p_.stop)
			throw Stopped();
		for (ExportEntry &e : pending_)
			p_.ready.push_back(std::move(e));
		pending_.clear();
		if (pool_.empty())
			pool_.swap(p_.spare);
		p_.large_in_flight = large;
		p_.reader_wake.notify_one();
		// A large entry is consumed before anything after it is read.
		while (large && !p_.stop && p_.large_in_flight)
			p_.parser_wake.wait(lock);
		if (p_.stop)
			throw Stopped();
	}

private:
	Pipeline &p_;
	std::vector<ExportEntry> pending_;
	std::vector<ExportEntry> pool_;
};

std::size_t PipeSource::read(char *buf, std::size_t n) {
	if (offset_ == current_.size()) {
		out_.hand_over();
		std::unique_lock<std::mutex> lock(p_.mutex);
		while (p_.chunks.empty() && !p_.source_end && !p_.stop)
			p_.parser_wake.wait(lock);
		if (p_.stop)
			throw Stopped();
		if (p_.chunks.empty())
			return 0; // the end of the source
		current_.swap(p_.chunks.front());
		p_.chunks.pop_front();
		p_.queued_bytes -= current_.size();
		offset_ = 0;
		p_.reader_wake.notify_one(); // room for another chunk
	}
	const std::size_t take = std::min(n, current_.size() - offset_);
	std::memcpy(buf, current_.data() + offset_, take);
	offset_ += take;
	return take;
}

void parse(Pipeline &p) {
	HandOver out(p);
	PipeSource source(p, out);
	std::exception_ptr error;
	try {
		read_export(source, out, {});
		out.hand_over();
	} catch (const Stopped &) {
	} catch (...) {
		error = std::current_exception();
		try {
			out.hand_over(); // the entries before the error are consumed first, as read_export does
		} catch (...) {
		}
	}
	std::lock_guard<std::mutex> lock(p.mutex);
	p.error = error;
	p.parser_done = true;
	p.reader_wake.notify_one();
}

// Stops and joins the parser when the calling thread leaves, by an exception or not.
class JoinParser {
public:
	JoinParser(Pipeline &p, std::thread &parser) : p_(p), parser_(parser) {}
	~JoinParser() { stop_and_join(); }
	// Also what the backend's exit calls (StopThreadsAtExit); then the destructor finds it joined.
	void stop_and_join() {
		if (!parser_.joinable())
			return;
		{
			std::lock_guard<std::mutex> lock(p_.mutex);
			p_.stop = true;
		}
		p_.parser_wake.notify_all();
		parser_.join();
	}
	JoinParser(const JoinParser &) = delete;
	JoinParser &operator=(const JoinParser &) = delete;

private:
	Pipeline &p_;
	std::thread &parser_;
};

// Asks the cache for an entry the parser thread wrote (its bytes are in the other core's cache):
// first its fields, then, once those have come, the strings they point to. The consumer reads
// every field of every entry, so each miss it takes is a wait.
void prefetch_bytes(const void *p, std::size_t n) {
	const char *c = static_cast<const char *>(p);
	for (std::size_t at = 0; at < n; at += 64)
		__builtin_prefetch(c + at);
}
void prefetch_fields(const ExportEntry &e) {
	prefetch_bytes(e.fields.data(), e.field_count * sizeof(ExportField));
}
void prefetch_strings(const ExportEntry &e) {
	for (const ExportField &f : e) {
		prefetch_bytes(f.name.data(), std::min<std::size_t>(f.name.size(), 64));
		prefetch_bytes(f.value.text.data(), std::min<std::size_t>(f.value.text.size(), 256));
	}
}

// Frees what a consumed entry holds beyond short strings before its storage goes back to the
// parser: the spare entries keep at most kMoveTextAtLeast bytes a string.
void release_long_strings(ExportEntry &e) {
	for (ExportField &f : e.fields) {
		if (f.value.text.capacity() > kMoveTextAtLeast)
			std::string().swap(f.value.text);
		if (f.name.capacity() > kMoveTextAtLeast)
			std::string().swap(f.name);
	}
}

} // namespace

void read_export_ahead(ByteSource &source, EntryConsumer &consumer, const CheckInterrupts &check) {
	Pipeline p;
	std::thread parser;
	try {
		parser = start_thread_without_signals([&p] { parse(p); });
	} catch (const std::system_error &) {
		read_export(source, consumer, check); // no thread to be had: parse on this one
		return;
	}
	JoinParser join(p, parser);
	auto stop_parser = [&join] { join.stop_and_join(); };
	const StopThreadsAtExit at_exit(stop_parser);
	std::deque<ExportEntry> taken;
	std::string chunk;
	for (;;) {
		// Keep the parser fed, at most kParseAheadBytes a round before the entries are looked at. The
		// source is read outside the lock: a read may be a PostgreSQL call.
		for (std::size_t fed = 0; fed < kParseAheadBytes;) {
			{
				std::lock_guard<std::mutex> lock(p.mutex);
				// (Not after the parser ended: read_export reads no further than where it stops.)
				if (p.source_end || p.parser_done || p.queued_bytes >= kParseAheadBytes)
					break;
			}
			if (check)
				check();
			chunk.resize(kChunk);
			chunk.resize(source.read(chunk.data(), kChunk));
			fed += chunk.size();
			std::lock_guard<std::mutex> lock(p.mutex);
			if (chunk.empty()) {
				p.source_end = true;
			} else {
				p.queued_bytes += chunk.size();
				p.chunks.push_back(std::move(chunk));
				chunk = std::string();
			}
			p.parser_wake.notify_one();
		}
		bool large = false;
		{
			std::unique_lock<std::mutex> lock(p.mutex);
			if (p.ready.empty()) {
				if (p.parser_done)
					break;
				p.reader_wake.wait_for(lock, kWait, [&] {
					return !p.ready.empty() || p.parser_done || (!p.source_end && p.queued_bytes < kParseAheadBytes);
				});
				if (p.ready.empty()) {
					lock.unlock();
					if (check)
						check();
					continue;
				}
			}
			taken.swap(p.ready);
			large = p.large_in_flight;
			p.parser_wake.notify_one(); // room for more entries
		}
		for (std::size_t i = 0; i < taken.size(); ++i) {
			if (i + 4 < taken.size())
				prefetch_fields(taken[i + 4]);
			if (i + 2 < taken.size())
				prefetch_strings(taken[i + 2]);
			consumer.consume(taken[i]);
		}
		if (check)
			check();
		for (ExportEntry &e : taken)
			release_long_strings(e);
		std::lock_guard<std::mutex> lock(p.mutex);
		if (large)
			p.large_in_flight = false;
		for (ExportEntry &e : taken)
			if (p.spare.size() < kParseAheadEntries)
				p.spare.push_back(std::move(e));
		taken.clear();
		p.parser_wake.notify_one();
	}
	std::exception_ptr error;
	{
		std::lock_guard<std::mutex> lock(p.mutex);
		error = p.error;
	}
	if (error)
		std::rethrow_exception(error);
}

} // namespace relocate
