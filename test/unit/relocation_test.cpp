// Tests of Sentry's relocation pipeline as relocate models it (src/core/relocation.cpp,
// src/core/preprocessing.cpp): the gate start_relocation_task and fail_relocation
// (src/sentry/relocation/utils.py @ 17e6149b), the failure texts, and preprocessing_scan's checks
// (src/sentry/relocation/tasks/process.py @ 0751a0d7). Each test names the Sentry function or test
// it follows.
#include "core/preprocessing.hpp"
#include "core/relocation.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "source_files.hpp"

namespace relocate::relocation {
namespace {

std::string fixture(const std::string &path) {
	return test::source_file("test/fixtures/" + path);
}

// A relocation as relocate_relocation_create leaves it (Sentry's validation: VALID).
Relocation validated() {
	Relocation r;
	r.uuid = "00000000-0000-4000-8000-000000000001";
	r.step = static_cast<int>(Step::Importing);
	r.status = static_cast<int>(Status::InProgress);
	r.latest_task = "VALIDATING_COMPLETE";
	r.latest_task_attempts = 1;
	r.want_org_slugs = {"testing"};
	return r;
}

TEST(OrderedTask, NamesAndStepsAreSentrys) {
	EXPECT_STREQ(task_name(Task::Importing), "IMPORTING");
	EXPECT_EQ(static_cast<int>(Task::Importing), 11);
	EXPECT_EQ(task_step(Task::Importing), Step::Importing);
	EXPECT_EQ(task_step(Task::NotifyingOwner), Step::Notifying);
	EXPECT_EQ(task_named("COMPLETED"), Task::Completed);
	EXPECT_FALSE(task_named(""));
	EXPECT_FALSE(task_named("importing")); // names are compared exactly, as OrderedTask[...] does
	EXPECT_STREQ(step_name(4), "IMPORTING");
	EXPECT_STREQ(status_name(3), "PAUSE");
	EXPECT_EQ(provenance_named("SaaS-to-SaaS"), Provenance::SaasToSaas);
	EXPECT_EQ(provenance_named("self-hosted"), Provenance::SelfHosted);
	EXPECT_FALSE(provenance_named("selfhosted"));
}

// start_relocation_task: the task after VALIDATING_COMPLETE counts its first attempt and moves to
// its step (ImportingTest.test_success_self_hosted's start).
TEST(StartRelocationTask, FirstAttemptProceeds) {
	Relocation r = validated();
	r.step = static_cast<int>(Step::Validating);
	Gate g = start_task(r, Task::Importing, kMaxSlowTaskAttempts);
	EXPECT_EQ(g.outcome, GateOutcome::Proceed);
	EXPECT_TRUE(g.save);
	EXPECT_EQ(g.attempts_left, 4);
	EXPECT_EQ(r.latest_task, "IMPORTING");
	EXPECT_EQ(r.latest_task_attempts, 1);
	EXPECT_EQ(r.step, 4);
	EXPECT_EQ(r.status, 0);
}

// A retry of the same task counts one more attempt; the fifth is the last (attempts_left 0).
TEST(StartRelocationTask, RetriesCountAttempts) {
	Relocation r = validated();
	r.latest_task = "IMPORTING";
	r.latest_task_attempts = 4;
	Gate g = start_task(r, Task::Importing, kMaxSlowTaskAttempts);
	EXPECT_EQ(g.outcome, GateOutcome::Proceed);
	EXPECT_EQ(r.latest_task_attempts, 5);
	EXPECT_EQ(g.attempts_left, 0);
}

// "Task %s has exhausted all of its attempts": FAILURE (Sentry gives no reason; relocate records
// that log line), latest_notified FAILED.
TEST(StartRelocationTask, ExhaustedAttemptsFail) {
	Relocation r = validated();
	r.latest_task = "IMPORTING";
	r.latest_task_attempts = 5;
	Gate g = start_task(r, Task::Importing, kMaxSlowTaskAttempts);
	EXPECT_EQ(g.outcome, GateOutcome::Exhausted);
	EXPECT_TRUE(g.save);
	EXPECT_EQ(r.status, static_cast<int>(Status::Failure));
	EXPECT_EQ(r.latest_task_attempts, 5);
	EXPECT_EQ(r.failure_reason, std::string("Task IMPORTING has exhausted all of its attempts."));
	EXPECT_EQ(r.latest_notified, static_cast<int>(EmailKind::Failed));
}

// The newest gate: a task before the recorded one is redundant and changes nothing.
TEST(StartRelocationTask, LaterTaskRecordedIsRedundant) {
	Relocation r = validated();
	r.latest_task = "POSTPROCESSING";
	r.step = 5;
	const Relocation before = r;
	Gate g = start_task(r, Task::Importing, kMaxSlowTaskAttempts);
	EXPECT_EQ(g.outcome, GateOutcome::Redundant);
	EXPECT_FALSE(g.save);
	EXPECT_EQ(r.latest_task, before.latest_task);
	EXPECT_EQ(r.status, before.status);
	EXPECT_EQ(g.attempts_left, kMaxSlowTaskAttempts);
}

// "Task %s tried to follow %s which is the wrong order": FAILURE, nothing else changes.
TEST(StartRelocationTask, EarlierTaskRecordedIsWrongOrder) {
	Relocation r = validated();
	r.latest_task = "PREPROCESSING_SCAN";
	r.step = 2;
	Gate g = start_task(r, Task::Importing, kMaxSlowTaskAttempts);
	EXPECT_EQ(g.outcome, GateOutcome::WrongOrder);
	EXPECT_EQ(r.status, static_cast<int>(Status::Failure));
	EXPECT_EQ(r.latest_task, "PREPROCESSING_SCAN");
	EXPECT_EQ(r.step, 2);
	EXPECT_EQ(r.failure_reason,
	          std::string("Task IMPORTING tried to follow PREPROCESSING_SCAN which is the wrong order."));
}

TEST(StartRelocationTask, TerminalStatusDoesNothing) {
	for (Status s : {Status::Success, Status::Failure}) {
		Relocation r = validated();
		r.status = static_cast<int>(s);
		Gate g = start_task(r, Task::Importing, kMaxSlowTaskAttempts);
		EXPECT_EQ(g.outcome, GateOutcome::Terminal);
		EXPECT_FALSE(g.save);
		EXPECT_EQ(r.latest_task, "VALIDATING_COMPLETE");
	}
}

// OrderedTask[""] raises KeyError in Sentry: relocate refuses with an ImportError, changing nothing.
TEST(StartRelocationTask, UnknownLatestTaskThrows) {
	Relocation r = validated();
	r.latest_task = "";
	EXPECT_THROW(start_task(r, Task::Importing, kMaxSlowTaskAttempts), ImportError);
}

// ImportingTest.test_pause: a pause scheduled at IMPORTING, reached from VALIDATING.
TEST(StartRelocationTask, ScheduledPauseAtANewStep) {
	Relocation r = validated();
	r.step = static_cast<int>(Step::Validating);
	r.scheduled_pause_at_step = static_cast<int>(Step::Importing);
	Gate g = start_task(r, Task::Importing, kMaxSlowTaskAttempts);
	EXPECT_EQ(g.outcome, GateOutcome::Paused);
	EXPECT_EQ(r.status, static_cast<int>(Status::Pause));
	EXPECT_EQ(r.step, static_cast<int>(Step::Importing));
	EXPECT_FALSE(r.scheduled_pause_at_step);
	EXPECT_EQ(r.latest_task, "IMPORTING"); // saved with the pause
}

// A paused relocation stays paused; a scheduled pause is only honoured on entering its step.
TEST(StartRelocationTask, PauseStatusAndStepEntry) {
	Relocation r = validated();
	r.status = static_cast<int>(Status::Pause);
	EXPECT_EQ(start_task(r, Task::Importing, kMaxSlowTaskAttempts).outcome, GateOutcome::Paused);

	Relocation s = validated(); // already at IMPORTING: a pause scheduled at POSTPROCESSING waits
	s.scheduled_pause_at_step = static_cast<int>(Step::Postprocessing);
	EXPECT_EQ(start_task(s, Task::Importing, kMaxSlowTaskAttempts).outcome, GateOutcome::Proceed);
	EXPECT_EQ(s.scheduled_pause_at_step, static_cast<int>(Step::Postprocessing));
	EXPECT_EQ(start_task(s, Task::Postprocessing, kMaxFastTaskAttempts).outcome, GateOutcome::Paused);
	EXPECT_EQ(s.step, static_cast<int>(Step::Postprocessing));
}

// A cancel scheduled at the step: FAILURE with Sentry's text, both schedules cleared, no e-mail.
TEST(StartRelocationTask, ScheduledCancel) {
	Relocation r = validated();
	r.step = static_cast<int>(Step::Validating);
	r.scheduled_cancel_at_step = static_cast<int>(Step::Importing);
	r.scheduled_pause_at_step = static_cast<int>(Step::Notifying);
	Gate g = start_task(r, Task::Importing, kMaxSlowTaskAttempts);
	EXPECT_EQ(g.outcome, GateOutcome::Cancelled);
	EXPECT_EQ(r.status, static_cast<int>(Status::Failure));
	EXPECT_EQ(r.failure_reason, std::string("This relocation was cancelled by an administrator."));
	EXPECT_FALSE(r.scheduled_cancel_at_step);
	EXPECT_FALSE(r.scheduled_pause_at_step);
	EXPECT_FALSE(r.latest_notified);
}

// fail_relocation does nothing to a relocation that has already failed.
TEST(FailRelocation, KeepsTheFirstFailure) {
	Relocation r = validated();
	fail(r, "first");
	fail(r, "second");
	EXPECT_EQ(r.failure_reason, std::string("first"));
	Relocation s = validated();
	fail(s, "");
	EXPECT_FALSE(s.failure_reason);
	EXPECT_EQ(s.status, static_cast<int>(Status::Failure));
}

TEST(FailureReason, CutAtACharacterBoundary) {
	const std::string euros(300, 'x');
	EXPECT_EQ(cut_to_characters(euros, 256).size(), 255u + 3u);
	std::string multi;
	for (int i = 0; i < 300; ++i)
		multi += "\xC3\xA9"; // é
	const std::string cut = cut_to_characters(multi, 256);
	EXPECT_EQ(cut.size(), 255u * 2 + 3);
	EXPECT_EQ(cut.substr(cut.size() - 3), "\xE2\x80\xA6");
	EXPECT_EQ(cut_to_characters("short", 256), "short");
}

TEST(FailureReason, NamesTheCauseWithoutValues) {
	EXPECT_EQ(redact_values("relocate: sentry.user pk 3, field \"username\": the value \"alice\" already exists"),
	          "relocate: sentry.user pk 3, field \"username\": the value \"\xE2\x80\xA6\" already exists");
	EXPECT_EQ(redact_values("new row for relation \"sentry_project\" violates check constraint \"c\""),
	          "new row for relation \"sentry_project\" violates check constraint \"c\"");
	EXPECT_EQ(redact_values("invalid input syntax for type uuid: \"secret\""),
	          "invalid input syntax for type uuid: \"\xE2\x80\xA6\"");
	EXPECT_EQ(error_reason(kErrImportingInternal, "23505", "boom"),
	          "Internal error while importing (SQLSTATE 23505): boom");
	EXPECT_LE(error_reason(kErrImportingInternal, "22P02", std::string(1000, 'y')).size(), 256u + 2);
}

TEST(FailureReason, TransientSqlstates) {
	for (const char *s : {"40001", "40P01", "53200", "55P03", "57014", "58030"})
		EXPECT_TRUE(is_transient(s)) << s;
	for (const char *s : {"22P02", "23505", "42P01", "XX000", "55000", ""})
		EXPECT_FALSE(is_transient(s)) << s;
}

// validate_sentry_slug: MIXED_SLUG_PATTERN with re.search.
TEST(PreprocessingScan, SentrySlugs) {
	for (const char *ok : {"testing", "a", "my-org_2", "1a", "a\n"})
		EXPECT_TRUE(valid_sentry_slug(ok)) << ok;
	for (const char *bad : {"", "123", "123\n", "Testing", "te st", "\n", "a\n\n", "org.x", "\xC3\xA9"})
		EXPECT_FALSE(valid_sentry_slug(bad)) << bad;
}

// preprocessing_scan over fresh-install.json for "testing" (RelocationTaskTestCase): two users
// are members of it.
TEST(PreprocessingScan, FreshInstallPasses) {
	ScanResult r = scan_export(fixture("sentry/fresh-install.json"), {"testing"});
	ASSERT_FALSE(r.failure_reason) << *r.failure_reason;
	EXPECT_EQ(r.want_usernames, (std::vector<std::string>{"admin@example.com", "member@example.com"}));
}

TEST(PreprocessingScan, MissingOrgsSortedAndJoined) {
	ScanResult r = scan_export(fixture("sentry/fresh-install.json"), {"zeta", "testing", "alpha"});
	EXPECT_EQ(r.failure_reason, std::string("The following organization slug imports were requested, but could not be "
	                                        "found in your submitted JSON: alpha,zeta."));
}

// The slug check comes before the others, the user check before the missing-slug check.
TEST(PreprocessingScan, CheckOrder) {
	EXPECT_EQ(scan_export(fixture("sentry/fresh-install.json"), {"Bad Slug", "nothere"}).failure_reason,
	          std::string("You asked to import an organization with the slug Bad Slug, which is not formatted "
	                      "correctly."));
	const std::string no_users = R"([{"model": "sentry.organization", "pk": 1, "fields": {"slug": "x"}}])";
	EXPECT_EQ(scan_export(no_users, {"nothere"}).failure_reason,
	          std::string("The provided JSON must contain at least one user."));
}

// invalid-user.json has no username: Sentry's KeyError, "Invalid input JSON.".
TEST(PreprocessingScan, InvalidUserIsInvalidJson) {
	EXPECT_EQ(scan_export(fixture("sentry/invalid-user.json"), {}).failure_reason, std::string("Invalid input JSON."));
	EXPECT_EQ(scan_export(R"([{"model": "sentry.user", "fields": {}}])", {}).failure_reason,
	          std::string("Invalid input JSON."));
	ScanResult malformed = scan_export("[{", {});
	ASSERT_TRUE(malformed.failure_reason);
	EXPECT_EQ(malformed.failure_reason->rfind("Internal error during preprocessing (SQLSTATE 22P02): ", 0), 0u);
}

std::string orgs_and_members(int orgs, int users) {
	std::string json = "[";
	for (int u = 1; u <= users; ++u)
		json += R"({"model": "sentry.user", "pk": )" + std::to_string(u) + R"(, "fields": {"username": "u)" +
		        std::to_string(u) + R"("}},)";
	for (int o = 1; o <= orgs; ++o)
		json += R"({"model": "sentry.organization", "pk": )" + std::to_string(o) + R"(, "fields": {"slug": "org"}},)";
	for (int u = 1; u <= users; ++u)
		json += R"({"model": "sentry.organizationmember", "pk": )" + std::to_string(u) +
		        R"(, "fields": {"organization": 1, "user_id": )" + std::to_string(u) + "}},";
	json.back() = ']';
	return json;
}

