// relocate_bench: throughput of the export reader and the import engine on a synthetic export.
//
// Generates, in memory, a Sentry export of N organizations, each with users (+ email, useremail),
// members, teams, projects, project teams, project keys, project and organization options and team
// memberships (149 rows per organization), plus a few global options, with the fields Sentry's
// exporter writes. Then times read_export alone and run_import (scope global) through a null Target
// (table shapes from test/schema/sentry.sql, sequential ids, inserts and pk-map rows discarded), and
// prints rows/s and peak RSS.
//
//   relocate_bench [--rows N] [--write FILE] [--write-only] [--repeat N] [--batch-rows N]
//                  [--schema test/schema/sentry.sql]
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
#include "fake_target.hpp"

namespace {

using namespace relocate;
using Clock = std::chrono::steady_clock;

// --- the generator ---------------------------------------------------------------------------------

constexpr int kUsersPerOrg = 20, kTeamsPerOrg = 4, kProjectsPerOrg = 8, kOrgOptionsPerOrg = 4;
constexpr int kRowsPerOrg = kUsersPerOrg * 5 /* user, email, useremail, member, memberteam */ + 1 /* org */ +
                            kTeamsPerOrg + kProjectsPerOrg * 5 /* project, projectteam, key, 2 options */ +
                            kOrgOptionsPerOrg;
static_assert(kRowsPerOrg == 149, "keep the documented row count");
constexpr int kGlobalOptions = 10;                    // at least; more make up the exact --rows total
constexpr std::int64_t kOrgPkBase = 4554016097501184; // snowflake-sized ids, as on sentry.io

std::uint64_t mix(std::uint64_t x) {
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

std::string hex32(std::uint64_t seed) {
	static const char kHex[] = "0123456789abcdef";
	std::string s;
	for (int i = 0; i < 2; ++i) {
		std::uint64_t v = mix(seed * 2 + static_cast<std::uint64_t>(i));
		for (int k = 0; k < 16; ++k, v >>= 4)
			s += kHex[v & 15];
	}
	return s;
}

std::string alnum(std::uint64_t seed, int n) {
	static const char kAlnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	std::string s;
	std::uint64_t v = mix(seed);
	for (int k = 0; k < n; ++k) {
		if (k % 10 == 9)
			v = mix(v);
		s += kAlnum[v % 62];
		v /= 62;
	}
	return s;
}

// "2023-06-22T22:59:55.531Z"-style timestamps that vary with `i`.
std::string ts(std::uint64_t i) {
	char buf[32];
	std::snprintf(buf, sizeof buf, "2023-%02d-%02dT%02d:%02d:%02d.%03dZ", static_cast<int>(1 + i % 12),
	              static_cast<int>(1 + i % 28), static_cast<int>(i % 24), static_cast<int>(i % 60),
	              static_cast<int>((i / 60) % 60), static_cast<int>(i % 1000));
	return buf;
}

struct Generator {
	std::int64_t orgs;
	std::int64_t global_options = kGlobalOptions;
	std::string out;
	std::int64_t rows = 0;
	bool first = true;

	void entry(const char *model, std::int64_t pk, const std::string &fields) {
		out += first ? "[\n" : ",\n";
		first = false;
		out += R"({"model":")";
		out += model;
		out += R"(","pk":)";
		out += std::to_string(pk);
		out += R"(,"fields":{)";
		out += fields;
		out += "}}";
		++rows;
	}

	// pks: users, emails, useremails, members, memberteams 1..orgs*20; teams, projects etc. likewise.
	std::int64_t user_pk(std::int64_t o, int u) const { return o * kUsersPerOrg + u + 1; }
	std::int64_t org_pk(std::int64_t o) const { return kOrgPkBase + o; }
	std::int64_t team_pk(std::int64_t o, int t) const { return o * kTeamsPerOrg + t + 1; }
	std::int64_t project_pk(std::int64_t o, int p) const { return kOrgPkBase + 1000000000 + o * kProjectsPerOrg + p; }

