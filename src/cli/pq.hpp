// relocate-import's use of libpq: connections made as psql makes them (a conninfo string or URI in
// -d, the PG* variables, a password prompt), results that free themselves, statements with bound
// parameters, and a statement run asynchronously so that the progress line, the server's notices
// and Ctrl-C (a cancel request) are handled while it runs.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

#include "cli/options.hpp"

namespace relocate::cli {

// An error, notice or warning from the server (or from libpq), in its parts.
struct ServerMessage {
	std::string severity; // ERROR, WARNING, NOTICE, ... (not localized)
	std::string sqlstate;
	std::string primary;
	std::string detail;
	std::string hint;
	std::string context;
};

class Result {
public:
	Result() = default;
	explicit Result(PGresult *r) : r_(r, &PQclear) {}
	PGresult *get() const { return r_.get(); }
	// Whether the statement succeeded (a command or rows).
	bool ok() const;
	// The error (empty parts when there is none); `conn` supplies libpq's message without a result.
	ServerMessage error(PGconn *conn) const;
	int rows() const { return r_ ? PQntuples(r_.get()) : 0; }
	int columns() const { return r_ ? PQnfields(r_.get()) : 0; }
	int column(const char *name) const { return r_ ? PQfnumber(r_.get(), name) : -1; }
	std::string name(int col) const { return PQfname(r_.get(), col); }
	bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
	std::string text(int row, int col) const { return PQgetvalue(r_.get(), row, col); }
	Oid type(int col) const { return PQftype(r_.get(), col); }

private:
	std::shared_ptr<PGresult> r_;
};

// A statement's bound parameters: text values, or NULL.
using Params = std::vector<std::optional<std::string>>;

// What an asynchronous statement asks of its caller while it runs.
class Watch {
public:
	virtual ~Watch() = default;
	virtual void tick() = 0;             // about ten times a second
	virtual bool cancel_requested() = 0; // true: send the server a cancel request (once)
};

class Connection {
public:
	using NoticeHandler = std::function<void(const ServerMessage &)>;

	Connection() = default;
	// Connects with the options' connection settings (libpq reads PG* for the rest), prompting for a
	// password as psql does; `password` is the one entered before, and is set to the one entered now.
	// On failure, conn() is null and `error` says why.
	static Connection open(const Options &o, std::string &password, std::string &error);

	PGconn *conn() const { return conn_.get(); }
	explicit operator bool() const { return conn_ != nullptr; }
	// Every notice and warning of this connection goes to `handler` (none reaches stderr otherwise).
	void on_notice(NoticeHandler handler);

	Result exec(const std::string &sql) const;
	Result exec(const std::string &sql, const Params &params) const;
	// exec with one parameter more after `params`, `bytes`, sent in binary (a bytea argument without
	// the doubling of its text form).
	Result exec_with_bytes(const std::string &sql, const Params &params, std::string_view bytes) const;
	// Runs the statement asynchronously, calling `watch` while it runs; the statement's last result.
	Result exec_watched(const std::string &sql, const Params &params, Watch &watch) const;

private:
	std::shared_ptr<PGconn> conn_;
	std::shared_ptr<NoticeHandler> notice_;
};

// relocate-import's own error (not the server's) as a ServerMessage.
ServerMessage client_error(const std::string &text, const std::string &sqlstate = {});

// A message in psql's layout: "SEVERITY:  primary\nDETAIL:  ...\nHINT:  ...\n" (CONTEXT with
// `with_context`).
std::string format_message(const ServerMessage &m, bool with_context);

} // namespace relocate::cli
