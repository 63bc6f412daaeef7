// relocate_bench_gen: writes the benchmark's synthetic export and its existing install (see
// export_generator.hpp), for test/bench/run.
//
//   relocate_bench_gen --rows N [--seed S] [--schema test/schema/sentry.sql]
//                      --export FILE [--existing FILE.sql] [--manifest FILE]
//
// The manifest is "key value" lines (rows, organizations, users, collisions, the entries per model
// as "model sentry.user 2000", notes as "note ..."), for the harness to check counts against.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "core/catalogue.hpp"
#include "export_generator.hpp"
#include "fake_target.hpp"

namespace {

void usage() {
	std::fprintf(stderr, "usage: relocate_bench_gen --rows N [--seed S] [--schema FILE] --export FILE "
	                     "[--existing FILE] [--manifest FILE]\n");
	std::exit(2);
}

bool write_file(const std::string &path, const std::string &data) {
	std::ofstream f(path, std::ios::binary);
	f.write(data.data(), static_cast<std::streamsize>(data.size()));
	f.close();
	if (!f) {
		std::fprintf(stderr, "relocate_bench_gen: cannot write %s\n", path.c_str());
		return false;
	}
	return true;
}

} // namespace

int main(int argc, char **argv) {
	relocate::bench::GeneratorOptions options;
	std::string schema = std::string(RELOCATE_SOURCE_DIR) + "/test/schema/sentry.sql";
	std::string export_path, existing_path, manifest_path;
	for (int i = 1; i < argc; ++i) {
		std::string a = argv[i];
		auto next = [&]() -> std::string {
			if (i + 1 >= argc)
				usage();
			return argv[++i];
		};
		if (a == "--rows")
			options.rows = std::atoll(next().c_str());
		else if (a == "--seed")
			options.seed = std::strtoull(next().c_str(), nullptr, 10);
		else if (a == "--schema")
			schema = next();
		else if (a == "--export")
			export_path = next();
		else if (a == "--existing")
			existing_path = next();
		else if (a == "--manifest")
			manifest_path = next();
		else
			usage();
	}
	if (export_path.empty() || options.rows <= 0)
		usage();

	relocate::bench::GeneratedExport out;
	try {
		out = relocate::bench::generate_export(options, relocate::testing::load_schema_file(schema));
	} catch (const std::exception &e) {
		std::fprintf(stderr, "relocate_bench_gen: %s\n", e.what());
		return 1;
	}
	if (!write_file(export_path, out.json))
		return 1;
	if (!existing_path.empty() && !write_file(existing_path, out.existing_sql))
		return 1;

	std::ostringstream m;
	m << "rows " << out.rows << "\nbytes " << out.json.size() << "\norganizations " << out.organizations
	  << "\nrows_per_organization " << out.rows_per_organization << "\nusers " << out.users << "\ncolliding_users "
	  << out.colliding_users << "\ncolliding_organizations " << out.colliding_organizations << "\nexisting_users "
	  << out.existing_users << "\nexisting_organizations " << out.existing_organizations << "\nseed " << options.seed
	  << "\n";
	for (const auto &[model, count] : out.model_counts)
		m << "model " << model << " " << count << "\n";
	for (const std::string &note : out.notes)
		m << "note " << note << "\n";
	if (!manifest_path.empty()) {
		if (!write_file(manifest_path, m.str()))
			return 1;
	} else {
		std::fputs(m.str().c_str(), stdout);
	}
	return 0;
}
