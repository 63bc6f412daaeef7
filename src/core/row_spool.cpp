#include "core/row_spool.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace relocate {

namespace {

constexpr char kPkMapBatch = 'P';
constexpr char kReportBatch = 'R';

[[noreturn]] void io_error(const char *what) {
	throw ImportError(sqlstate::kIoError,
	                  std::string("relocate: the dry run's spool file: ") + what + ": " + std::strerror(errno));
}

class Writer {
public:
	explicit Writer(std::FILE *f) : f_(f) {}
	void bytes(const void *p, std::size_t n) {
		if (n > 0 && std::fwrite(p, 1, n, f_) != n)
			io_error("writing");
	}
	void u64(std::uint64_t v) { bytes(&v, sizeof v); }
	void i64(std::int64_t v) { bytes(&v, sizeof v); }
	void str(const std::string &s) {
		u64(s.size());
		bytes(s.data(), s.size());
	}
	void opt_str(const std::optional<std::string> &s) {
		u64(s ? 1 : 0);
		if (s)
			str(*s);
	}

private:
	std::FILE *f_;
};

class Reader {
public:
	explicit Reader(std::FILE *f) : f_(f) {}
	void bytes(void *p, std::size_t n) {
		if (n > 0 && std::fread(p, 1, n, f_) != n) {
			if (std::feof(f_)) // a batch cut short: errno says nothing
				throw ImportError(sqlstate::kInternalError, "relocate: the dry run's spool file is damaged");
			io_error("reading");
		}
	}
	std::uint64_t u64() {
		std::uint64_t v;
		bytes(&v, sizeof v);
		return v;
	}
	std::int64_t i64() {
		std::int64_t v;
		bytes(&v, sizeof v);
		return v;
	}
	std::string str() {
		std::string s(u64(), '\0');
		bytes(s.data(), s.size());
		return s;
	}
	std::optional<std::string> opt_str() {
		if (u64() == 0)
			return std::nullopt;
		return str();
	}

private:
	std::FILE *f_;
};

} // namespace

RowSpool::RowSpool() : file_(std::tmpfile()) {
	if (file_ == nullptr)
		io_error("creating");
}

RowSpool::~RowSpool() {
	std::fclose(file_);
}

void RowSpool::add(const PkMapRows &rows) {
	Writer w(file_);
	w.bytes(&kPkMapBatch, 1);
	w.str(rows.model);
	w.u64(rows.size());
	for (std::size_t i = 0; i < rows.size(); ++i) {
		w.i64(rows.old_pks[i]);
		w.i64(rows.new_pks[i]);
		w.u64(static_cast<std::uint64_t>(rows.kinds[i]));
		w.opt_str(rows.slugs[i]);
	}
}

void RowSpool::add(const ReportRows &rows) {
	Writer w(file_);
	w.bytes(&kReportBatch, 1);
	w.str(rows.model);
	w.u64(rows.size());
	for (std::size_t i = 0; i < rows.size(); ++i) {
		w.i64(rows.old_pks[i]);
		w.u64(rows.new_pks[i] ? 1 : 0);
		w.i64(rows.new_pks[i].value_or(0));
		w.str(rows.actions[i]);
		w.str(rows.details[i]);
	}
}

void RowSpool::replay(const std::function<void(const PkMapRows &)> &pk_map,
                      const std::function<void(const ReportRows &)> &report) {
	if (std::fflush(file_) != 0 || std::fseek(file_, 0, SEEK_SET) != 0)
		io_error("rewinding");
	Reader r(file_);
	for (int tag; (tag = std::fgetc(file_)) != EOF;) {
		const std::string model = r.str();
		const std::uint64_t n = r.u64();
		if (tag == kPkMapBatch) {
			PkMapRows rows;
			rows.model = model.c_str();
			for (std::uint64_t i = 0; i < n; ++i) {
				const std::int64_t old_pk = r.i64(), new_pk = r.i64();
				const auto kind = static_cast<ImportKind>(r.u64());
				rows.add(old_pk, new_pk, kind, r.opt_str());
			}
			pk_map(rows);
		} else if (tag == kReportBatch) {
			ReportRows rows;
			rows.model = model.c_str();
			std::vector<std::string> actions; // the batch's action strings, alive for the callback
			actions.reserve(n);
			for (std::uint64_t i = 0; i < n; ++i) {
				const std::int64_t old_pk = r.i64();
				const bool has_new = r.u64() != 0;
				const std::int64_t new_pk = r.i64();
				actions.push_back(r.str());
				rows.add(old_pk, has_new ? std::optional<std::int64_t>(new_pk) : std::nullopt, actions.back().c_str(),
				         r.str());
			}
			report(rows);
		} else {
			throw ImportError(sqlstate::kInternalError, "relocate: the dry run's spool file is damaged");
		}
	}
	if (std::ferror(file_))
		io_error("reading");
}

} // namespace relocate
