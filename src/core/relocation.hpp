// Sentry's relocation pipeline around the import, as data and pure functions: the Relocation
// model's enums, the ordered tasks, the gate every task passes (start_relocation_task), failure
// handling (fail_relocation), and the texts Sentry records as failure_reason. The PostgreSQL side
// (src/pg/relocation_*.cpp) reads a sentry_relocation row into a Relocation, lets these functions
// decide, and writes the row back.
//
// Sources (getsentry/sentry): src/sentry/relocation/utils.py @ 17e6149b (OrderedTask, TASK_TO_STEP,
// start_relocation_task, fail_relocation, retry_task_or_fail_relocation),
// src/sentry/relocation/tasks/process.py @ 0751a0d7 (the tasks, their attempt limits and texts),
// src/sentry/relocation/models/relocation.py @ 03629925 (the enums).
//
// PostgreSQL-free.
#pragma once

#include "core/byte_source.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relocate::relocation {

// Relocation.Step, Relocation.Status, Relocation.Provenance, Relocation.EmailKind, RelocationFile.Kind.
enum class Step : int {
	Unknown,
	Uploading,
	Preprocessing,
	Validating,
	Importing,
	Postprocessing,
	Notifying,
	Completed
};
enum class Status : int { InProgress, Failure, Success, Pause };
enum class Provenance : int { SelfHosted, SaasToSaas };
enum class EmailKind : int { Started, Failed, Succeeded };
inline constexpr int kRawUserData = 1; // RelocationFile.Kind.RAW_USER_DATA

// OrderedTask, in execution order; only the name is stored (latest_task).
enum class Task : int {
	None,
	UploadingStart,
	UploadingComplete,
	PreprocessingScan,
	PreprocessingTransfer,
	PreprocessingBaselineConfig,
	PreprocessingCollidingUsers,
	PreprocessingComplete,
	ValidatingStart,
	ValidatingPoll,
	ValidatingComplete,
	Importing,
	Postprocessing,
	NotifyingUnhide,
	NotifyingUsers,
	NotifyingOwner,
	Completed
};

// process.py: every task but importing (and the validation poll) is a "fast" task.
inline constexpr int kMaxFastTaskAttempts = 4;        // MAX_FAST_TASK_RETRIES + 1
inline constexpr int kMaxSlowTaskAttempts = 5;        // MAX_SLOW_TASK_RETRIES + 1, importing's
inline constexpr std::size_t kMaxFailureReason = 256; // failure_reason varchar(256)

const char *task_name(Task task);                                  // "IMPORTING"
std::optional<Task> task_named(std::string_view name);             // nullopt for "" and unknown names
Step task_step(Task task);                                         // TASK_TO_STEP
const char *step_name(int step);                                   // "IMPORTING", or "?" for an unknown value
const char *status_name(int status);                               // "IN_PROGRESS", ...
std::optional<Provenance> provenance_named(std::string_view name); // "self-hosted", "saas-to-saas" (any case)
const char *provenance_name(int provenance);                       // str(Provenance): "self-hosted", ...

// The columns of a sentry_relocation row the pipeline reads and writes.
struct Relocation {
	std::int64_t id = 0;
	std::string uuid;
	std::int64_t owner_id = 0;
	std::int64_t creator_id = 0;
	int provenance = 0;
	int step = 0;
	int status = 0;
	std::optional<int> scheduled_pause_at_step;
	std::optional<int> scheduled_cancel_at_step;
	std::vector<std::string> want_org_slugs;
	std::optional<std::vector<std::string>> want_usernames;
	std::optional<int> latest_notified;
	std::string latest_task;
	int latest_task_attempts = 0;
	std::optional<std::string> failure_reason;
};

// What the gate decided. Only Proceed runs the task's body.
enum class GateOutcome {
	Proceed,
	Terminal,   // status is SUCCESS or FAILURE: nothing changes
	Redundant,  // a later task is already recorded: nothing changes (Sentry's newest rule)
	WrongOrder, // latest_task is earlier than the task before this one: FAILURE
	Exhausted,  // this task's attempts are used up: FAILURE
	Cancelled,  // a cancel was scheduled at this step: FAILURE, Sentry's cancel text
	Paused      // paused, or a pause was scheduled at this step: PAUSE
};

struct Gate {
	GateOutcome outcome = GateOutcome::Proceed;
	bool save = false;     // the row changed and is to be written back
	int attempts_left = 0; // for Proceed: allowed - latest_task_attempts (0: this is the last one)
	std::string message;   // what happened, for a NOTICE (no "relocate:" prefix)
};

// Sentry's start_relocation_task(uuid, task, allowed_task_attempts), on a row already read (the
// lookup by uuid is the caller's): changes `r` exactly as Sentry saves it. Where Sentry fails the
// relocation without a reason (wrong order, exhausted attempts) the reason is Sentry's own log line
// for that case. Throws ImportError (55000) for a latest_task that is not an OrderedTask name,
// where Sentry raises an unhandled KeyError and changes nothing.
Gate start_task(Relocation &r, Task task, int allowed_attempts);

// Sentry's fail_relocation(relocation, task, reason), without the e-mail: nothing if the status is
// already FAILURE; else status FAILURE, failure_reason = reason when it is not empty (cut to 256
// characters), and latest_notified FAILED (the FAILED e-mail is the one Sentry sends here).
void fail(Relocation &r, const std::string &reason);

// `text` cut to at most `max_chars` characters at a character boundary (UTF-8), with "…" as the
// last character when it was cut.
std::string cut_to_characters(std::string_view text, std::size_t max_chars);

// True for a SQLSTATE whose error the same call may not hit again (Sentry retries every error;
// relocate only these): class 40 (serialization failure, deadlock), 53 (insufficient resources),
// 55P03 (lock not available), 57 (operator intervention) and 58 (system error: I/O).
bool is_transient(std::string_view sqlstate);

// A message with the values it quotes removed: every double-quoted string is replaced by "…"
// unless it follows the word field, column, table, relation, constraint, index or model (then it
// is a name). Keeps decrypted export values out of failure_reason.
std::string redact_values(std::string_view message);

// failure_reason for an error in a task body: Sentry's text for the task (e.g. "Internal error
// while importing.") without its period, then " (SQLSTATE <code>): " and the redacted message, cut
// to 256 characters.
std::string error_reason(std::string_view sentry_text, std::string_view sqlstate, std::string_view message);

// The texts Sentry records as failure_reason (process.py, utils.py).
inline constexpr const char *kErrImportingInternal = "Internal error while importing.";
inline constexpr const char *kErrPostprocessingInternal = "Internal error during postprocessing.";
inline constexpr const char *kErrNotifyingInternal = "Internal error during relocation notification.";
inline constexpr const char *kErrCompletedInternal = "Internal error during relocation wrap-up.";
inline constexpr const char *kErrPreprocessingInternal = "Internal error during preprocessing.";
inline constexpr const char *kCancelled = "This relocation was cancelled by an administrator.";

// The SHA-1 of `data` as 40 lowercase hex characters (File.checksum).
std::string sha1_hex(std::string_view data);
// The same over a whole source (read from its start), calling `check` between chunks.
std::string sha1_hex(ByteSource &source, const CheckInterrupts &check);

// True if `value` starts with one of `prefixes` (postprocessing's and notifying_users' sanity
// checks: str.startswith).
bool starts_with_any(std::string_view value, const std::vector<std::string> &prefixes);

} // namespace relocate::relocation
