// One run of relocate-import against a server: connect, find what the server's relocate has, upload
// the export as a large object (or name the server's file), import in one transaction, read the
// report, verify, and commit (or roll back a dry run), then print the summary and write the
// findings. Each step is one method; a step that fails records a finding and says why.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/calls.hpp"
#include "cli/findings.hpp"
#include "cli/options.hpp"
#include "cli/pq.hpp"
#include "cli/progress.hpp"

namespace relocate::cli {

// Polls the import's backend on a second connection while it runs: relocate_progress (when the
// server has it) and pg_stat_activity's wait event, so that an import waiting for a lock says so.
class ProgressPoller {
public:
	ProgressPoller(Connection conn, const ServerFeatures &f, int pid);
	// The backend's progress in words, or nullopt (nothing to say yet). When relocate_progress cannot
	// be read, `error` says why, once, and the view is not read again.
	std::optional<std::string> poll(std::string &error);

private:
	Connection conn_;
	std::string progress_query_; // empty: the server has no relocate_progress
	std::string pid_;
};

class ImportRun {
public:
	explicit ImportRun(const Options &o);
	int run();

private:
	bool prepare_inputs();
	bool connect();
	bool confirm_reset();
	bool prepare_session();
	bool upload();
	bool import();
	void read_report();
	bool read_report_rows();
	void verify();
	bool finish_transaction();
	void print_summary();
	int conclude(int code);

	Result run_watched(const std::string &phase, const Call &call);
	void on_server_message(const ServerMessage &m);
	void fail(const std::string &kind, const std::string &what, const ServerMessage &m);
	void say(const std::string &text); // a step, with --verbose
	void rollback();
	std::string source_label() const;

	const Options &o_;
	Console console_;
	Connection conn_;
	ServerFeatures features_;
	std::unique_ptr<ProgressPoller> poller_;
	std::string password_;
	std::optional<std::string> key_; // the PEM text, or the server path of the key
	std::FILE *file_ = nullptr;
	std::uint64_t file_size_ = 0;
	std::string lo_oid_;
	Result summary_;
	std::string import_uuid_;
	std::vector<Finding> findings_;
	std::vector<std::string> report_counts_;        // "2 renamed", ...
	std::vector<std::vector<std::string>> renamed_; // model, old_pk, new_pk, detail
	std::int64_t renamed_total_ = 0;
	std::optional<std::string> report_json_;
	int hidden_notices_ = 0;
	bool in_transaction_ = false;
	bool committed_ = false;
	std::optional<std::int64_t> verify_differences_; // what --verify found, once it ran
};

} // namespace relocate::cli
