// libFuzzer target for the export reader and the import engine.
//
// Each input is run through read_export with a consumer that touches (and checks) every delivered
// field, then through run_import into an in-memory Target (test/unit/fake_target.hpp, with the table
// shapes of test/schema/sentry.sql) once per import scope. ImportError is the expected outcome for
// bad input; anything else -- a crash, a sanitizer report, another exception, an ImportError with
// SQLSTATE XX000 (internal error), a malformed RowBatch, or a broken report invariant -- aborts, so
// libFuzzer records it as a finding.
//
// Built with -fsanitize=fuzzer when RELOCATE_FUZZ=ON; replay_main.cpp drives the same entry point
// without libFuzzer for the ctest.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "core/json.hpp" // JsonAssertion

#include "core/error.hpp"
#include "core/export_reader.hpp"
#include "core/importer.hpp"
#include "fake_target.hpp"

namespace {

using namespace relocate;

[[noreturn]] void finding(const char *what, const std::string &detail) {
	std::fprintf(stderr, "relocate fuzz finding: %s: %s\n", what, detail.c_str());
	std::fflush(stderr);
	std::abort();
}

void check(bool ok, const char *what) {
	if (!ok)
		finding("invariant", what);
}

// The SQLSTATEs input may cause. XX000 means the engine thinks it has a bug.
bool expected_code(const char *code) {
	static const char *const kCodes[] = {"22P02", "22023", "22000", "22001", "22003", "22007", "22P05",
	                                     "42804", "23502", "42704", "42703", "42P01", "0A000", "55000"};
	for (const char *c : kCodes)
		if (std::strcmp(code, c) == 0)
			return true;
	return false;
}

class Toucher : public EntryConsumer {
public:
	std::size_t entries = 0;
	std::size_t bytes = 0;
	std::size_t last_offset = 0;

	void consume(ExportEntry &e) override {
		check(e.index == entries, "entries are delivered in order with consecutive indexes");
		check(entries == 0 || e.offset > last_offset, "entry offsets increase");
		last_offset = e.offset;
		++entries;
		for (char c : e.model)
			check(!(c >= 'A' && c <= 'Z'), "model names are lower-cased");
		check(e.field_count <= e.fields.size(), "field_count within storage");
		check(static_cast<std::size_t>(e.end() - e.begin()) == e.field_count, "begin/end span field_count");
		bytes += e.model.size() + static_cast<std::size_t>(e.pk & 0xff);
		for (const ExportField &f : e) {
			bytes += f.name.size() + f.value.text.size();
			check(e.find(f.name) == &f.value, "find() returns the field (names are unique)");
			switch (f.value.type) {
			case FieldValue::Type::Null:
				check(f.value.text.empty() && !f.value.boolean, "null has no text");
				break;
			case FieldValue::Type::Bool:
				check(f.value.text.empty(), "bool has no text");
				bytes += f.value.boolean;
				break;
			case FieldValue::Type::Number:
				check(!f.value.text.empty(), "a number has its literal");
				break;
			case FieldValue::Type::String:
				break;
			case FieldValue::Type::Object:
				check(f.value.text.size() >= 2 && f.value.text.front() == '{' && f.value.text.back() == '}',
				      "an object value is {...}");
				check(is_valid_json(f.value.text) || f.value.text.find('\0') != std::string::npos,
				      "an object value is valid JSON");
				break;
			case FieldValue::Type::Array:
				check(f.value.text.size() >= 2 && f.value.text.front() == '[' && f.value.text.back() == ']',
				      "an array value is [...]");
				check(is_valid_json(f.value.text) || f.value.text.find('\0') != std::string::npos,
				      "an array value is valid JSON");
				break;
			}
		}
	}
};

const std::map<std::string, TableShape> &tables() {
	static const std::map<std::string, TableShape> t =
	    relocate::testing::load_schema_file(std::string(RELOCATE_SOURCE_DIR) + "/test/schema/sentry.sql");
	return t;
}

void run_reader(const char *data, std::size_t size) {
	Toucher t;
	try {
		read_export(data, size, t);
	} catch (const ImportError &e) {
		// Malformed JSON or a malformed entry (22P02, 22023), or a number beyond a double's range
		// such as 1e400 (22003: the JSON is well formed, no column holds it).
		if (std::strcmp(e.code(), "22P02") != 0 && std::strcmp(e.code(), "22023") != 0 &&
		    std::strcmp(e.code(), "22003") != 0)
			finding("read_export raised an unexpected SQLSTATE", std::string(e.code()) + " " + e.what());
	}
}

void run_importer(const char *data, std::size_t size) {
	static const char *const kScopes[] = {"user", "organization", "config", "global"};
	for (std::size_t s = 0; s < 4; ++s) {
		relocate::testing::FakeTarget target(tables());
		target.keep_cells = false; // batches are still checked for consistency
		ImportOptions options;
		options.admitted_scopes = admitted_scopes_for(kScopes[s]);
		options.ignore_unknown_fields = (s % 2) == 1;
		options.batch_rows = 3;               // exercise batch boundaries on small inputs
		options.password_hash_iterations = 1; // sanitized users would otherwise cost 0.5 s each
		try {
			ImportReport report = run_import(data, size, options, target);
			std::int64_t written = 0, counted = 0;
			for (const ModelSummary &m : report.models) {
				check(m.inserted >= 0 && m.existing >= 0 && m.overwritten >= 0 && m.skipped >= 0,
				      "summary counts are not negative");
				written += m.inserted + m.existing + m.overwritten;
				counted += m.inserted + m.existing + m.overwritten + m.skipped;
			}
			check(counted == report.entries, "every entry is counted once in the summary");
			// Every entry counted as written was inserted, written onto an existing row, or mapped to
			// one; the target saw exactly those inserts and updates, plus the signal-created rows.
			const std::int64_t inserted_entries = static_cast<std::int64_t>(target.rows_inserted - target.rows_derived);
			check(written == inserted_entries + report.rows_updated + report.rows_reused,
			      "written entries match the target's inserts, updates and reuses");
			check(static_cast<std::int64_t>(target.rows_updated) == report.rows_updated, "updates match the target");
			check(static_cast<std::int64_t>(target.rows_derived) == report.derived_rows,
			      "signal-created rows match the target");
		} catch (const ImportError &e) {
			if (!expected_code(e.code()))
				finding("run_import raised an unexpected SQLSTATE", std::string(e.code()) + " " + e.what());
		}
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	const char *p = reinterpret_cast<const char *>(data);
	try {
		run_reader(p, size);
		run_importer(p, size);
	} catch (const relocate::JsonAssertion &e) {
		finding("RapidJSON assertion", e.what());
	} catch (const std::exception &e) {
		finding("unexpected exception", e.what());
	} catch (...) {
		finding("unexpected exception", "not a std::exception");
	}
	return 0;
}
