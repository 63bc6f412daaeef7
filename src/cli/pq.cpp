#include "cli/pq.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace relocate::cli {

namespace {

std::string field(const PGresult *r, int code) {
	const char *v = r != nullptr ? PQresultErrorField(r, code) : nullptr;
	return v != nullptr ? v : "";
}

ServerMessage message_of(const PGresult *r) {
	ServerMessage m;
	m.severity = field(r, PG_DIAG_SEVERITY_NONLOCALIZED);
	if (m.severity.empty())
		m.severity = field(r, PG_DIAG_SEVERITY);
	m.sqlstate = field(r, PG_DIAG_SQLSTATE);
	m.primary = field(r, PG_DIAG_MESSAGE_PRIMARY);
	m.detail = field(r, PG_DIAG_MESSAGE_DETAIL);
	m.hint = field(r, PG_DIAG_MESSAGE_HINT);
	m.context = field(r, PG_DIAG_CONTEXT);
	return m;
}

// libpq's own message (a connection error, a lost connection): its last line, without "ERROR:  ".
std::string trimmed(const char *text) {
	std::string s = text != nullptr ? text : "";
	while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
		s.pop_back();
	for (const char *prefix : {"ERROR:  ", "FATAL:  "})
		if (s.rfind(prefix, 0) == 0)
			s.erase(0, std::string(prefix).size());
	return s;
}

void notice_receiver(void *arg, const PGresult *r) {
	try {
		(*static_cast<Connection::NoticeHandler *>(arg))(message_of(r));
	} catch (...) { // never into libpq
	}
}

// Reads a password from the terminal without echo, as psql does; "" when there is no terminal.
std::string prompt_password(const std::string &prompt) {
	const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return {};
	termios old{};
	const bool is_tty = tcgetattr(fd, &old) == 0;
	if (is_tty) {
		termios quiet = old;
		quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	if (::write(fd, prompt.data(), prompt.size()) < 0) {
		// nothing to do: the read below still works
	}
	std::string line;
	char c = 0;
	while (::read(fd, &c, 1) == 1 && c != '\n')
		line += c;
	if (is_tty)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (::write(fd, "\n", 1) < 0) {
	}
	::close(fd);
	return line;
}

PGconn *connect_once(const Options &o, const std::string &password) {
	std::vector<const char *> keys, values;
	auto add = [&](const char *key, const std::string &value) {
		if (!value.empty()) {
			keys.push_back(key);
			values.push_back(value.c_str());
		}
	};
	add("host", o.host);
	add("port", o.port);
	add("user", o.username);
	add("password", password);
	add("dbname", o.dbname);
	const std::string app = "relocate-import", encoding = "UTF8";
	add("fallback_application_name", app);
	add("client_encoding", encoding);
	keys.push_back(nullptr);
	values.push_back(nullptr);
	return PQconnectdbParams(keys.data(), values.data(), 1);
}

} // namespace

bool Result::ok() const {
	if (!r_)
		return false;
	const ExecStatusType s = PQresultStatus(r_.get());
	return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

ServerMessage Result::error(PGconn *conn) const {
	ServerMessage m = message_of(r_.get());
	if (m.primary.empty()) {
		m.primary = trimmed(r_ ? PQresultErrorMessage(r_.get()) : PQerrorMessage(conn));
		if (m.primary.empty() && conn != nullptr)
			m.primary = trimmed(PQerrorMessage(conn));
		if (m.severity.empty())
			m.severity = "ERROR";
	}
	return m;
}

Connection Connection::open(const Options &o, std::string &password, std::string &error) {
	if (o.password == PasswordPrompt::kAlways && password.empty())
		password = prompt_password("Password: ");
	for (;;) {
		std::shared_ptr<PGconn> conn(connect_once(o, password), &PQfinish);
		if (conn == nullptr) {
			error = "out of memory";
			return {};
		}
		if (PQstatus(conn.get()) == CONNECTION_OK) {
			Connection c;
			c.conn_ = std::move(conn);
			c.on_notice([](const ServerMessage &) {});
			return c;
		}
		const bool retry = PQconnectionNeedsPassword(conn.get()) && password.empty() &&
		                   o.password != PasswordPrompt::kNever && isatty(STDIN_FILENO);
		if (retry) {
			password = prompt_password("Password for user " + std::string(PQuser(conn.get())) + ": ");
			if (!password.empty())
				continue;
		}
		error = trimmed(PQerrorMessage(conn.get()));
		return {};
	}
}

void Connection::on_notice(NoticeHandler handler) {
	notice_ = std::make_shared<NoticeHandler>(std::move(handler));
	PQsetNoticeReceiver(conn_.get(), &notice_receiver, notice_.get());
}

Result Connection::exec(const std::string &sql) const {
	return Result(PQexec(conn_.get(), sql.c_str()));
}

namespace {

// The parameters as PQexecParams takes them (text values, NULL as a null pointer).
std::vector<const char *> param_values(const Params &params) {
	std::vector<const char *> values;
	for (const auto &p : params)
		values.push_back(p ? p->c_str() : nullptr);
	return values;
}

} // namespace

Result Connection::exec(const std::string &sql, const Params &params) const {
	const std::vector<const char *> values = param_values(params);
	return Result(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
	                           nullptr, nullptr, 0));
}

Result Connection::exec_with_bytes(const std::string &sql, const Params &params, std::string_view bytes) const {
	std::vector<const char *> values = param_values(params);
	std::vector<int> lengths(values.size(), 0); // text parameters: lengths and formats unused
	std::vector<int> formats(values.size(), 0);
	values.push_back(bytes.data());
	lengths.push_back(static_cast<int>(bytes.size()));
	formats.push_back(1);
	return Result(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
	                           lengths.data(), formats.data(), 0));
}