	void users() {
		for (std::int64_t o = 0; o < orgs; ++o)
			for (int u = 0; u < kUsersPerOrg; ++u) {
				std::int64_t pk = user_pk(o, u);
				std::string n = std::to_string(pk);
				entry(
				    "sentry.user", pk,
				    R"("password":"pbkdf2_sha256$150000$)" + alnum(pk, 12) + "$" + alnum(pk + 7, 43) +
				        R"(=","last_login":)" + (u % 3 ? "\"" + ts(pk) + "\"" : std::string("null")) +
				        R"(,"username":"user)" + n + R"(@example.com","name":"User Number )" + n +
				        R"(","email":"user)" + n +
				        R"(@example.com","is_staff":false,"is_active":true,"is_superuser":)" +
				        (u == 0 ? "true" : "false") +
				        R"(,"is_managed":false,"is_sentry_app":null,"is_password_expired":false,"is_unclaimed":false,)"
				        R"("last_password_change":")" +
				        ts(pk + 1) + R"(","flags":"0","session_nonce":null,"date_joined":")" + ts(pk + 2) +
				        R"(","last_active":")" + ts(pk + 3) + R"(","avatar_type":0,"avatar_url":null)");
			}
	}
	void emails() {
		for (std::int64_t o = 0; o < orgs; ++o)
			for (int u = 0; u < kUsersPerOrg; ++u) {
				std::int64_t pk = user_pk(o, u);
				entry("sentry.email", pk,
				      R"("email":"user)" + std::to_string(pk) + R"(@example.com","date_added":")" + ts(pk) + "\"");
			}
	}
	void useremails() {
		for (std::int64_t o = 0; o < orgs; ++o)
			for (int u = 0; u < kUsersPerOrg; ++u) {
				std::int64_t pk = user_pk(o, u);
				entry("sentry.useremail", pk,
				      R"("user":)" + std::to_string(pk) + R"(,"email":"user)" + std::to_string(pk) +
				          R"(@example.com","validation_hash":")" + alnum(pk * 3, 32) + R"(","date_hash_added":")" +
				          ts(pk + 5) + R"(","is_verified":)" + (u % 2 ? "true" : "false"));
			}
	}
	void organizations() {
		for (std::int64_t o = 0; o < orgs; ++o)
			entry("sentry.organization", org_pk(o),
			      R"("name":"Organization )" + std::to_string(o) + R"(","slug":"org-)" + std::to_string(o) +
			          R"(","status":0,"date_added":")" + ts(static_cast<std::uint64_t>(o)) +
			          R"(","default_role":"member","is_test":false,"flags":"1")");
	}
	void members() {
		for (std::int64_t o = 0; o < orgs; ++o)
			for (int u = 0; u < kUsersPerOrg; ++u) {
				std::int64_t pk = user_pk(o, u);
				bool invited = u == kUsersPerOrg - 1; // one pending invite per org
				entry("sentry.organizationmember", pk,
				      R"("organization":)" + std::to_string(org_pk(o)) + R"(,"user_id":)" +
				          (invited ? std::string("null") : std::to_string(pk)) + R"(,"email":)" +
				          (invited ? "\"invite" + std::to_string(pk) + "@example.com\"" : std::string("null")) +
				          R"(,"role":")" + (u == 0 ? "owner" : "member") +
				          R"(","flags":"0","token":null,"date_added":")" + ts(pk + 9) +
				          R"(","token_expires_at":null,"has_global_access":true,"inviter_id":)" +
				          (u == 0 ? std::string("null") : std::to_string(user_pk(o, 0))) + R"(,"invite_status":)" +
				          (invited ? "1" : "0") + R"(,"type":50,"user_is_active":true,"user_email":)" +
				          (invited ? std::string("null") : "\"user" + std::to_string(pk) + "@example.com\""));
			}
	}
	void teams() {
		for (std::int64_t o = 0; o < orgs; ++o)
			for (int t = 0; t < kTeamsPerOrg; ++t) {
				std::int64_t pk = team_pk(o, t);
				entry("sentry.team", pk,
				      R"("organization":)" + std::to_string(org_pk(o)) + R"(,"slug":"team-)" + std::to_string(t) +
				          R"(","name":"Team )" + std::to_string(t) +
				          R"(","status":0,"idp_provisioned":false,"date_added":")" +
				          ts(static_cast<std::uint64_t>(pk)) + "\"");
			}
	}
	void projects() {
		for (std::int64_t o = 0; o < orgs; ++o)
			for (int p = 0; p < kProjectsPerOrg; ++p)
				entry("sentry.project", project_pk(o, p),
				      R"("slug":"project-)" + std::to_string(p) + R"(","name":"Project )" + std::to_string(p) +
				          R"(","forced_color":null,"organization":)" + std::to_string(org_pk(o)) +
				          R"(,"public":false,"date_added":")" + ts(static_cast<std::uint64_t>(o * 8 + p)) +
				          R"(","status":0,"first_event":null,"flags":"10","platform":")" +
				          (p % 2 ? "python" : "javascript") + "\"");
	}
	void projectteams() {
		for (std::int64_t o = 0; o < orgs; ++o)
			for (int p = 0; p < kProjectsPerOrg; ++p)
				entry("sentry.projectteam", o * kProjectsPerOrg + p + 1,
				      R"("project":)" + std::to_string(project_pk(o, p)) + R"(,"team":)" +
				          std::to_string(team_pk(o, p % kTeamsPerOrg)));
	}
	void projectkeys() {
		for (std::int64_t o = 0; o < orgs; ++o)
			for (int p = 0; p < kProjectsPerOrg; ++p) {
				std::int64_t pk = o * kProjectsPerOrg + p + 1;
				entry("sentry.projectkey", pk,
				      R"("project":)" + std::to_string(project_pk(o, p)) + R"(,"label":"Default","public_key":")" +
				          hex32(static_cast<std::uint64_t>(pk)) + R"(","secret_key":")" +
				          hex32(static_cast<std::uint64_t>(pk) + (1ull << 40)) +
				          R"(","roles":"1","status":0,"date_added":")" + ts(static_cast<std::uint64_t>(pk)) +
				          R"(","rate_limit_count":null,"rate_limit_window":null,"data":{"dynamicSdkLoaderOptions":)"
				          R"({"hasPerformance":true,"hasReplay":true}})");
			}
	}
	void projectoptions() {
		for (std::int64_t o = 0; o < orgs; ++o)
			for (int p = 0; p < kProjectsPerOrg; ++p) {
				std::int64_t pk = (o * kProjectsPerOrg + p) * 2 + 1;
				std::string project = std::to_string(project_pk(o, p));
				entry("sentry.projectoption", pk,
				      R"("project":)" + project + R"(,"key":"sentry:option-epoch","value":11)");
				entry("sentry.projectoption", pk + 1,
				      R"("project":)" + project + R"(,"key":"sentry:origins","value":"[\"*\"]")");
			}
	}
	void organizationoptions() {
		static const char *const kOptions[kOrgOptionsPerOrg][2] = {
		    {"sentry:require_scrub_defaults", "true"},
		    {"sentry:scrape_javascript", "\"true\""},
		    {"sentry:sensitive_fields", "\"[\\\"password\\\", \\\"secret\\\"]\""},
		    {"sentry:events_member_admin", "false"},
		};
		for (std::int64_t o = 0; o < orgs; ++o)
			for (int k = 0; k < kOrgOptionsPerOrg; ++k)
				entry("sentry.organizationoption", o * kOrgOptionsPerOrg + k + 1,
				      R"("organization":)" + std::to_string(org_pk(o)) + R"(,"key":")" + kOptions[k][0] +
				          R"(","value":)" + kOptions[k][1]);
	}
	void memberteams() {
		for (std::int64_t o = 0; o < orgs; ++o)
			for (int u = 0; u < kUsersPerOrg; ++u) {
				std::int64_t pk = user_pk(o, u);
				entry("sentry.organizationmemberteam", pk,
				      R"("team":)" + std::to_string(team_pk(o, u % kTeamsPerOrg)) + R"(,"organizationmember":)" +
				          std::to_string(pk) + R"(,"is_active":true,"role":null)");
			}
	}
	void options() {
		for (std::int64_t i = 1; i <= global_options; ++i)
			entry("sentry.option", i,
			      R"("key":"bench:option-)" + std::to_string(i) + R"(","last_updated":")" +
			          ts(static_cast<std::uint64_t>(i)) + R"(","last_updated_by":"unknown","value":)" +
			          (i % 2 ? "\"\\\"23.6.1\\\"\"" : "1687902001.2623305"));
	}

	// Models in catalogue (dependency) order, as Sentry's exporter writes them.
	void generate() {
		std::vector<std::pair<const char *, std::function<void()>>> models = {
		    {"sentry.user", [this] { users(); }},
		    {"sentry.email", [this] { emails(); }},
		    {"sentry.useremail", [this] { useremails(); }},
		    {"sentry.organization", [this] { organizations(); }},
		    {"sentry.organizationmember", [this] { members(); }},
		    {"sentry.team", [this] { teams(); }},
		    {"sentry.project", [this] { projects(); }},
		    {"sentry.projectteam", [this] { projectteams(); }},
		    {"sentry.projectkey", [this] { projectkeys(); }},
		    {"sentry.projectoption", [this] { projectoptions(); }},
		    {"sentry.organizationoption", [this] { organizationoptions(); }},
		    {"sentry.organizationmemberteam", [this] { memberteams(); }},
		    {"sentry.option", [this] { options(); }},
		};
		std::stable_sort(models.begin(), models.end(), [](const auto &a, const auto &b) {
			return find_model(a.first)->sort_order < find_model(b.first)->sort_order;
		});
		for (auto &m : models)
			m.second();
		out += first ? "[]\n" : "\n]\n";
	}
};

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
	void insert_rows(const RowBatch &batch) override {
		rows_ += batch.rows();
		bytes_ += batch.bytes;
		++batches_;
	}
	void record_pk_map(const PkMapRows &rows) override { pk_rows_ += rows.size(); }
	void check_for_interrupts() override {}
	void lock_import(const std::string &) override {}
	void update_rows(const RowBatch &) override {}
	std::vector<std::optional<FoundRow>> find_rows(const KeyLookup &lookup) override {
		return std::vector<std::optional<FoundRow>>(lookup.probes.size());
	}
	std::vector<std::string> nfkd(const std::vector<std::string> &texts) override { return texts; }
	void lock(const std::string &) override {}
	void advance_sequence(const TableShape &, std::int64_t) override {}
	std::vector<std::string> column_values(const TableShape &, const std::string &) override { return {}; }
	std::vector<bool> known_time_zones(const std::vector<std::string> &names) override {
		return std::vector<bool>(names.size(), true);
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
	void consume(const ExportEntry &e) override {
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
	                     "[--batch-rows N] [--schema FILE]\n");
	std::exit(2);
}

} // namespace

