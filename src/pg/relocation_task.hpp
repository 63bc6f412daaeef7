// One task of Sentry's relocation pipeline, run from SQL: the gate (start_relocation_task) on the
// relocation's row, locked for the call; then the task's body in a subtransaction; then Sentry's
// failure handling (retry_task_or_fail_relocation), with the failure record written in the
// caller's transaction after the body's writes were rolled back.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/relocation.hpp"

namespace relocate::pg {

// What one call of a task did.
struct TaskOutcome {
	enum class Kind {
		Missing, // no relocation with that uuid
		Skipped, // the gate did not run the body and changed nothing that matters: finished, redundant
		Paused,  // the gate paused the relocation
		Failed,  // the gate or the body failed the relocation (FAILURE), or cancelled it
		Retry,   // the body failed transiently with attempts left: IN_PROGRESS, to be run again
		Done     // the body ran and its writes are kept
	};
	Kind kind = Kind::Done;
	relocation::GateOutcome gate = relocation::GateOutcome::Proceed;
	std::string message; // what happened, as the NOTICE said it
};
const char *outcome_name(TaskOutcome::Kind kind); // "done", "skipped", ...

// A failure the body reports with its own failure_reason (e.g. a preprocessing check Sentry
// names): no retry, the text is recorded as it is.
struct ReasonedFailure {
	std::string reason;
	std::string detail;
};

struct TaskSpec {
	relocation::Task task;
	int allowed_attempts;
	const char *sentry_error; // Sentry's failure_reason for an error in the body
};

// Runs `spec.task` for the relocation `uuid`. `precheck` (optional) runs after the gate decided to
// proceed and before anything is written; it may throw to end the call with an ERROR. `body` runs
// in a subtransaction and may change the Relocation, which is written back after it.
TaskOutcome run_task(const std::string &uuid, const TaskSpec &spec,
                     const std::function<void(relocation::Relocation &)> &body,
                     const std::function<void(const relocation::Relocation &)> &precheck = {});

} // namespace relocate::pg
