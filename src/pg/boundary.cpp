#include "pg/boundary.hpp"

#include <cstdio>
#include <new>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/threads.hpp"

extern "C" {
#include "miscadmin.h"
#include "storage/ipc.h"
#include "utils/elog.h"
#include "utils/memutils.h"
}

namespace relocate::pg {

const char *PgError::what() const noexcept {
	return edata_ != nullptr && edata_->message != nullptr ? edata_->message : "PostgreSQL error";
}

namespace detail {

MemoryContext error_context = nullptr;

void throw_caught_error(MemoryContext caller) {
	// Here the ERROR has been raised and longjmp'd to pg_guard; copy it out of ErrorContext
	// into memory that outlives the C++ unwinding, then reset the error state.
	// The copy may fail itself (out of memory, most likely after an out-of-memory ERROR): that
	// ERROR lands on a jump target of its own here, not on the caller's, which would skip every
	// C++ frame above, and call_entry reports out of memory.
	MemoryContextSwitchTo(error_context != nullptr ? error_context : caller);
	ErrorData *volatile edata = nullptr;
	sigjmp_buf *volatile saved_stack = PG_exception_stack;
	sigjmp_buf local;
	if (sigsetjmp(local, 0) == 0) {
		PG_exception_stack = &local;
		edata = CopyErrorData();
	}
	PG_exception_stack = saved_stack;
	FlushErrorState();
	MemoryContextSwitchTo(caller);
	if (edata == nullptr)
		throw std::bad_alloc();
	throw PgError(edata);
}

} // namespace detail

namespace {

// What call_entry copies out of a C++ exception: static storage, so nothing needs destroying
// when ereport longjmps away. A backend runs one SQL function at a time.
struct CaughtError {
	char sqlstate[6];
	char message[4096];
	char detail[4096];
	char hint[2048];
};
CaughtError caught;

void copy_text(char *dst, std::size_t size, const char *src) {
	std::snprintf(dst, size, "%s", src != nullptr ? src : "");
}

void catch_into(const char *code, const char *message, const char *detail, const char *hint) noexcept {
	copy_text(caught.sqlstate, sizeof caught.sqlstate, code);
	copy_text(caught.message, sizeof caught.message, message);
	copy_text(caught.detail, sizeof caught.detail, detail);
	copy_text(caught.hint, sizeof caught.hint, hint);
}

// A FATAL error exits the backend from inside the call that raised it (proc_exit), with relocate's
// C++ frames still on the stack: their threads are stopped and joined here, before exit() runs the
// library's static destructors and OpenSSL's cleanup (core/threads.hpp). Registered once per
// process, by its first call of a relocate function (a library preloaded into the postmaster does
// not pass its exit callbacks on to the backends it forks).
void stop_threads_at_exit(int, Datum) {
	stop_all_threads();
}

void register_exit_callback() {
	static int registered_in = 0; // the pid
	if (registered_in == MyProcPid)
		return;
	before_shmem_exit(stop_threads_at_exit, 0);
	registered_in = MyProcPid;
}

} // namespace

void check_for_interrupts() {
	pg_guard([] { CHECK_FOR_INTERRUPTS(); });
}

Datum call_entry(Datum (*impl)(FunctionCallInfo), FunctionCallInfo fcinfo) {
	register_exit_callback(); // before any C++ object lives here: it may raise FATAL (no slot left)
	MemoryContext saved_error_context = detail::error_context;
	detail::error_context = CurrentMemoryContext;
	ErrorData *pg_error = nullptr;
	bool failed = false;
	Datum result = (Datum)0;
	try {
		result = impl(fcinfo);
	} catch (const PgError &e) {
		pg_error = e.edata();
		failed = true;
	} catch (const ImportError &e) {
		catch_into(e.code(), e.what(), e.detail().c_str(), e.hint().c_str());
		failed = true;
	} catch (const std::bad_alloc &) {
		catch_into("53200", "relocate: out of memory", "", "");
		failed = true;
	} catch (const JsonAssertion &e) {
		catch_into(sqlstate::kInternalError, "relocate: internal error in the JSON reader", e.what(), "");
		failed = true;
	} catch (const std::exception &e) {
		catch_into(sqlstate::kInternalError, "relocate: internal error", e.what(), "");
		failed = true;
	} catch (...) {
		catch_into(sqlstate::kInternalError, "relocate: internal error (unknown exception)", "", "");
		failed = true;
	}
	detail::error_context = saved_error_context;
	if (!failed)
		return result;
	// Every C++ frame below this one is gone and the catch blocks have ended: raising is safe now.
	if (pg_error != nullptr)
		ReThrowError(pg_error);
	// A C++ exception has no PostgreSQL source location: the ERROR carries none (errfinish without
	// a file name), rather than this line's.
	const char *c = caught.sqlstate;
	if (errstart(ERROR, TEXTDOMAIN)) {
		errcode(MAKE_SQLSTATE(c[0], c[1], c[2], c[3], c[4]));
		errmsg("%s", caught.message);
		if (caught.detail[0] != '\0')
			errdetail("%s", caught.detail);
		if (caught.hint[0] != '\0')
			errhint("%s", caught.hint);
		errfinish(nullptr, 0, nullptr);
	}
	pg_unreachable();
}

} // namespace relocate::pg