int main(int argc, char **argv) {
	std::int64_t target_rows = 1000000;
	int repeat = 1;
	std::size_t batch_rows = ImportOptions{}.batch_rows;
	std::string write_path, schema = std::string(RELOCATE_SOURCE_DIR) + "/test/schema/sentry.sql";
	bool write_only = false;
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
		else
			usage();
	}
	if (target_rows < kRowsPerOrg + kGlobalOptions)
		target_rows = kRowsPerOrg + kGlobalOptions;

	// Generate.
	auto t0 = Clock::now();
	Generator gen;
	gen.orgs = (target_rows - kGlobalOptions) / kRowsPerOrg;
	gen.global_options = target_rows - gen.orgs * kRowsPerOrg;
	gen.out.reserve(static_cast<std::size_t>(gen.orgs) * kRowsPerOrg * 420);
	gen.generate();
	const double gen_s = seconds_since(t0);
	const double mb = static_cast<double>(gen.out.size()) / (1024.0 * 1024.0);
	std::printf("generated: %lld rows (%lld organizations x %d rows + %lld options), %.1f MiB, in %.2f s\n",
	            static_cast<long long>(gen.rows), static_cast<long long>(gen.orgs), kRowsPerOrg,
	            static_cast<long long>(gen.global_options), mb, gen_s);
	std::printf("RSS after generation: %.0f MiB (peak %.0f MiB)\n", current_rss_mb(), peak_rss_mb());

	if (!write_path.empty()) {
		std::ofstream f(write_path, std::ios::binary);
		f.write(gen.out.data(), static_cast<std::streamsize>(gen.out.size()));
		if (!f) {
			std::fprintf(stderr, "cannot write %s\n", write_path.c_str());
			return 1;
		}
		std::printf("wrote %s (%zu bytes)\n", write_path.c_str(), gen.out.size());
		if (write_only)
			return 0;
	}

	const std::map<std::string, TableShape> tables = relocate::testing::load_schema_file(schema);

	// read_export alone.
	double best_read = 1e300;
	for (int r = 0; r < repeat; ++r) {
		CountingConsumer c;
		auto t = Clock::now();
		read_export(gen.out.data(), gen.out.size(), c);
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
			report = run_import(gen.out.data(), gen.out.size(), options, target);
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
