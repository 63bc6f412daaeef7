// Tests of read_export_ahead (src/core/parse_ahead.cpp): the entries, their order, positions and
// errors are read_export's; an exception of the consumer, the source or the interrupt check stops
// the parser thread and leaves; a large entry is consumed before the parser reads past it.
#include "core/parse_ahead.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"

namespace relocate {
namespace {

// One delivered entry, deep-copied.
struct Seen {
	std::string model;
	std::int64_t pk;
	std::size_t index, offset, line;
	std::vector<std::pair<std::string, std::string>> fields; // name, type + text

	bool operator==(const Seen &o) const {
		return model == o.model && pk == o.pk && index == o.index && offset == o.offset && line == o.line &&
		       fields == o.fields;
	}
};

class Recorder : public EntryConsumer {
public:
	std::vector<Seen> entries;
	std::function<void(ExportEntry &)> hook;
	bool take_text = false; // move the values out, as the importer does with long ones

	void consume(ExportEntry &e) override {
		if (hook)
			hook(e);
		Seen s{e.model, e.pk, e.index, e.offset, e.line, {}};
		for (ExportField &f : e) {
			std::string text = take_text ? std::move(f.value.text) : f.value.text;
			s.fields.emplace_back(f.name, std::to_string(static_cast<int>(f.value.type)) +
			                                  (f.value.boolean ? "t" : "f") + ":" + text);
		}
		entries.push_back(std::move(s));
	}
};

// A source that hands out at most `step` bytes per read, and counts what was read.
class CountingStringSource final : public ByteSource {
public:
	explicit CountingStringSource(std::string data, std::size_t step = SIZE_MAX)
	    : data_(std::move(data)), step_(step) {}
	std::size_t read(char *buf, std::size_t n) override {
		if (fail_at_ != SIZE_MAX && at_ >= fail_at_)
			throw std::runtime_error("the source failed");
		const std::size_t take = std::min({n, step_, data_.size() - at_});
		data_.copy(buf, take, at_);
		at_ += take;
		read_ = at_;
		return take;
	}
	void rewind() override { at_ = 0; }
	std::size_t bytes_read() const { return read_.load(); }
	void fail_at(std::size_t offset) { fail_at_ = offset; }
	const std::string &data() const { return data_; }

private:
	std::string data_;
	std::size_t step_;
	std::size_t at_ = 0;
	std::atomic<std::size_t> read_{0};
	std::size_t fail_at_ = SIZE_MAX;
};

// `n` entries of several models and every kind of value, spread over lines, with escapes, UTF-8,
// objects and arrays, and strings of many lengths (short ones, and ones of thousands of bytes).
std::string mixed_export(std::size_t n) {
	std::string json = "[\n";
	for (std::size_t i = 1; i <= n; ++i) {
		const std::string pk = std::to_string(i);
		json += i % 3 == 0 ? "  {\"model\": \"sentry.user\", \"pk\": " + pk + ",\n   \"fields\": {"
		                   : "{\"pk\":" + pk + ",\"model\":\"Sentry.Option\",\"fields\":{";
		json += "\"key\": \"k\\u00e9y-" + pk + "\\n\", \"n\": " + std::to_string(i * 7919) +
		        ".5, \"b\": " + (i % 2 ? "true" : "false") +
		        ", \"z\": null, \"o\": {\"a\": [1, \"x\", {\"y\": null}]}, \"long\": \"" +
		        std::string(i % 97 * 37, static_cast<char>('a' + i % 26)) + "\", \"a\": [" + pk + "]}}";
		json += i < n ? ",\n" : "\n";
	}
	return json + "]\n";
}

std::vector<Seen> read_plain(const std::string &json) {
	Recorder r;
	read_export(json.data(), json.size(), r);
	return r.entries;
}

TEST(ParseAhead, DeliversWhatReadExportDelivers) {
	const std::string json = mixed_export(5000); // many hand-overs, many source chunks
	const std::vector<Seen> expected = read_plain(json);
	ASSERT_EQ(expected.size(), 5000u);
	for (std::size_t step : {SIZE_MAX, std::size_t{4093}}) {
		CountingStringSource source(json, step);
		Recorder r;
		read_export_ahead(source, r, {});
		ASSERT_EQ(r.entries.size(), expected.size()) << "step " << step;
		for (std::size_t i = 0; i < expected.size(); ++i)
			ASSERT_TRUE(r.entries[i] == expected[i]) << "entry " << i << ", step " << step;
	}
}

TEST(ParseAhead, TheConsumerMayTakeTheValues) {
	const std::string json = mixed_export(3000);
	const std::vector<Seen> expected = read_plain(json);
	CountingStringSource source(json);
	Recorder r;
	r.take_text = true; // the recycled entries must not hand old text to later entries
	read_export_ahead(source, r, {});
	ASSERT_EQ(r.entries.size(), expected.size());
	for (std::size_t i = 0; i < expected.size(); ++i)
		ASSERT_TRUE(r.entries[i] == expected[i]) << "entry " << i;
}

TEST(ParseAhead, EmptyArrayAndByteOrderMark) {
	CountingStringSource empty("[]");
	Recorder r;
	read_export_ahead(empty, r, {});
	EXPECT_TRUE(r.entries.empty());
	const std::string json = "\xEF\xBB\xBF" + mixed_export(3);
	CountingStringSource bom(json);
	read_export_ahead(bom, r, {});
	EXPECT_TRUE(r.entries == read_plain(json));
}

// The error of a malformed document comes after the entries before it, as read_export's does.
TEST(ParseAhead, ParseErrorsAreReadExportsAfterTheEntriesBeforeThem) {
	std::string json = mixed_export(3000);
	const std::size_t at = json.find("{\"pk\":2000,");
	ASSERT_NE(at, std::string::npos);
	const std::vector<std::string> damages = {"{\"pk\":2000,,", "{\"pk\":\"x\",", "{\"pk\":2000,\"mod\xff"};
	for (const std::string &damage : damages) {
		std::string bad = json;
		bad.replace(at, std::string("{\"pk\":2000,").size(), damage);
		Recorder plain;
		std::string plain_error, plain_code;
		try {
			read_export(bad.data(), bad.size(), plain);
		} catch (const ImportError &e) {
			plain_error = e.what();
			plain_code = e.code();
		}
		ASSERT_FALSE(plain_error.empty()) << damage;
		CountingStringSource source(bad);
		Recorder ahead;
		try {
			read_export_ahead(source, ahead, {});
			ADD_FAILURE() << "no error for " << damage;
		} catch (const ImportError &e) {
			EXPECT_EQ(std::string(e.what()), plain_error);
			EXPECT_EQ(std::string(e.code()), plain_code);
		}
		EXPECT_EQ(ahead.entries.size(), plain.entries.size()) << damage;
		EXPECT_EQ(ahead.entries.size(), 1999u) << damage;
	}
	// Cut short: the truncation error, after every complete entry.
	const std::string cut = json.substr(0, at + 5);
	CountingStringSource source(cut);
	Recorder ahead;
	EXPECT_THROW(read_export_ahead(source, ahead, {}), ImportError);
	EXPECT_EQ(ahead.entries.size(), 1999u);
}

TEST(ParseAhead, AConsumerErrorStopsTheParse) {
	const std::string json = mixed_export(5000);
	CountingStringSource source(json);
	Recorder r;
	r.hook = [](ExportEntry &e) {
		if (e.index == 100)
			throw ImportError(sqlstate::kInvalidParameterValue, "entry 101 is refused");
	};
	try {
		read_export_ahead(source, r, {});
		ADD_FAILURE() << "no error";
	} catch (const ImportError &e) {
		EXPECT_EQ(std::string(e.what()), "entry 101 is refused");
	}
	EXPECT_EQ(r.entries.size(), 100u);
	// The parser was stopped, not left to read the whole export ahead.
	EXPECT_LT(source.bytes_read(), json.size());
}

TEST(ParseAhead, AnInterruptStopsTheParse) {
	const std::string json = mixed_export(5000);
	CountingStringSource source(json);
	Recorder r;
	int checks = 0;
	struct Cancelled {};
	try {
		read_export_ahead(source, r, [&] {
			if (++checks == 5)
				throw Cancelled();
		});
		ADD_FAILURE() << "no cancel";
	} catch (const Cancelled &) {
	}
	EXPECT_EQ(checks, 5);
	EXPECT_LT(r.entries.size(), 5000u);
}

TEST(ParseAhead, ASourceErrorComesAfterTheEntriesReadBeforeIt) {
	const std::string json = mixed_export(5000);
	CountingStringSource source(json, 100000);
	source.fail_at(1000000);
	Recorder r;
	try {
		read_export_ahead(source, r, {});
		ADD_FAILURE() << "no error";
	} catch (const std::runtime_error &e) {
		EXPECT_EQ(std::string(e.what()), "the source failed");
	}
	EXPECT_LT(r.entries.size(), 5000u);
}

// The parser hands a large entry over alone and reads on only once it is consumed: one large
// value is never held twice.
TEST(ParseAhead, ALargeEntryIsConsumedBeforeTheParserReadsOn) {
	const std::string big(4 * kParseAheadLargeEntry, 'v');
	const std::string json = "[{\"model\":\"sentry.option\",\"pk\":1,\"fields\":{\"value\":\"" + big +
	                         "\"}},\n{\"model\":\"sentry.option\",\"pk\":2,\"fields\":{\"value\":\"" + big +
	                         "\"}},\n{\"model\":\"sentry.option\",\"pk\":3,\"fields\":{}}]";
	const std::size_t second = json.find("{\"model\":\"sentry.option\",\"pk\":2");
	CountingStringSource source(json);
	Recorder r;
	std::vector<std::size_t> read_at_consume;
	r.hook = [&](ExportEntry &) {
		// Give the parser time to run ahead, if it would.
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
		read_at_consume.push_back(source.bytes_read());
	};
	read_export_ahead(source, r, {});
	ASSERT_EQ(r.entries.size(), 3u);
	EXPECT_EQ(r.entries[1].fields.at(0).second.size(), big.size() + 3); // "<type><bool>:" and the value
	// While the first large entry was consumed, the second value was not read: at most what the
	// calling thread keeps ahead (kParseAheadBytes, plus one read).
	EXPECT_LT(read_at_consume.at(0), second + kParseAheadBytes + 256 * 1024 + 1);
	EXPECT_LT(read_at_consume.at(0), second + big.size());
}

} // namespace
} // namespace relocate
