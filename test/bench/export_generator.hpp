// A synthetic Sentry export for the benchmarks, and the small "existing install" it is imported onto.
//
// generate_export() writes, for a given number of entries and seed, a JSON export in Sentry's export
// order (the models sorted by the catalogue's sort_order) with the fields and value formats Sentry's
// exporter writes. Per organization: 20 users (each with its email, user email and one or two user
// options), the organization, 20 members (one a pending invite), 4 teams, 20 member-team links,
// 8 projects with their project-team link, project key and 2 project options, 2 environments with
// 16 environment-project links, 8 rules, 2 dashboards with 3 widgets and 3 widget queries, 2 monitors
// and 4 organization options. Then sentry.option entries make up the exact total.
//
// A model is generated only if its table is in the schema given (a schema that lacks, say,
// sentry_dashboardwidget gets no widgets and more options instead), and a field only if its table
// has the field's column (the dropped ones are listed in GeneratedExport::notes), so the generator
// follows the schema file a run uses.
//
// About 1.5 % of the users take the username (= email) of a user of the existing install (every
// other one in a different letter case), and about 1.5 % of the organizations the slug of one of its
// organizations; at least one of each whenever there are two organizations or more. The existing
// install (GeneratedExport::existing_sql, plain INSERTs with explicit ids for the current
// search_path, sequences set past them) holds those users and organizations plus a few more, with
// their emails, members, teams, projects and slug reservations, and two options the export repeats.
//
// Deterministic: the same rows and seed give the same bytes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/target.hpp"

namespace relocate::bench {

struct GeneratorOptions {
	std::int64_t rows = 1000000; // export entries, at least one organization's worth plus 10 options
	std::uint64_t seed = 1;
};

struct GeneratedExport {
	std::string json;
	std::string existing_sql;
	std::int64_t rows = 0; // entries in json
	std::int64_t organizations = 0, users = 0;
	std::int64_t colliding_users = 0, colliding_organizations = 0;
	std::int64_t existing_users = 0, existing_organizations = 0;
	std::int64_t rows_per_organization = 0;
	std::vector<std::pair<std::string, std::int64_t>> model_counts; // in export order
	std::vector<std::string> notes; // models not generated, fields dropped (no table / column)
};

// `schema`: table name -> shape, e.g. relocate::testing::load_schema_file("test/schema/sentry.sql").
GeneratedExport generate_export(const GeneratorOptions &options, const std::map<std::string, TableShape> &schema);

} // namespace relocate::bench
