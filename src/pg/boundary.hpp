// The C++ / PostgreSQL error boundary. Two rules, one mechanism each:
//
// 1. No C++ exception ever crosses into PostgreSQL: every SQL-callable function is a C entry point
//    whose whole body is `return relocate::pg::call_entry(impl, fcinfo);`. call_entry runs the C++
//    implementation inside try/catch, copies what it caught into memory that needs no destructor,
//    lets the catch block end, and only then raises the PostgreSQL ERROR (ReThrowError for a
//    PostgreSQL error caught below, keeping its SQLSTATE, detail, hint and context).
//
// 2. No PostgreSQL ERROR ever longjmps over C++ frames with live destructors: C++ code calls into
//    PostgreSQL only through pg_guard(fn). pg_guard sets a sigsetjmp target right around `fn`,
//    so an ERROR raised inside lands there; the error is copied (CopyErrorData), the error state
//    flushed, and a C++ PgError thrown, which unwinds the C++ frames normally. `fn` may read and
//    fill C++ objects that live outside it, but no object with a destructor may be alive in fn's
//    own frame across a PostgreSQL call (a longjmp would skip its destructor).
#pragma once

#include <exception>

extern "C" {
#include "postgres.h"

#include "fmgr.h"
}

namespace relocate::pg {

// A PostgreSQL ERROR caught by pg_guard, on its way back to call_entry.
class PgError : public std::exception {
public:
	explicit PgError(ErrorData *edata) : edata_(edata) {}
	ErrorData *edata() const noexcept { return edata_; }
	const char *what() const noexcept override;

private:
	ErrorData *edata_;
};

namespace detail {
// Memory context for copied errors: lives until the SQL function returns.
extern MemoryContext error_context;
[[noreturn]] void throw_caught_error(MemoryContext caller);
} // namespace detail

template <typename Fn> inline void pg_guard(Fn &&fn) {
	MemoryContext caller = CurrentMemoryContext;
	sigjmp_buf *volatile saved_stack = PG_exception_stack;
	ErrorContextCallback *volatile saved_context = error_context_stack;
	sigjmp_buf local;
	volatile bool failed = false; // volatile: GCC cannot tell that it is only set after the jump (-Wclobbered)
	if (sigsetjmp(local, 0) == 0) {
		PG_exception_stack = &local;
		try {
			fn();
		} catch (...) { // a C++ exception from fn's C++ part: unhook the jump target, then go on
			PG_exception_stack = saved_stack;
			error_context_stack = saved_context;
			MemoryContextSwitchTo(caller); // as after an ERROR: fn may have switched to a context of its own
			throw;
		}
	} else {
		failed = true;
	}
	PG_exception_stack = saved_stack;
	error_context_stack = saved_context;
	if (failed)
		detail::throw_caught_error(caller);
}

// Runs `impl` as the body of a SQL-callable function (rule 1 above). Never returns on error.
Datum call_entry(Datum (*impl)(FunctionCallInfo), FunctionCallInfo fcinfo);

// CHECK_FOR_INTERRUPTS() through pg_guard: a cancel request or timeout becomes a PgError (57014).
void check_for_interrupts();

} // namespace relocate::pg

// Defines the SQL-callable function `name` (at file scope): its C entry point, which does nothing
// but run the C++ body through call_entry, and the start of that body, which follows the macro:
//
//     RELOCATE_SQL_FUNCTION(relocate_import) {
//         ... C++, with `fcinfo` in scope; reaches PostgreSQL only through pg_guard ...
//     }
//
// so that no entry point can exist without its wrapper.
#define RELOCATE_SQL_FUNCTION(name)                                                                                    \
	static Datum name##_body(FunctionCallInfo fcinfo);                                                                 \
	extern "C" {                                                                                                       \
	PG_FUNCTION_INFO_V1(name);                                                                                         \
	Datum name(PG_FUNCTION_ARGS) {                                                                                     \
		return relocate::pg::call_entry(name##_body, fcinfo);                                                          \
	}                                                                                                                  \
	}                                                                                                                  \
	static Datum name##_body(FunctionCallInfo fcinfo)