TEST(PreprocessingScan, Limits) {
	EXPECT_FALSE(scan_export(orgs_and_members(20, 2000), {"org"}).failure_reason);
	EXPECT_EQ(scan_export(orgs_and_members(21, 3), {"org"}).failure_reason,
	          std::string("The provided JSON contains 21 organizations matching one of the slugs you specified, but "
	                      "must not exceed the limit of 20."));
	EXPECT_EQ(scan_export(orgs_and_members(1, 2001), {"org"}).failure_reason,
	          std::string("The provided JSON contains 2001 users who are members of at least one of the organizations "
	                      "you specified, but must not exceed the limit of 2000."));
}

// The encrypted fixtures: the right key passes, another key is Sentry's decryption text, a
// damaged tarball is Sentry's tarball text.
TEST(PreprocessingScan, EncryptedExports) {
	const std::string tar = fixture("encrypted/fresh-install.tar");
	std::string plaintext;
	ScanResult ok =
	    scan_encrypted_export(tar.data(), tar.size(), fixture("encrypted/test-key.pem"), {"testing"}, plaintext);
	EXPECT_FALSE(ok.failure_reason);
	EXPECT_EQ(ok.want_usernames.size(), 2u);
	EXPECT_EQ(plaintext, fixture("sentry/fresh-install.json"));

	ScanResult wrong =
	    scan_encrypted_export(tar.data(), tar.size(), fixture("encrypted/other-key.pem"), {"testing"}, plaintext);
	EXPECT_EQ(wrong.failure_reason, std::string(kErrPreprocessingDecryption));
	EXPECT_NE(std::string(kErrPreprocessingDecryption).find("the\n                                  correct"),
	          std::string::npos);

	const std::string damaged = tar.substr(0, 700);
	ScanResult bad = scan_encrypted_export(damaged.data(), damaged.size(), fixture("encrypted/test-key.pem"),
	                                       {"testing"}, plaintext);
	EXPECT_EQ(bad.failure_reason, std::string("The import tarball you provided was invalid."));
}

} // namespace
} // namespace relocate::relocation
