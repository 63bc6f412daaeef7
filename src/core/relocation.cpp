#include "core/relocation.hpp"

#include <array>
#include <memory>
#include <vector>

#include <openssl/evp.h>

#include "core/error.hpp"
#include "core/text.hpp"

namespace relocate::relocation {

namespace {

struct TaskInfo {
	const char *name;
	Step step;
};

// OrderedTask and TASK_TO_STEP (relocation/utils.py), indexed by the task's value.
constexpr std::array<TaskInfo, 17> kTasks = {{
    {"NONE", Step::Unknown},
    {"UPLOADING_START", Step::Uploading},
    {"UPLOADING_COMPLETE", Step::Uploading},
    {"PREPROCESSING_SCAN", Step::Preprocessing},
    {"PREPROCESSING_TRANSFER", Step::Preprocessing},
    {"PREPROCESSING_BASELINE_CONFIG", Step::Preprocessing},
    {"PREPROCESSING_COLLIDING_USERS", Step::Preprocessing},
    {"PREPROCESSING_COMPLETE", Step::Preprocessing},
    {"VALIDATING_START", Step::Validating},
    {"VALIDATING_POLL", Step::Validating},
    {"VALIDATING_COMPLETE", Step::Validating},
    {"IMPORTING", Step::Importing},
    {"POSTPROCESSING", Step::Postprocessing},
    {"NOTIFYING_UNHIDE", Step::Notifying},
    {"NOTIFYING_USERS", Step::Notifying},
    {"NOTIFYING_OWNER", Step::Notifying},
    {"COMPLETED", Step::Completed},
}};

constexpr std::array<const char *, 8> kSteps = {"UNKNOWN",   "UPLOADING",      "PREPROCESSING", "VALIDATING",
                                                "IMPORTING", "POSTPROCESSING", "NOTIFYING",     "COMPLETED"};
constexpr std::array<const char *, 4> kStatuses = {"IN_PROGRESS", "FAILURE", "SUCCESS", "PAUSE"};

int value(Task t) {
	return static_cast<int>(t);
}
int value(Step s) {
	return static_cast<int>(s);
}

} // namespace

const char *task_name(Task task) {
	return kTasks[static_cast<std::size_t>(value(task))].name;
}

std::optional<Task> task_named(std::string_view name) {
	for (std::size_t i = 0; i < kTasks.size(); ++i)
		if (name == kTasks[i].name)
			return static_cast<Task>(i);
	return std::nullopt;
}

Step task_step(Task task) {
	return kTasks[static_cast<std::size_t>(value(task))].step;
}

const char *step_name(int step) {
	return step >= 0 && static_cast<std::size_t>(step) < kSteps.size() ? kSteps[static_cast<std::size_t>(step)] : "?";
}

const char *status_name(int status) {
	return status >= 0 && static_cast<std::size_t>(status) < kStatuses.size()
	           ? kStatuses[static_cast<std::size_t>(status)]
	           : "?";
}

std::optional<Provenance> provenance_named(std::string_view name) {
	const std::string lower = ascii_lower(name);
	if (lower == "self-hosted")
		return Provenance::SelfHosted;
	if (lower == "saas-to-saas")
		return Provenance::SaasToSaas;
	return std::nullopt;
}

const char *provenance_name(int provenance) {
	return provenance == 1 ? "saas-to-saas" : provenance == 0 ? "self-hosted" : "?";
}

void fail(Relocation &r, const std::string &reason) {
	if (r.status == static_cast<int>(Status::Failure))
		return;
	if (!reason.empty())
		r.failure_reason = cut_to_characters(reason, kMaxFailureReason);
	r.status = static_cast<int>(Status::Failure);
	r.latest_notified = static_cast<int>(EmailKind::Failed);
}

namespace {

// Steps 1-4 of start_relocation_task: the status and the order of the tasks. True if the task may
// go on to the attempt count.
bool check_order(Relocation &r, Task task, int allowed, Gate &gate) {
	if (r.status != static_cast<int>(Status::InProgress) && r.status != static_cast<int>(Status::Pause)) {
		gate = {GateOutcome::Terminal, false, 0,
		        std::string("it has already completed as ") + status_name(r.status) + ", so " + task_name(task) +
		            " does nothing"};
		return false;
	}
	const std::string prev = value(task) == 1 ? "" : task_name(static_cast<Task>(value(task) - 1));
	if (r.latest_task == prev || r.latest_task == task_name(task))
		return true;
	const std::optional<Task> latest = task_named(r.latest_task);
	if (!latest)
		throw ImportError(sqlstate::kObjectNotInPrerequisiteState,
		                  "relocate: relocation " + r.uuid + " has latest_task \"" + r.latest_task +
		                      "\", which is not one of Sentry's ordered tasks",
		                  "Sentry's start_relocation_task cannot order it either (OrderedTask[...] raises KeyError).",
		                  "Set latest_task to the name of the last task that ran, e.g. 'VALIDATING_COMPLETE'.");
	if (value(task) < value(*latest)) {
		gate = {GateOutcome::Redundant, false, allowed,
		        std::string(task_name(task)) + " is skipped: its relocation has already reached " + r.latest_task};
		return false;
	}
	const std::string reason =
	    std::string("Task ") + task_name(task) + " tried to follow " + r.latest_task + " which is the wrong order.";
	fail(r, reason);
	gate = {GateOutcome::WrongOrder, true, 0, "it failed: " + reason};
	return false;
}

} // namespace

Gate start_task(Relocation &r, Task task, int allowed) {
	Gate gate;
	if (!check_order(r, task, allowed, gate))
		return gate;
	if (r.latest_task == task_name(task)) {
		if (r.latest_task_attempts >= allowed) {
			const std::string reason = std::string("Task ") + task_name(task) + " has exhausted all of its attempts.";
			fail(r, reason);
			return {GateOutcome::Exhausted, true, 0, "it failed: " + reason};
		}
		r.latest_task_attempts += 1;
	} else {
		r.latest_task = task_name(task);
		r.latest_task_attempts = 1;
	}
	const int step = value(task_step(task));
	const bool is_new_step = r.step + 1 == step;
	if (is_new_step && r.scheduled_cancel_at_step == step) {
		r.step = step;
		r.status = static_cast<int>(Status::Failure);
		r.scheduled_pause_at_step.reset();
		r.scheduled_cancel_at_step.reset();
		r.failure_reason = kCancelled;
		return {GateOutcome::Cancelled, true, 0, std::string("it was cancelled at step ") + step_name(step)};
	}
	if (r.status == static_cast<int>(Status::Pause) || (is_new_step && r.scheduled_pause_at_step == step)) {
		r.step = step;
		r.status = static_cast<int>(Status::Pause);
		r.scheduled_pause_at_step.reset();
		return {GateOutcome::Paused, true, 0,
		        std::string("it is paused at step ") + step_name(step) + ": " + task_name(task) + " did not run"};
	}
	r.step = step;
	return {GateOutcome::Proceed, true, allowed - r.latest_task_attempts, {}};
}

std::string cut_to_characters(std::string_view text, std::size_t max_chars) {
	if (utf8_length(text) <= max_chars)
		return std::string(text);
	std::size_t chars = 0, end = 0;
	for (std::size_t i = 0; i < text.size(); ++i) {
		if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80)
			continue; // a continuation byte
		if (chars == max_chars - 1) {
			end = i;
			break;
		}
		++chars;
	}
	return std::string(text.substr(0, end)) + "\xE2\x80\xA6"; // U+2026
}

