// Tests of an import's phases (src/core/timeline.cpp): their names, as relocate.timing and the
// progress NOTICEs print them, are the names the view relocate_progress shows for the phase number
// the backend publishes (src/pg/progress.cpp: Phase + 1, an index into the view's array).
#include "core/timeline.hpp"
#include "source_files.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace relocate {
namespace {

std::string script(const std::string &name) {
	return test::source_file(name);
}

// The quoted names of the ARRAY[...] the view relocate_progress maps the phase number through.
std::vector<std::string> view_phase_names(const std::string &sql) {
	const std::size_t view = sql.find("CREATE VIEW relocate_progress");
	EXPECT_NE(view, std::string::npos);
	const std::size_t open = sql.find("ARRAY[", view);
	const std::size_t close = sql.find(']', open);
	EXPECT_NE(close, std::string::npos);
	std::vector<std::string> names;
	for (std::size_t at = sql.find('\'', open); at < close; at = sql.find('\'', at + 1)) {
		const std::size_t end = sql.find('\'', at + 1);
		names.push_back(sql.substr(at + 1, end - at - 1));
		at = end;
	}
	return names;
}

TEST(Timeline, TheProgressViewNamesEveryPhaseInOrder) {
	std::vector<std::string> phases;
	for (std::size_t i = 0; i < static_cast<std::size_t>(Phase::Count); ++i)
		phases.emplace_back(phase_name(static_cast<Phase>(i)));
	for (const char *name : {"relocate--0.2.0.sql", "relocate--0.1.0--0.2.0.sql"}) {
		SCOPED_TRACE(name);
		EXPECT_EQ(view_phase_names(script(name)), phases);
	}
}

} // namespace
} // namespace relocate
