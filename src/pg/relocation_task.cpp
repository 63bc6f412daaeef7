#include "pg/relocation_task.hpp"

#include <new>

#include "core/error.hpp"
#include "pg/relocation_store.hpp"
#include "pg/spi_target.hpp"
#include "pg/spi_query.hpp"

extern "C" {
#include "utils/elog.h"
}

namespace relocate::pg {

using relocation::GateOutcome;
using relocation::Relocation;

const char *outcome_name(TaskOutcome::Kind kind) {
	switch (kind) {
	case TaskOutcome::Kind::Missing:
		return "missing";
	case TaskOutcome::Kind::Skipped:
		return "skipped";
	case TaskOutcome::Kind::Paused:
		return "paused";
	case TaskOutcome::Kind::Failed:
		return "failed";
	case TaskOutcome::Kind::Retry:
		return "retry";
	case TaskOutcome::Kind::Done:
		return "done";
	}
	return "?";
}

namespace {

// An error that left the body, copied out of its exception.
struct BodyError {
	std::string sqlstate;
	std::string message;               // for failure_reason (redacted there)
	std::string detail;                // the error in full, for the NOTICE
	std::optional<std::string> reason; // a ReasonedFailure's own failure_reason
};

// The first line of an error context that relocate wrote (which batch of which model), if any.
std::string relocate_context(const char *context) {
	if (context == nullptr)
		return {};
	std::string_view c(context);
	while (!c.empty()) {
		std::size_t end = c.find('\n');
		std::string_view line = c.substr(0, end);
		if (line.compare(0, 10, "relocate: ") == 0)
			return std::string(line);
		if (end == std::string_view::npos)
			break;
		c.remove_prefix(end + 1);
	}
	return {};
}

BodyError from_pg_error(const ErrorData *e) {
	BodyError out;
	out.sqlstate = unpack_sql_state(e->sqlerrcode);
	out.message = e->message != nullptr ? e->message : "";
	const std::string where = relocate_context(e->context);
	if (!where.empty())
		out.message += " (" + where + ")";
	out.detail = "SQLSTATE " + out.sqlstate + ": " + (e->message != nullptr ? e->message : "");
	if (e->detail != nullptr)
		out.detail += std::string(" ") + e->detail;
	return out;
}

// Runs the body; returns the error that left it (the subtransaction then rolled back), or
// nullopt. A cancel (57014: pg_cancel_backend, statement_timeout) is not recorded: it ends the
// whole call, which rolls back the gate's changes too.
std::optional<BodyError> run_body(const std::function<void(Relocation &)> &body, Relocation &working) {
	try {
		in_subtransaction([&] { body(working); });
		return std::nullopt;
	} catch (const SubtransactionFailed &) {
		throw; // not the body's error, and nothing rolled back: the whole call fails
	} catch (const PgError &e) {
		if (e.edata()->sqlerrcode == ERRCODE_QUERY_CANCELED)
			throw;
		return from_pg_error(e.edata());
	} catch (const ReasonedFailure &e) {
		return BodyError{"", "", e.detail, e.reason};
	} catch (const ImportError &e) {
		return BodyError{e.code(), e.what(), std::string("SQLSTATE ") + e.code() + ": " + e.what(), std::nullopt};
	} catch (const std::bad_alloc &) {
		return BodyError{"53200", "relocate: out of memory", "SQLSTATE 53200: relocate: out of memory", std::nullopt};
	} catch (const std::exception &e) {
		return BodyError{sqlstate::kInternalError, std::string("relocate: internal error: ") + e.what(),
		                 std::string("SQLSTATE XX000: relocate: internal error: ") + e.what(), std::nullopt};
	}
}

// Sentry's retry_task_or_fail_relocation for an error in the body, except that only a transient
// error is retried: any other one would fail the same way again, so the relocation fails now.
TaskOutcome on_body_error(const std::string &table, Relocation &r, const TaskSpec &spec, int attempts_left,
                          const BodyError &error) {
	const std::string task = relocation::task_name(spec.task);
	if (!error.reason && relocation::is_transient(error.sqlstate) && attempts_left > 0) {
		const std::string message = "relocate: relocation " + r.uuid + ": attempt " +
		                            std::to_string(r.latest_task_attempts) + " of " + task +
		                            " failed; it stays IN_PROGRESS, to be retried";
		notice(message, error.detail,
		       "Run the task again: " + std::to_string(attempts_left) + " attempt(s) of " +
		           std::to_string(spec.allowed_attempts) + " left.");
		return {TaskOutcome::Kind::Retry, GateOutcome::Proceed, message};
	}
	const std::string reason =
	    error.reason ? *error.reason : relocation::error_reason(spec.sentry_error, error.sqlstate, error.message);
	relocation::fail(r, reason);
	save_relocation(table, r);
	const std::string message = "relocate: relocation " + r.uuid + " failed at " + task + ": " + reason;
	notice(message, error.detail);
	return {TaskOutcome::Kind::Failed, GateOutcome::Proceed, message};
}

TaskOutcome gate_outcome(const relocation::Gate &gate, const std::string &uuid) {
	const std::string message = "relocate: relocation " + uuid + ": " + gate.message;
	notice(message);
	switch (gate.outcome) {
	case GateOutcome::Paused:
		return {TaskOutcome::Kind::Paused, gate.outcome, message};
	case GateOutcome::WrongOrder:
	case GateOutcome::Exhausted:
	case GateOutcome::Cancelled:
		return {TaskOutcome::Kind::Failed, gate.outcome, message};
	default:
		return {TaskOutcome::Kind::Skipped, gate.outcome, message};
	}
}

} // namespace

TaskOutcome run_task(const std::string &uuid, const TaskSpec &spec, const std::function<void(Relocation &)> &body,
                     const std::function<void(const Relocation &)> &precheck) {
	const std::string table = require_table("sentry_relocation", " (Sentry's relocations)");
	// The import lock first, then the relocation's row, as every import takes the import lock before
	// anything else: a task that locked the row first and then waited for the import lock (the
	// importing body takes it) deadlocked with a transaction that imported and then ran a task. A role
	// that may not lock the row (UPDATE on sentry_relocation) does not get to hold the import lock:
	// lock_relocation refuses it.
	// Sentry's table: a temporary one of that name (found first) would let any role hold the lock.
	if (spi_value("SELECT c.relpersistence::pg_catalog.text FROM pg_catalog.pg_class c "
	              "WHERE c.oid OPERATOR(pg_catalog.=) $1::pg_catalog.regclass",
	              {text_param(table)}) == std::optional<std::string>("t"))
		throw ImportError(sqlstate::kWrongObjectType,
		                  "relocate: " + table + " is a temporary table, not Sentry's relocations", {},
		                  "Drop the temporary table named like Sentry's.");
	if (spi_value("SELECT pg_catalog.has_any_column_privilege($1, 'UPDATE')::pg_catalog.text", {text_param(table)}) ==
	    std::optional<std::string>("true"))
		lock_relocate_import();
	std::optional<Relocation> found = lock_relocation(table, uuid);
	if (!found) {
		const std::string message = "relocate: there is no relocation with uuid " + uuid;
		notice(message, {}, "relocate_relocation_create makes one.");
		return {TaskOutcome::Kind::Missing, GateOutcome::Terminal, message};
	}
	Relocation r = *found;
	const relocation::Gate gate = relocation::start_task(r, spec.task, spec.allowed_attempts);
	if (gate.outcome == GateOutcome::Proceed && precheck)
		precheck(r);
	if (gate.save)
		save_relocation(table, r);
	if (gate.outcome != GateOutcome::Proceed)
		return gate_outcome(gate, r.uuid);

	Relocation working = r;
	std::optional<BodyError> error = run_body(body, working);
	if (error)
		return on_body_error(table, r, spec, gate.attempts_left, *error);
	save_relocation(table, working, working.want_usernames != r.want_usernames);
	return {TaskOutcome::Kind::Done, GateOutcome::Proceed, {}};
}

} // namespace relocate::pg
