// relocate_bench: throughput of the export reader and the import engine on a synthetic export.
//
// Generates, in memory, the benchmarks' synthetic Sentry export of N entries (export_generator.hpp:
// organizations with their users, emails, options, members, teams, projects, keys, environments,
// rules, dashboards, ..., plus global options, with the fields Sentry's exporter writes; only the
// models whose tables the schema has). Then times read_export alone and run_import (scope global)
// through a null Target (table shapes from the schema, sequential ids, inserts and pk-map rows
// discarded), and prints rows/s and peak RSS. test/bench/run times the real extension.
//
//   relocate_bench [--rows N] [--write FILE] [--write-only] [--repeat N] [--batch-rows N]
//                  [--schema test/schema/sentry.sql] [--seed S]
//
// --write FILE also writes the generated export to FILE, to time the real extension on it, e.g.
//   SELECT * FROM relocate_import(pg_read_binary_file('/path/FILE'), 'global');
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/catalogue.hpp"
#include "core/error.hpp"
#include "core/export_reader.hpp"
#include "core/importer.hpp"
#include "export_generator.hpp"
#include "fake_target.hpp"

namespace {

using namespace relocate;
using Clock = std::chrono::steady_clock;

// --- targets -----------------------------------------------------------------------------------

class NullTarget : public Target {
public:
	explicit NullTarget(const std::map<std::string, TableShape> &tables) : tables_(tables) {}
	std::optional<TableShape> describe_table(const std::string &table) override {
		auto it = tables_.find(table);
		if (it == tables_.end())
			return std::nullopt;
		return it->second;
	}
	void allocate_ids(const TableShape &, std::size_t count, std::vector<std::int64_t> &out) override {
		for (std::size_t i = 0; i < count; ++i)
			out.push_back(next_id_++);
	}
	void insert_rows(RowBatch &batch) override {
		rows_ += batch.rows();
		bytes_ += batch.bytes;
		++batches_;
	}
	void record_pk_map(const PkMapRows &rows) override { pk_rows_ += rows.size(); }
	void record_report(const ReportRows &) override {}
	void check_for_interrupts() override {}
	void lock_import(const std::string &) override {}
	void update_rows(RowBatch &) override {}
	std::vector<std::optional<FoundRow>> find_rows(const KeyLookup &lookup) override {
		return std::vector<std::optional<FoundRow>>(lookup.probes.size());
	}
	std::vector<std::string> nfkd(const std::vector<std::string> &texts) override { return texts; }
	void reset_tables(const std::vector<std::string> &) override {}
	void advance_sequence(const TableShape &, std::int64_t) override {}
	std::vector<std::string> upper(const std::vector<std::string> &texts) override { return texts; }
	std::vector<std::string> upper_values(const TableShape &, const std::string &) override { return {}; }
	std::vector<ScopedValue> scoped_values(const TableShape &, const std::string &, const std::string &,
	                                       const std::vector<std::string> &) override {
		return {};
	}
	std::vector<ImportChunk> load_chunks(const std::string &) override { return {}; }
	void write_chunks(const std::string &, const std::vector<ImportChunk> &chunks) override {
		chunks_ += chunks.size();
	}
	std::size_t chunks_ = 0;

	std::size_t rows_ = 0, bytes_ = 0, batches_ = 0, pk_rows_ = 0;

private:
	const std::map<std::string, TableShape> &tables_;
	std::int64_t next_id_ = 1;
};

class CountingConsumer : public EntryConsumer {
public:
	std::size_t entries = 0, fields = 0;
	void consume(ExportEntry &e) override {
		++entries;
		fields += e.field_count;
	}
};

// --- measurement ---------------------------------------------------------------------------------

double peak_rss_mb() {
	struct rusage ru {};
	getrusage(RUSAGE_SELF, &ru);
	return static_cast<double>(ru.ru_maxrss) / 1024.0; // ru_maxrss is in KiB on Linux
}

double current_rss_mb() {
	std::ifstream statm("/proc/self/statm");
	long pages = 0, resident = 0;
	statm >> pages >> resident;
	return static_cast<double>(resident) * 4096.0 / (1024.0 * 1024.0);
}

double seconds_since(Clock::time_point t0) {
	return std::chrono::duration<double>(Clock::now() - t0).count();
}

void usage() {
	std::fprintf(stderr, "usage: relocate_bench [--rows N] [--write FILE] [--write-only] [--repeat N] "
	                     "[--batch-rows N] [--schema FILE] [--seed S]\n");
	std::exit(2);
}

} // namespace

