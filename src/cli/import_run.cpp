#include "cli/import_run.hpp"

#include <cerrno>
#include <cstring>
#include <iostream>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/format.hpp"
#include "cli/run.hpp"

namespace relocate::cli {

namespace {

ProgressMode progress_mode(const Options &o) {
	if (o.verbosity == Verbosity::kQuiet)
		return ProgressMode::kNone;
	return isatty(STDERR_FILENO) ? ProgressMode::kLine : ProgressMode::kPeriodic;
}

// Whether a file can be written at `path` (it exists writable, or its directory is writable).
bool writable(const std::string &path, std::string &error) {
	if (access(path.c_str(), W_OK) == 0)
		return true;
	const std::size_t slash = path.rfind('/');
	const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
	if (errno == ENOENT && access(dir.c_str(), W_OK) == 0)
		return true;
	error = "cannot write \"" + path + "\": " + std::strerror(errno);
	return false;
}

std::string starts_after(const std::string &text, const std::string &prefix) {
	return text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : std::string();
}

} // namespace

int run_import(const Options &o) {
	ImportRun run(o);
	return run.run();
}

ImportRun::ImportRun(const Options &o) : o_(o), console_(stderr, progress_mode(o)) {
	winsize ws{};
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		console_.set_width(ws.ws_col);
}

int ImportRun::run() {
	if (!prepare_inputs())
		return kExitUsage;
	if (!connect() || !confirm_reset() || !prepare_session())
		return conclude(kExitUsage);
	if (!upload() || !import()) {
		rollback();
		return conclude(kExitFailed);
	}
	read_report();
	verify();
	if (!finish_transaction())
		return conclude(kExitFailed);
	print_summary();
	return conclude(findings_.empty() ? kExitOk : kExitFailed);
}

void ImportRun::say(const std::string &text) {
	if (o_.verbosity == Verbosity::kVerbose)
		console_.print("relocate-import: " + text + "\n");
}

std::string ImportRun::source_label() const {
	return o_.file.empty() ? o_.server_file : o_.file;
}

// Everything that can be checked before connecting: the key, the export file, the output files.
bool ImportRun::prepare_inputs() {
	std::string error;
	if (!o_.key_file.empty()) {
		std::string pem;
		if (!read_key_file(o_.key_file, pem, error)) {
			print_error(error);
			return false;
		}
		key_ = std::move(pem);
	} else if (!o_.server_key_file.empty()) {
		key_ = o_.server_key_file;
	}
	if (!o_.file.empty()) {
		file_ = std::fopen(o_.file.c_str(), "rb");
		struct stat st {};
		if (file_ == nullptr || fstat(fileno(file_), &st) != 0 || !S_ISREG(st.st_mode)) {
			print_error("could not read the export \"" + o_.file +
			            "\": " + (file_ == nullptr ? std::strerror(errno) : "not a regular file"));
			return false;
		}
		file_size_ = static_cast<std::uint64_t>(st.st_size);
	}
	for (const std::string *out : {&o_.findings_file, &o_.report_file})
		if (!out->empty() && !writable(*out, error)) {
			print_error(error);
			return false;
		}
	return true;
}

bool ImportRun::connect() {
	std::string error;
	conn_ = Connection::open(o_, password_, error);
	if (!conn_) {
		print_error("could not connect to the database: " + error);
		findings_.push_back(finding_from_error("connection_error", "08006", error));
		return false;
	}
	conn_.on_notice([this](const ServerMessage &m) { on_server_message(m); });
	const Result r = conn_.exec(features_query(), {import_function(o_)});
	if (!r.ok()) {
		fail("connection_error", "could not read the server's catalogs", r.error(conn_.conn()));
		return false;
	}
	if (r.rows() == 0) {
		const std::string message = "relocate is not installed in database \"" + std::string(PQdb(conn_.conn())) + "\"";
		print_error(message, "CREATE EXTENSION relocate (as a superuser), in the Sentry database.");
		findings_.push_back(finding_from_error("connection_error", "42883", message));
		return false;
	}
	features_ = {r.text(0, 0),        r.text(0, 1),        r.text(0, 2) == "t",
	             r.text(0, 3) == "t", r.text(0, 4) == "t", r.text(0, 5) == "t"};
	say("connected to database \"" + std::string(PQdb(conn_.conn())) + "\" as user \"" + PQuser(conn_.conn()) +
	    "\" (PostgreSQL " + PQparameterStatus(conn_.conn(), "server_version") + ", relocate " + features_.version +
	    " in schema " + features_.schema + ")");
	if (o_.verify && !(o_.file.empty() ? features_.verify_file : features_.verify_large_object)) {
		const std::string message = "--verify needs relocate 0.2.0's relocate_verify, which the relocate " +
		                            features_.version + " of this database does not have";
		print_error(message, "Update the extension (ALTER EXTENSION relocate UPDATE), or import without --verify.");
		findings_.push_back(finding_from_error("usage_error", "42883", message));
		return false;
	}
	if (!features_.progress_view)
		say("this relocate has no relocate_progress view: progress from the server's notices");
	if (console_.mode() != ProgressMode::kNone) {
		Connection second = Connection::open(o_, password_, error);
		if (second)
			poller_ = std::make_unique<ProgressPoller>(std::move(second), features_, PQbackendPID(conn_.conn()));
		else
			say("no second connection to watch the import (" + error + ")");
	}
	return true;
}

bool ImportRun::confirm_reset() {
	if (!o_.reset || o_.dry_run || o_.yes)
		return true;
	const std::string db = PQdb(conn_.conn());
	if (!isatty(STDIN_FILENO)) {
		print_error("--reset empties every Sentry table of database \"" + db +
		                "\" before the import; there is no terminal to confirm it on",
		            "Add --yes to confirm it on the command line.");
		findings_.push_back(finding_from_error("usage_error", "", "--reset was not confirmed"));
		return false;
	}
	const char *host = PQhost(conn_.conn());
	std::fprintf(stderr,
	             "relocate-import: --reset empties every Sentry table of database \"%s\" on \"%s\" port %s, then "
	             "imports.\nType the database's name to go on: ",
	             db.c_str(), host != nullptr ? host : "", PQport(conn_.conn()));
	std::fflush(stderr);
	std::string answer;
	if (!std::getline(std::cin, answer) || answer != db) {
		print_error("not confirmed: nothing was done");
		findings_.push_back(finding_from_error("usage_error", "", "--reset was not confirmed"));
		return false;
	}
	return true;
}

// The session's settings: notices on (progress, warnings), the operator's --set, and no bound
// parameter in the server log when the key is one.
bool ImportRun::prepare_session() {
	conn_.exec("SET client_min_messages = notice");
	for (const auto &[name, value] : o_.settings) {
		const Result r = conn_.exec("SELECT pg_catalog.set_config($1, $2, false)", {name, value});
		if (!r.ok()) {
			fail("usage_error", "could not set " + name, r.error(conn_.conn()));
			return false;
		}
		say("set " + name + " = " + value);
	}
	if (!o_.key_file.empty()) {
		conn_.exec("SET log_parameter_max_length_on_error = 0");
		if (!conn_.exec("SET log_parameter_max_length = 0").ok()) {
			const Result r = conn_.exec("SELECT pg_catalog.current_setting('log_statement') OPERATOR(pg_catalog.=) "
			                            "'all' OR pg_catalog.current_setting('log_min_duration_statement') "
			                            "OPERATOR(pg_catalog.<>) '-1'");
			if (r.ok() && r.rows() == 1 && r.text(0, 0) == "t")
				console_.print("relocate-import: warning: the server logs statements with their parameters, and "
				               "this role may not turn that off (log_parameter_max_length): the private key may "
				               "reach the server log. --server-key-file keeps it on the server.\n");
		}
	}
	return true;
}

void ImportRun::on_server_message(const ServerMessage &m) {
	const std::string progress = starts_after(m.primary, "relocate: progress: ");
	if (!progress.empty()) {
		console_.detail(progress);
		return;
	}
	const bool notice =
	    m.severity == "NOTICE" || m.severity == "INFO" || m.severity == "LOG" || m.severity.rfind("DEBUG", 0) == 0;
	if (notice && o_.verbosity != Verbosity::kVerbose) {
		++hidden_notices_;
		return;
	}
	console_.print(format_message(m, o_.verbosity == Verbosity::kVerbose));
}

void ImportRun::fail(const std::string &kind, const std::string &what, const ServerMessage &m) {
	console_.finish();
	std::string text = "relocate-import: error: " + what + ": " + m.primary + "\n";
	if (!m.detail.empty())
		text += "DETAIL:  " + m.detail + "\n";
	if (!m.hint.empty())
		text += "HINT:  " + m.hint + "\n";
	if (!m.context.empty() && o_.verbosity == Verbosity::kVerbose)
		text += "CONTEXT:  " + m.context + "\n";
	std::fputs(text.c_str(), stderr);
	findings_.push_back(finding_from_error(kind, m.sqlstate, m.primary, m.detail, m.hint));
}

void ImportRun::rollback() {
	console_.finish();
	if (in_transaction_ && conn_ && PQstatus(conn_.conn()) == CONNECTION_OK)
		conn_.exec("ROLLBACK");
	in_transaction_ = false;
	if (o_.verbosity != Verbosity::kQuiet)
		std::fprintf(stderr, "relocate-import: nothing was imported: the transaction was rolled back%s\n",
		             lo_oid_.empty() ? "" : " (with the uploaded large object)");
}

int ImportRun::conclude(int code) {
	console_.finish();
	if (hidden_notices_ > 0 && o_.verbosity == Verbosity::kNormal)
		std::fprintf(stderr, "relocate-import: %d %s from the server not shown (-v shows them)\n", hidden_notices_,
		             hidden_notices_ == 1 ? "notice" : "notices");
	if (file_ != nullptr) {
		std::fclose(file_);
		file_ = nullptr;
	}
	std::string error;
	if (!o_.findings_file.empty() && !write_file_atomically(o_.findings_file, findings_json(findings_), error)) {
		print_error(error);
		code = code == kExitOk ? kExitFailed : code;
	}
	if (!o_.report_file.empty() && report_json_ && !write_file_atomically(o_.report_file, *report_json_, error)) {
		print_error(error);
		code = code == kExitOk ? kExitFailed : code;
	}
	return code;
}

} // namespace relocate::cli