Result Connection::exec_watched(const std::string &sql, const Params &params, Watch &watch) const {
	PGconn *c = conn_.get();
	const std::vector<const char *> values = param_values(params);
	if (PQsendQueryParams(c, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr,
	                      0) == 0)
		return Result(PQmakeEmptyPGresult(c, PGRES_FATAL_ERROR));
	std::unique_ptr<PGcancel, void (*)(PGcancel *)> cancel(PQgetCancel(c), &PQfreeCancel);
	bool cancel_sent = false;
	Result last;
	for (;;) {
		if (!cancel_sent && watch.cancel_requested()) {
			char err[256];
			if (cancel != nullptr)
				PQcancel(cancel.get(), err, sizeof err);
			cancel_sent = true;
		}
		pollfd p{PQsocket(c), POLLIN, 0};
		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			return Result(PQmakeEmptyPGresult(c, PGRES_FATAL_ERROR));
		const bool alive = PQconsumeInput(c) != 0;
		while (PQisBusy(c) == 0) {
			PGresult *r = PQgetResult(c);
			if (r == nullptr)
				return last;
			last = Result(r);
		}
		if (!alive)
			return Result(PQmakeEmptyPGresult(c, PGRES_FATAL_ERROR));
		watch.tick();
	}
}

ServerMessage client_error(const std::string &text, const std::string &sqlstate) {
	ServerMessage m;
	m.severity = "ERROR";
	m.primary = text;
	m.sqlstate = sqlstate;
	return m;
}

std::string format_message(const ServerMessage &m, bool with_context) {
	std::string out = (m.severity.empty() ? std::string("ERROR") : m.severity) + ":  " + m.primary + "\n";
	if (!m.detail.empty())
		out += "DETAIL:  " + m.detail + "\n";
	if (!m.hint.empty())
		out += "HINT:  " + m.hint + "\n";
	if (with_context && !m.context.empty())
		out += "CONTEXT:  " + m.context + "\n";
	return out;
}

} // namespace relocate::cli
