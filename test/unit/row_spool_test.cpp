// RowSpool: the dry run's session-table rows, spooled to a temporary file and read back.
#include "core/row_spool.hpp"

#include <gtest/gtest.h>

namespace relocate {
namespace {

TEST(RowSpool, ReplaysEveryBatchInOrderWithNullsAndEmptyStrings) {
	RowSpool spool;
	PkMapRows pk;
	pk.model = "sentry.organization";
	pk.add(4, 100, ImportKind::Inserted, std::string("a-b"));
	pk.add(5, 101, ImportKind::Existing, std::nullopt);
	spool.add(pk);
	ReportRows report;
	report.model = "sentry.user";
	report.add(7, std::nullopt, "skipped", "filtered out");
	report.add(8, 200, "renamed", "");
	spool.add(report);
	pk.clear();
	pk.model = "sentry.team";
	pk.add(-1, 9, ImportKind::Overwrite, std::string(""));
	spool.add(pk);

	std::vector<std::string> seen;
	spool.replay(
	    [&](const PkMapRows &rows) {
		    for (std::size_t i = 0; i < rows.size(); ++i)
			    seen.push_back(std::string(rows.model) + " " + std::to_string(rows.old_pks[i]) + "->" +
			                   std::to_string(rows.new_pks[i]) + " " + import_kind_name(rows.kinds[i]) + " " +
			                   rows.slugs[i].value_or("NULL"));
	    },
	    [&](const ReportRows &rows) {
		    for (std::size_t i = 0; i < rows.size(); ++i)
			    seen.push_back(std::string(rows.model) + " " + std::to_string(rows.old_pks[i]) + "->" +
			                   (rows.new_pks[i] ? std::to_string(*rows.new_pks[i]) : "NULL") + " " + rows.actions[i] +
			                   " [" + rows.details[i] + "]");
	    });
	EXPECT_EQ(seen, (std::vector<std::string>{"sentry.organization 4->100 Inserted a-b",
	                                          "sentry.organization 5->101 Existing NULL",
	                                          "sentry.user 7->NULL skipped [filtered out]",
	                                          "sentry.user 8->200 renamed []", "sentry.team -1->9 Overwrite "}));
}

TEST(RowSpool, AnEmptySpoolReplaysNothing) {
	RowSpool spool;
	int calls = 0;
	spool.replay([&](const PkMapRows &) { ++calls; }, [&](const ReportRows &) { ++calls; });
	EXPECT_EQ(calls, 0);
}

} // namespace
} // namespace relocate
