// A spool for the session tables' rows (the pk map table and the report) while a dry run's
// subtransaction is open: what the import would write to pg_temp.relocate_pk_map and
// pg_temp.relocate_report goes to an anonymous temporary file instead, and is written to the
// tables once the subtransaction is rolled back (rolling back would empty them). Memory stays
// bounded by one batch; the file is removed when the spool is destroyed.
//
// PostgreSQL-free.
#pragma once

#include <cstdio>
#include <functional>

#include "core/target.hpp"

namespace relocate {

class RowSpool {
public:
	RowSpool();
	~RowSpool();
	RowSpool(const RowSpool &) = delete;
	RowSpool &operator=(const RowSpool &) = delete;

	void add(const PkMapRows &rows);
	void add(const ReportRows &rows);
	// Reads every batch back, in the order they were added, into the callbacks. Throws ImportError
	// (58030) on an I/O error.
	void replay(const std::function<void(const PkMapRows &)> &pk_map,
	            const std::function<void(const ReportRows &)> &report);

private:
	std::FILE *file_;
};

} // namespace relocate