bool is_transient(std::string_view sqlstate) {
	if (sqlstate.size() != 5)
		return false;
	const std::string_view cls = sqlstate.substr(0, 2);
	return cls == "40" || cls == "53" || cls == "57" || cls == "58" || sqlstate == "55P03";
}

std::string redact_values(std::string_view message) {
	static const std::array<std::string_view, 7> kNames = {"field ",      "column ", "table ", "relation ",
	                                                       "constraint ", "index ",  "model "};
	std::string out;
	std::size_t i = 0;
	while (i < message.size()) {
		if (message[i] != '"') {
			out += message[i++];
			continue;
		}
		std::size_t close = message.find('"', i + 1);
		if (close == std::string_view::npos)
			close = message.size() - 1;
		bool is_name = false;
		for (std::string_view word : kNames)
			if (out.size() >= word.size() && out.compare(out.size() - word.size(), word.size(), word) == 0)
				is_name = true;
		out += is_name ? std::string(message.substr(i, close - i + 1)) : std::string("\"\xE2\x80\xA6\"");
		i = close + 1;
	}
	return out;
}

std::string error_reason(std::string_view sentry_text, std::string_view sqlstate, std::string_view message) {
	std::string_view text = sentry_text;
	if (!text.empty() && text.back() == '.')
		text.remove_suffix(1);
	return cut_to_characters(std::string(text) + " (SQLSTATE " + std::string(sqlstate) + "): " + redact_values(message),
	                         kMaxFailureReason);
}

namespace {

std::string hex_digest(const unsigned char *digest, unsigned int size) {
	static const char kHex[] = "0123456789abcdef";
	std::string out;
	for (unsigned int i = 0; i < size; ++i) {
		out += kHex[digest[i] >> 4];
		out += kHex[digest[i] & 0xF];
	}
	return out;
}

struct MdCtxFree {
	void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
};

} // namespace

std::string sha1_hex(ByteSource &source, const CheckInterrupts &check) {
	std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
	if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1)
		throw ImportError(sqlstate::kInternalError, "relocate: SHA-1 failed in OpenSSL");
	source.rewind();
	std::vector<char> buf(1 << 20);
	for (std::size_t n; (n = source.read(buf.data(), buf.size())) > 0;) {
		if (check)
			check();
		if (EVP_DigestUpdate(ctx.get(), buf.data(), n) != 1)
			throw ImportError(sqlstate::kInternalError, "relocate: SHA-1 failed in OpenSSL");
	}
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int size = 0;
	if (EVP_DigestFinal_ex(ctx.get(), digest, &size) != 1)
		throw ImportError(sqlstate::kInternalError, "relocate: SHA-1 failed in OpenSSL");
	return hex_digest(digest, size);
}

std::string sha1_hex(std::string_view data) {
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int size = 0;
	if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha1(), nullptr) != 1)
		throw ImportError(sqlstate::kInternalError, "relocate: SHA-1 failed in OpenSSL");
	return hex_digest(digest, size);
}

bool starts_with_any(std::string_view value, const std::vector<std::string> &prefixes) {
	for (const std::string &p : prefixes)
		if (value.compare(0, p.size(), p) == 0)
			return true;
	return false;
}

} // namespace relocate::relocation
