// ImportRun's steps inside the transaction: the upload, the import, the report, the verification,
// the end of the transaction and the summary.
#include <cstring>

#include "cli/format.hpp"
#include "cli/import_run.hpp"
#include "cli/run.hpp"

namespace relocate::cli {

namespace {

constexpr std::size_t kUploadChunk = 1024 * 1024;
constexpr int kRenamedShown = 20;

ServerMessage cancelled() {
	return client_error("cancelled by a signal (Ctrl-C)", "57014");
}

std::int64_t int_or(const Result &r, int row, const char *column, std::int64_t fallback) {
	const int c = r.column(column);
	if (c < 0 || r.is_null(row, c))
		return fallback;
	try {
		return std::stoll(r.text(row, c));
	} catch (const std::exception &) {
		return fallback;
	}
}

std::string text_or(const Result &r, int row, const char *column) {
	const int c = r.column(column);
	return c < 0 || r.is_null(row, c) ? std::string() : r.text(row, c);
}

// A result's rows as a JSON array of objects (numbers, booleans and json as themselves).
std::string rows_json(const Result &r) {
	std::string out = "[";
	for (int row = 0; row < r.rows(); ++row) {
		out += row ? ",\n  {" : "\n  {";
		for (int c = 0; c < r.columns(); ++c) {
			out += (c ? ", " : "") + json_string(r.name(c)) + ": ";
			const Oid type = r.type(c);
			if (r.is_null(row, c))
				out += "null";
			else if (type == 20 || type == 21 || type == 23 || type == 114 || type == 3802) // ints, json, jsonb
				out += r.text(row, c);
			else if (type == 16)
				out += r.text(row, c) == "t" ? "true" : "false";
			else
				out += json_string(r.text(row, c));
		}
		out += "}";
	}
	return out + (r.rows() ? "\n]\n" : "]\n");
}

class ImportWatch final : public Watch {
public:
	ImportWatch(Console &console, ProgressPoller *poller, const std::function<void(const std::string &)> &say)
	    : console_(console), poller_(poller), say_(say) {}
	void tick() override {
		if (poller_ != nullptr && console_.phase_elapsed() >= next_poll_) {
			next_poll_ = console_.phase_elapsed() + 1.0;
			std::string error;
			console_.watched(poller_->poll(error).value_or(""));
			if (!error.empty())
				say_("relocate_progress could not be read (" + error + "): progress from the server's notices");
		}
		console_.tick();
	}
	bool cancel_requested() override { return g_interrupted != 0; }

private:
	Console &console_;
	ProgressPoller *poller_;
	const std::function<void(const std::string &)> &say_;
	double next_poll_ = 0.5;
};

} // namespace

ProgressPoller::ProgressPoller(Connection conn, const ServerFeatures &f, int pid)
    : conn_(std::move(conn)), pid_(std::to_string(pid)) {
	if (f.progress_view)
		progress_query_ = progress_query(f);
	conn_.exec("SET statement_timeout = '5s'");
}

std::optional<std::string> ProgressPoller::poll(std::string &error) {
	std::string text;
	if (!progress_query_.empty()) {
		const Result r = conn_.exec(progress_query_, {pid_});
		if (!r.ok()) {
			progress_query_.clear();
			error = r.error(conn_.conn()).primary;
		} else if (r.rows() > 0) {
			ServerProgress p;
			p.phase = text_or(r, 0, "phase");
			p.model = text_or(r, 0, "model");
			p.entries_read = int_or(r, 0, "entries_read", -1);
			p.rows_written = int_or(r, 0, "rows_written", -1);
			p.bytes_read = int_or(r, 0, "bytes_read", -1);
			p.bytes_total = int_or(r, 0, "bytes_total", -1);
			const std::string rate = text_or(r, 0, "rows_per_second");
			if (!rate.empty())
				p.rows_per_second = std::atof(rate.c_str());
			text = describe(p);
		}
	}
	const Result wait = conn_.exec("SELECT wait_event_type, wait_event FROM pg_catalog.pg_stat_activity "
	                               "WHERE pid OPERATOR(pg_catalog.=) $1::pg_catalog.int4",
	                               {pid_});
	if (wait.ok() && wait.rows() == 1 && wait.text(0, 0) == "Lock")
		text += (text.empty() ? "" : "; ") + std::string("waiting for a lock (") + wait.text(0, 1) + ")";
	if (text.empty())
		return std::nullopt;
	return text;
}

Result ImportRun::run_watched(const std::string &phase, const Call &call) {
	console_.phase(phase);
	const std::function<void(const std::string &)> say = [this](const std::string &text) { this->say(text); };
	ImportWatch watch(console_, poller_.get(), say);
	Result r = conn_.exec_watched(call.sql, call.params, watch);
	console_.finish();
	return r;
}

// BEGIN, and the export into a new large object of this transaction, in chunks (any size, with
// progress; Ctrl-C rolls it back).
bool ImportRun::upload() {
	const Result begin = conn_.exec("BEGIN");
	if (!begin.ok()) {
		fail("import_error", "could not start a transaction", begin.error(conn_.conn()));
		return false;
	}
	in_transaction_ = true;
	if (file_ == nullptr)
		return true;
	// Through SQL that names pg_catalog's functions, not libpq's lo_* calls: their first use sends
	// libpq's own lookup of the lo_* functions, whose unqualified = and IN the search_path resolves.
	const Result created = conn_.exec("SELECT pg_catalog.lo_create(0)");
	if (!created.ok() || created.rows() != 1) {
		fail("import_error", "could not create a large object for the export", created.error(conn_.conn()));
		return false;
	}
	lo_oid_ = created.text(0, 0);
	say("uploading " + o_.file + " (" + format_bytes(file_size_) + ") into large object " + lo_oid_);
	console_.phase("uploading");
	std::vector<char> buf(kUploadChunk);
	std::uint64_t sent = 0;
	for (std::size_t got; (got = std::fread(buf.data(), 1, buf.size(), file_)) > 0; sent += got) {
		if (g_interrupted != 0) {
			fail("cancelled", "the upload was interrupted", cancelled());
			return false;
		}
		const Result put = conn_.exec_with_bytes(
		    "SELECT pg_catalog.lo_put($1::pg_catalog.oid, $2::pg_catalog.int8, $3::pg_catalog.bytea)",
		    {lo_oid_, std::to_string(sent)}, std::string_view(buf.data(), got));
		if (!put.ok()) {
			fail("import_error", "could not upload the export", put.error(conn_.conn()));
			return false;
		}
		console_.detail(format_bytes(sent + got) + " of " + format_bytes(file_size_));
		console_.tick();
	}
	if (std::ferror(file_) != 0) {
		fail("import_error", "could not read the export \"" + o_.file + "\"", client_error(std::strerror(errno)));
		return false;
	}
	console_.finish();
	return true;
}

bool ImportRun::import() {
	if (o_.dry_run && !features_.dry_run && o_.verbosity != Verbosity::kQuiet)
		console_.print("relocate-import: this relocate (" + features_.version +
		               ") has no dry_run argument: the import runs and relocate-import rolls it back\n");
	say(std::string(o_.dry_run ? "dry run: " : "") + "importing " + source_label() + " (scope " + o_.scope + ")");
	const Call call = import_call(o_, features_, o_.file.empty() ? o_.server_file : lo_oid_, key_);
	summary_ = run_watched(o_.dry_run ? "importing (dry run)" : "importing", call);
	if (!summary_.ok()) {
		const bool interrupted = g_interrupted != 0;
		fail(interrupted ? "cancelled" : "import_error", interrupted ? "the import was cancelled" : "the import failed",
		     summary_.error(conn_.conn()));
		return false;
	}
	const Result uuid = conn_.exec("SELECT pg_catalog.current_setting('relocate.last_import_uuid', true)");
	import_uuid_ = !o_.import_uuid.empty() ? o_.import_uuid : uuid.ok() && uuid.rows() == 1 ? uuid.text(0, 0) : "";
	return true;
}

// relocate_report (relocate 0.2.0): the counts by action, the renamed and merged entries, and the
// whole report for --report-file.
void ImportRun::read_report() {
	// In a savepoint: a report that cannot be read (another shape than the contract's, say) must not
	// abort the import's transaction.
	conn_.exec("SAVEPOINT relocate_import_report");
	if (read_report_rows())
		conn_.exec("RELEASE SAVEPOINT relocate_import_report");
	else
		conn_.exec("ROLLBACK TO SAVEPOINT relocate_import_report");
}

bool ImportRun::read_report_rows() {
	const Result exists = conn_.exec("SELECT pg_catalog.to_regclass('pg_temp.relocate_report') IS NOT NULL");
	if (!exists.ok() || exists.rows() != 1 || exists.text(0, 0) != "t") {
		if (!o_.report_file.empty())
			console_.print("relocate-import: warning: this relocate (" + features_.version +
			               ") keeps no relocate_report (relocate 0.2.0 does): --report-file gets []\n");
		report_json_ = "[]\n";
		return true;
	}
	const Result counts =
	    conn_.exec("SELECT action, pg_catalog.count(*) FROM pg_temp.relocate_report GROUP BY action ORDER BY action");
	const Result renamed =
	    conn_.exec("SELECT model, old_pk, new_pk, action, detail FROM pg_temp.relocate_report "
	               "WHERE action OPERATOR(pg_catalog.=) ANY ('{renamed,merged,regenerated}'::pg_catalog.text[]) "
	               "ORDER BY model, old_pk LIMIT $1::pg_catalog.int8",
	               {std::to_string(kRenamedShown)});
	const Result all =
	    o_.report_file.empty() ? Result() : conn_.exec("SELECT * FROM pg_temp.relocate_report ORDER BY model, old_pk");
	if (!counts.ok() || !renamed.ok() || (!o_.report_file.empty() && !all.ok())) {
		console_.print("relocate-import: warning: relocate_report could not be read: " +
		               (counts.ok() ? renamed.ok() ? all : renamed : counts).error(conn_.conn()).primary + "\n");
		report_json_ = "[]\n";
		return false;
	}
	for (int i = 0; i < counts.rows(); ++i) {
		report_counts_.push_back(format_count(std::stoll(counts.text(i, 1))) + " " + counts.text(i, 0));
		if (counts.text(i, 0) == "renamed" || counts.text(i, 0) == "merged" || counts.text(i, 0) == "regenerated")
			renamed_total_ += std::stoll(counts.text(i, 1));
	}
	for (int i = 0; i < renamed.rows(); ++i)
		renamed_.push_back(
		    {renamed.text(i, 0), renamed.text(i, 1), renamed.text(i, 2), renamed.text(i, 3), renamed.text(i, 4)});
	report_json_ = all.ok() ? rows_json(all) : "[]\n";
	return true;
}

} // namespace relocate::cli