int main(int argc, char **argv) {
	std::int64_t target_rows = 1000000;
	int repeat = 1;
	std::size_t batch_rows = ImportOptions{}.batch_rows;
	std::string write_path, schema = std::string(RELOCATE_SOURCE_DIR) + "/test/schema/sentry.sql";
	bool write_only = false;
	std::uint64_t seed = 1;
	for (int i = 1; i < argc; ++i) {
		std::string a = argv[i];
		auto next = [&]() -> std::string {
			if (i + 1 >= argc)
				usage();
			return argv[++i];
		};
		if (a == "--rows")
			target_rows = std::atoll(next().c_str());
		else if (a == "--write")
			write_path = next();
		else if (a == "--write-only")
			write_only = true;
		else if (a == "--repeat")
			repeat = std::max(1, std::atoi(next().c_str()));
		else if (a == "--batch-rows")
			batch_rows = static_cast<std::size_t>(std::max(1, std::atoi(next().c_str())));
		else if (a == "--schema")
			schema = next();
		else if (a == "--seed")
			seed = std::strtoull(next().c_str(), nullptr, 10);
		else
			usage();
	}
	const std::map<std::string, TableShape> tables = relocate::testing::load_schema_file(schema);

	// Generate.
	auto t0 = Clock::now();
	relocate::bench::GeneratorOptions gen_options;
	gen_options.rows = target_rows;
	gen_options.seed = seed;
	relocate::bench::GeneratedExport gen;
	try {
		gen = relocate::bench::generate_export(gen_options, tables);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "generating the export failed: %s\n", e.what());
		return 1;
	}
	const double gen_s = seconds_since(t0);
	const double mb = static_cast<double>(gen.json.size()) / (1024.0 * 1024.0);
	std::printf("generated: %lld rows (%lld organizations x %lld rows + options), %.1f MiB, in %.2f s\n",
	            static_cast<long long>(gen.rows), static_cast<long long>(gen.organizations),
	            static_cast<long long>(gen.rows_per_organization), mb, gen_s);
	std::printf("RSS after generation: %.0f MiB (peak %.0f MiB)\n", current_rss_mb(), peak_rss_mb());

	if (!write_path.empty()) {
		std::ofstream f(write_path, std::ios::binary);
		f.write(gen.json.data(), static_cast<std::streamsize>(gen.json.size()));
		if (!f) {
			std::fprintf(stderr, "cannot write %s\n", write_path.c_str());
			return 1;
		}
		std::printf("wrote %s (%zu bytes)\n", write_path.c_str(), gen.json.size());
		if (write_only)
			return 0;
	}

	// read_export alone.
	double best_read = 1e300;
	for (int r = 0; r < repeat; ++r) {
		CountingConsumer c;
		auto t = Clock::now();
		read_export(gen.json.data(), gen.json.size(), c);
		double s = seconds_since(t);
		best_read = std::min(best_read, s);
		if (c.entries != static_cast<std::size_t>(gen.rows)) {
			std::fprintf(stderr, "read_export delivered %zu entries, expected %lld\n", c.entries,
			             static_cast<long long>(gen.rows));
			return 1;
		}
	}
	const double peak_after_read = peak_rss_mb();
	std::printf("read_export: %lld entries in %.3f s = %.0f rows/s, %.0f MiB/s (peak RSS %.0f MiB)\n",
	            static_cast<long long>(gen.rows), best_read, static_cast<double>(gen.rows) / best_read, mb / best_read,
	            peak_after_read);

	// run_import through the null target.
	double best_import = 1e300;
	ImportReport report;
	NullTarget last(tables);
	for (int r = 0; r < repeat; ++r) {
		NullTarget target(tables);
		ImportOptions options;
		options.admitted_scopes = admitted_scopes_for("global");
		options.batch_rows = batch_rows;
		auto t = Clock::now();
		try {
			report = run_import(gen.json.data(), gen.json.size(), options, target);
		} catch (const ImportError &e) {
			std::fprintf(stderr, "run_import failed: %s %s\n%s\n", e.code(), e.what(), e.detail().c_str());
			return 1;
		}
		double s = seconds_since(t);
		best_import = std::min(best_import, s);
		last.rows_ = target.rows_;
		last.bytes_ = target.bytes_;
		last.batches_ = target.batches_;
		last.pk_rows_ = target.pk_rows_;
	}
	std::int64_t inserted = 0, skipped = 0;
	for (const ModelSummary &m : report.models) {
		inserted += m.inserted;
		skipped += m.skipped;
	}
	std::printf("run_import (global, batch_rows %zu): %lld inserted, %lld skipped, %zu batches, %.1f MiB of cells, "
	            "in %.3f s = %.0f rows/s, %.0f MiB/s of input (peak RSS %.0f MiB)\n",
	            batch_rows, static_cast<long long>(inserted), static_cast<long long>(skipped), last.batches_,
	            static_cast<double>(last.bytes_) / (1024.0 * 1024.0), best_import,
	            static_cast<double>(gen.rows) / best_import, mb / best_import, peak_rss_mb());
	if (inserted != gen.rows || skipped != 0 || last.pk_rows_ != static_cast<std::size_t>(gen.rows)) {
		std::fprintf(stderr, "unexpected result: every generated row should be inserted\n");
		for (const ModelSummary &m : report.models)
			std::fprintf(stderr, "  %s inserted %lld skipped %lld\n", m.model.c_str(),
			             static_cast<long long>(m.inserted), static_cast<long long>(m.skipped));
		return 1;
	}
	std::printf("peak RSS over the whole run: %.0f MiB (the export itself is %.0f MiB)\n", peak_rss_mb(), mb);
	return 0;
}
