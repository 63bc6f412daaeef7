// ImportRun's last steps: the verification, the end of the transaction, the summary.
#include <map>

#include "cli/format.hpp"
#include "cli/import_run.hpp"
#include "cli/run.hpp"

namespace relocate::cli {

namespace {

constexpr int kDifferencesShown = 20;

std::optional<std::int64_t> int_cell(const Result &r, int row, int col) {
	if (col < 0 || r.is_null(row, col))
		return std::nullopt;
	try {
		return std::stoll(r.text(row, col));
	} catch (const std::exception &) {
		return std::nullopt;
	}
}

std::optional<std::string> text_cell(const Result &r, int row, int col) {
	if (col < 0 || r.is_null(row, col))
		return std::nullopt;
	return r.text(row, col);
}

Finding difference(const Result &r, int row) {
	Finding f;
	f.kind = "verify";
	f.model = text_cell(r, row, r.column("model")).value_or("");
	f.pk = int_cell(r, row, r.column("old_pk"));
	f.new_pk = int_cell(r, row, r.column("new_pk"));
	f.field = text_cell(r, row, r.column("field")).value_or("");
	f.expected = text_cell(r, row, r.column("expected"));
	f.found = text_cell(r, row, r.column("found"));
	f.has_values = true;
	auto shown = [](const std::optional<std::string> &v) { return v ? json_string(*v) : std::string("NULL"); };
	f.message = f.model + " pk " + (f.pk ? std::to_string(*f.pk) : "?") + " (pk " +
	            (f.new_pk ? std::to_string(*f.new_pk) : "?") + " in the database)" +
	            (f.field.empty() ? std::string() : ", field \"" + f.field + "\"") + ": the export has " +
	            shown(f.expected) + ", the database " + shown(f.found);
	return f;
}

} // namespace

// relocate_verify after the import, in its transaction (so it reads the large object still there),
// inside a savepoint: an error of the verification does not undo the import.
void ImportRun::verify() {
	if (!o_.verify)
		return;
	if (import_uuid_.empty()) {
		fail("verify_error", "cannot verify", client_error("the import's import_uuid is not known"));
		return;
	}
	conn_.exec("SAVEPOINT relocate_import_verify");
	say("verifying import " + import_uuid_ + " against " + source_label());
	const Call call = verify_call(o_, features_, o_.file.empty() ? o_.server_file : lo_oid_, import_uuid_, key_);
	const Result r = run_watched("verifying", call);
	if (!r.ok()) {
		fail("verify_error", "the verification failed", r.error(conn_.conn()));
		conn_.exec("ROLLBACK TO SAVEPOINT relocate_import_verify");
		return;
	}
	conn_.exec("RELEASE SAVEPOINT relocate_import_verify");
	verify_differences_ = r.rows();
	TextTable shown({"model", "old_pk", "new_pk", "field", "expected", "found"});
	for (int i = 0; i < r.rows(); ++i) {
		const Finding f = difference(r, i);
		if (i < kDifferencesShown)
			shown.add_row({f.model, f.pk ? std::to_string(*f.pk) : "", f.new_pk ? std::to_string(*f.new_pk) : "",
			               f.field, f.expected.value_or("NULL"), f.found.value_or("NULL")});
		findings_.push_back(f);
	}
	if (r.rows() == 0) {
		say("verified: the database matches the export");
		return;
	}
	std::string text = "relocate-import: verification found " + format_count(r.rows()) +
	                   " differences between the export and the database:\n" + shown.render();
	if (r.rows() > kDifferencesShown)
		text +=
		    "... and " + format_count(r.rows() - kDifferencesShown) + " more (--findings-file FILE lists them all)\n";
	console_.print(text);
}

// Removes the large object and commits; a dry run (and Ctrl-C) rolls everything back instead.
bool ImportRun::finish_transaction() {
	if (g_interrupted != 0) {
		fail("cancelled", "interrupted", client_error("cancelled by a signal (Ctrl-C)", "57014"));
		rollback();
		return false;
	}
	if (o_.dry_run) {
		conn_.exec("ROLLBACK");
		in_transaction_ = false;
		say("dry run: rolled back");
		return true;
	}
	if (!lo_oid_.empty()) {
		const Result unlink = conn_.exec("SELECT pg_catalog.lo_unlink($1::pg_catalog.oid)", {lo_oid_});
		if (!unlink.ok()) {
			fail("import_error", "could not remove the uploaded large object", unlink.error(conn_.conn()));
			rollback();
			return false;
		}
	}
	// A transaction that an error aborted "commits" as a ROLLBACK, without an error: never report that
	// as committed.
	if (PQtransactionStatus(conn_.conn()) != PQTRANS_INTRANS) {
		fail("import_error", "the transaction was aborted", client_error("an error aborted the import's transaction"));
		rollback();
		return false;
	}
	const Result commit = run_watched("committing", Call{"COMMIT", {}});
	in_transaction_ = false;
	if (commit.ok() && std::string(PQcmdStatus(commit.get())) != "COMMIT") {
		fail("import_error", "the commit failed",
		     client_error(std::string("the server answered ") + PQcmdStatus(commit.get())));
		rollback();
		return false;
	}
	if (!commit.ok()) {
		fail("import_error", "the commit failed", commit.error(conn_.conn()));
		rollback();
		return false;
	}
	committed_ = true;
	say("committed");
	return true;
}

void ImportRun::print_summary() {
	if (o_.verbosity == Verbosity::kQuiet)
		return;
	std::vector<std::string> headers;
	for (int c = 0; c < summary_.columns(); ++c)
		headers.push_back(summary_.name(c));
	TextTable table(headers);
	std::map<int, std::int64_t> totals;
	for (int row = 0; row < summary_.rows(); ++row) {
		std::vector<std::string> cells;
		for (int c = 0; c < summary_.columns(); ++c) {
			cells.push_back(summary_.is_null(row, c) ? "" : summary_.text(row, c));
			if (summary_.type(c) == 20)
				totals[c] += int_cell(summary_, row, c).value_or(0);
		}
		table.add_row(cells);
	}
	std::vector<std::string> total_row(headers.size());
	if (!total_row.empty())
		total_row[0] = "(total)";
	for (const auto &[c, sum] : totals)
		total_row[static_cast<std::size_t>(c)] = std::to_string(sum);
	table.add_row(total_row);
	std::string out = table.render();
	if (!report_counts_.empty()) {
		out += "\nReport (relocate_report):";
		for (std::size_t i = 0; i < report_counts_.size(); ++i)
			out += (i ? ", " : " ") + report_counts_[i];
		out += "\n";
	}
	if (!renamed_.empty()) {
		TextTable renamed({"model", "old_pk", "new_pk", "action", "detail"});
		for (const auto &row : renamed_)
			renamed.add_row(row);
		out += "Renamed, merged and regenerated (tell these users and organizations; a regenerated project key is "
		       "a new DSN):\n" +
		       renamed.render();
		if (renamed_total_ > static_cast<std::int64_t>(renamed_.size()))
			out += "... and " + format_count(renamed_total_ - static_cast<std::int64_t>(renamed_.size())) +
			       " more (--report-file FILE lists them all)\n";
	}
	if (!import_uuid_.empty())
		out += "\nimport_uuid: " + import_uuid_ + "\n";
	if (verify_differences_)
		out += *verify_differences_ == 0 ? std::string("Verified: the database matches the export.\n")
		                                 : "Verified: " + format_count(*verify_differences_) +
		                                       (*verify_differences_ == 1 ? " difference" : " differences") +
		                                       " between the export and the database (" +
		                                       (*verify_differences_ > kDifferencesShown
		                                            ? "the first " + std::to_string(kDifferencesShown) + " listed above"
		                                            : std::string("listed above")) +
		                                       ").\n";
	out += std::string(committed_ ? "Imported " : "Dry run of ") + source_label() + " (scope " + o_.scope + ") in " +
	       format_elapsed(console_.total_elapsed()) + ": " +
	       (committed_ ? "committed." : "rolled back, nothing was changed.") + "\n";
	std::fputs(out.c_str(), stdout);
	std::fflush(stdout);
}

} // namespace relocate::cli
