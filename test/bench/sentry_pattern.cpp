// sentry_pattern: Sentry's statement pattern, a lower bound of what Sentry's own import costs.
//
// Sentry's importer writes an export row by row through Django: for each row at least one query
// looking for a colliding row and one INSERT ... RETURNING id, and it remaps every foreign key
// through the ids the earlier INSERTs returned. This client does exactly that and nothing else
// (no Python, no ORM, no serialization), over one libpq connection in one transaction:
//
//   1. reads, from --source (a database relocate_import has written; not timed), the rows it added:
//      every row of every table of --schema that is not in the --existing snapshot
//      (table tab, column id), in Sentry's model order (the catalogue's sort_order) and id order;
//   2. on --target (an identical database holding only the existing install), timed:
//      BEGIN; for each row: remap its foreign keys (real FK constraints and the catalogue's
//      relocate_model_foreign_keys) to the ids returned so far, run one collision SELECT by the
//      model's first unique set whose values are all non-null (relocate_models.uniques, mapped to
//      columns) or else by the row's id, then one INSERT ... RETURNING id; COMMIT.
//      Each statement is sent as Django sends it through psycopg2 (Sentry's driver,
//      requirements-base.txt): one text query with its values quoted into it as literals
//      (PQescapeLiteral), over the simple query protocol, so the server parses, analyzes and plans
//      every statement. (psycopg2 binds no parameters and prepares nothing on the server.)
//
//   sentry_pattern --source CONNINFO --target CONNINFO [--schema sentry]
//                  [--existing public.bench_existing] [--verbose]
//
// Prints "table NAME ROWS SECONDS" lines with --verbose, then one line:
//   result rows=N seconds=S rows_per_s=R selects=N found=F peak_rss_kib=K
// (found: collision SELECTs that returned a row; 0 when the rows are the ones relocate wrote.
// peak_rss_kib: VmHWM of the target backend, read through pg_read_file after COMMIT; -1 when the
// role may not read it.) Exits non-zero on any error.
#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Result {
	PGresult *r = nullptr;
	explicit Result(PGresult *res) : r(res) {}
	~Result() { PQclear(r); }
	Result(const Result &) = delete;
	Result &operator=(const Result &) = delete;
	int rows() const { return PQntuples(r); }
	bool null(int row, int col) const { return PQgetisnull(r, row, col); }
	std::string get(int row, int col) const { return std::string(PQgetvalue(r, row, col), PQgetlength(r, row, col)); }
};

class Connection {
public:
	explicit Connection(const std::string &conninfo) : c_(PQconnectdb(conninfo.c_str())) {
		if (PQstatus(c_) != CONNECTION_OK)
			throw std::runtime_error("cannot connect to \"" + conninfo + "\": " + PQerrorMessage(c_));
	}
	~Connection() { PQfinish(c_); }
	Connection(const Connection &) = delete;
	Connection &operator=(const Connection &) = delete;

	// A statement with parameters; throws unless it succeeded.
	std::unique_ptr<Result> exec(const std::string &sql, const std::vector<std::string> &params = {}) {
		std::vector<const char *> values;
		for (const std::string &p : params)
			values.push_back(p.c_str());
		auto res = std::make_unique<Result>(PQexecParams(c_, sql.c_str(), static_cast<int>(values.size()), nullptr,
		                                                 values.data(), nullptr, nullptr, 0));
		check(*res, sql);
		return res;
	}
	// One statement over the simple query protocol, as psycopg2's cursor.execute sends it.
	std::unique_ptr<Result> query(const std::string &sql) {
		auto res = std::make_unique<Result>(PQexec(c_, sql.c_str()));
		check(*res, sql);
		return res;
	}
	// A value quoted as an SQL literal (psycopg2's adaptation of a str); throws on an encoding error.
	void append_literal(std::string &out, const std::string &value) {
		char *quoted = PQescapeLiteral(c_, value.c_str(), value.size());
		if (quoted == nullptr)
			throw std::runtime_error(std::string("cannot quote a value: ") + PQerrorMessage(c_));
		out += quoted;
		PQfreemem(quoted);
	}

private:
	void check(const Result &res, const std::string &what) {
		ExecStatusType s = PQresultStatus(res.r);
		if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
			throw std::runtime_error("statement failed: " + what + "\n" + PQresultErrorMessage(res.r));
	}
	PGconn *c_;
};

std::vector<std::string> split(const std::string &s, char sep) {
	std::vector<std::string> out;
	std::string cur;
	std::istringstream in(s);
	while (std::getline(in, cur, sep))
		out.push_back(cur);
	return out;
}

std::string quote_ident(const std::string &s) {
	std::string out = "\"";
	for (char c : s) {
		if (c == '"')
			out += '"';
		out += c;
	}
	return out + "\"";
}

struct Table {
	std::string name, qualified;
	std::vector<std::string> columns; // attnum order, with id
	int id_col = -1;
	std::vector<int> fk_target;            // per column: index of the referenced table, or -1
	std::vector<std::vector<int>> uniques; // unique sets as column indexes, in the catalogue's order
	// The rows to write, row-major.
	std::size_t nrows = 0;
	std::vector<std::string> cells;
	std::vector<char> nulls;
	std::unordered_map<std::int64_t, std::int64_t> new_ids; // old id -> id the INSERT returned
};

void usage() {
	std::fprintf(stderr, "usage: sentry_pattern --source CONNINFO --target CONNINFO [--schema NAME] "
	                     "[--existing TABLE] [--verbose]\n");
	std::exit(2);
}

long peak_rss_kib(Connection &c) {
	try {
		auto r = c.exec("select pg_read_file('/proc/' || pg_backend_pid() || '/status')");
		std::string status = r->get(0, 0);
		std::size_t at = status.find("VmHWM:");
		if (at == std::string::npos)
			return -1;
		return std::strtol(status.c_str() + at + 6, nullptr, 10);
	} catch (const std::exception &) {
		return -1;
	}
}

} // namespace

int main(int argc, char **argv) {
	std::string source, target, schema = "sentry", existing = "public.bench_existing";
	bool verbose = false;
	for (int i = 1; i < argc; ++i) {
		std::string a = argv[i];
		auto next = [&]() -> std::string {
			if (i + 1 >= argc)
				usage();
			return argv[++i];
		};
		if (a == "--source")
			source = next();
		else if (a == "--target")
			target = next();
		else if (a == "--schema")
			schema = next();
		else if (a == "--existing")
			existing = next();
		else if (a == "--verbose")
			verbose = true;
		else
			usage();
	}
	if (source.empty() || target.empty())
		usage();

	try {
		// --- read the rows and the metadata from the source ---------------------------------------
		Connection src(source);
		std::vector<Table> tables;
		std::map<std::string, int> by_name;
		{
			auto r = src.exec("select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
			                  "left join lateral (select min(m.sort_order) as sort_order from relocate_models m "
			                  "where m.table_name = c.relname) m on true "
			                  "where n.nspname = $1 and c.relkind = 'r' order by m.sort_order nulls last, c.relname",
			                  {schema});
			for (int i = 0; i < r->rows(); ++i) {
				Table t;
				t.name = r->get(i, 0);
				t.qualified = quote_ident(schema) + "." + quote_ident(t.name);
				by_name[t.name] = static_cast<int>(tables.size());
				tables.push_back(std::move(t));
			}
		}
		if (tables.empty())
			throw std::runtime_error("no tables in schema " + schema);
		for (Table &t : tables) {
			auto r = src.exec("select attname from pg_attribute where attrelid = $1::regclass and attnum > 0 "
			                  "and not attisdropped order by attnum",
			                  {t.qualified});
			for (int i = 0; i < r->rows(); ++i) {
				t.columns.push_back(r->get(i, 0));
				if (t.columns.back() == "id")
					t.id_col = i;
			}
			if (t.id_col < 0)
				throw std::runtime_error("table " + t.name + " has no id column");
			t.fk_target.assign(t.columns.size(), -1);
		}
		auto column_index = [](const Table &t, const std::string &c) {
			for (std::size_t i = 0; i < t.columns.size(); ++i)
				if (t.columns[i] == c)
					return static_cast<int>(i);
			return -1;
		};
		// Foreign keys: the schema's single-column constraints, then the catalogue's (hybrid-cloud and
		// implicit ones have no constraint).
		{
			auto r = src.exec(
			    "select cl.relname, a.attname, tc.relname from pg_constraint con "
			    "join pg_class cl on cl.oid = con.conrelid join pg_namespace n on n.oid = cl.relnamespace "
			    "join pg_class tc on tc.oid = con.confrelid "
			    "join pg_attribute a on a.attrelid = con.conrelid and a.attnum = con.conkey[1] "
			    "where con.contype = 'f' and n.nspname = $1 and cardinality(con.conkey) = 1 "
			    "union all "
			    "select m.table_name, fk.column_name, t.table_name from relocate_model_foreign_keys fk "
			    "join relocate_models m on m.model = fk.model join relocate_models t on t.model = fk.target_model",
			    {schema});
			for (int i = 0; i < r->rows(); ++i) {
				auto from = by_name.find(r->get(i, 0)), to = by_name.find(r->get(i, 2));
				if (from == by_name.end() || to == by_name.end())
					continue;
				Table &t = tables[static_cast<std::size_t>(from->second)];
				int col = column_index(t, r->get(i, 1));
				if (col >= 0 && t.fk_target[static_cast<std::size_t>(col)] < 0)
					t.fk_target[static_cast<std::size_t>(col)] = to->second;
			}
		}
		// Unique sets, as columns (a relation field x is column x_id, sentry.user's name is first_name).
		{
			auto r = src.exec(
			    "select m.table_name, string_agg(coalesce(fk.column_name, case when m.model = 'sentry.user' and "
			    "f.field = 'name' then 'first_name' else f.field end), ',' order by f.pos) "
			    "from relocate_models m "
			    "cross join lateral jsonb_array_elements(m.uniques) with ordinality as u(val, ord) "
			    "cross join lateral jsonb_array_elements_text(u.val) with ordinality as f(field, pos) "
			    "left join relocate_model_foreign_keys fk on fk.model = m.model and fk.field = f.field "
			    "group by m.table_name, m.model, u.ord order by m.table_name, m.model, u.ord");
			for (int i = 0; i < r->rows(); ++i) {
				auto it = by_name.find(r->get(i, 0));
				if (it == by_name.end())
					continue;
				Table &t = tables[static_cast<std::size_t>(it->second)];
				std::vector<int> cols;
				for (const std::string &c : split(r->get(i, 1), ',')) {
					int k = column_index(t, c);
					if (k < 0) {
						cols.clear();
						break;
					}
					cols.push_back(k);
				}
				if (!cols.empty())
					t.uniques.push_back(cols);
			}
		}
		std::size_t total_rows = 0;
		for (Table &t : tables) {
			auto r = src.exec("select * from " + t.qualified + " where id not in (select id from " + existing +
			                      " where tab = $1) order by id",
			                  {t.name});
			t.nrows = static_cast<std::size_t>(r->rows());
			const std::size_t ncols = t.columns.size();
			if (static_cast<std::size_t>(PQnfields(r->r)) != ncols)
				throw std::runtime_error("unexpected column count in " + t.name);
			t.cells.resize(t.nrows * ncols);
			t.nulls.resize(t.nrows * ncols);
			for (std::size_t i = 0; i < t.nrows; ++i)
				for (std::size_t k = 0; k < ncols; ++k) {
					int ri = static_cast<int>(i), ki = static_cast<int>(k);
					t.nulls[i * ncols + k] = r->null(ri, ki);
					if (!r->null(ri, ki))
						t.cells[i * ncols + k] = r->get(ri, ki);
				}
			total_rows += t.nrows;
		}

		// --- write them to the target, row by row --------------------------------------------------
		Connection dst(target);
		std::size_t selects = 0, found = 0;
		const auto t0 = Clock::now();
		dst.exec("begin");
		std::string sql;
		for (std::size_t ti = 0; ti < tables.size(); ++ti) {
			Table &t = tables[ti];
			if (t.nrows == 0)
				continue;
			const std::size_t ncols = t.columns.size();
			std::vector<int> insert_cols;
			std::string cols;
			for (std::size_t k = 0; k < ncols; ++k) {
				if (static_cast<int>(k) == t.id_col)
					continue;
				insert_cols.push_back(static_cast<int>(k));
				cols += (cols.empty() ? "" : ", ") + quote_ident(t.columns[k]);
			}
			const std::string insert_head = "insert into " + t.qualified + " (" + cols + ") values (";
			const std::string select_head = "select id from " + t.qualified + " where ";
			const auto table_start = Clock::now();

			std::vector<std::string> values(ncols);
			for (std::size_t i = 0; i < t.nrows; ++i) {
				const std::string *row = &t.cells[i * ncols];
				const char *nul = &t.nulls[i * ncols];
				for (std::size_t k = 0; k < ncols; ++k) {
					values[k] = row[k];
					int to = t.fk_target[k];
					if (to >= 0 && !nul[k]) {
						const auto &ids = tables[static_cast<std::size_t>(to)].new_ids;
						auto it = ids.find(std::strtoll(row[k].c_str(), nullptr, 10));
						if (it != ids.end())
							values[k] = std::to_string(it->second);
					}
				}
				// The collision SELECT.
				std::size_t which = t.uniques.size();
				for (std::size_t u = 0; u < t.uniques.size() && which == t.uniques.size(); ++u) {
					bool all = true;
					for (int k : t.uniques[u])
						all = all && !nul[k];
					if (all)
						which = u;
				}
				const std::vector<int> by_id = {t.id_col};
				const std::vector<int> &key = which < t.uniques.size() ? t.uniques[which] : by_id;
				sql = select_head;
				for (std::size_t j = 0; j < key.size(); ++j) {
					const auto k = static_cast<std::size_t>(key[j]);
					sql += (j ? " and " : "") + quote_ident(t.columns[k]) + " = ";
					dst.append_literal(sql, values[k]);
				}
				++selects;
				if (dst.query(sql)->rows() > 0)
					++found;
				// The INSERT ... RETURNING id.
				sql = insert_head;
				for (std::size_t j = 0; j < insert_cols.size(); ++j) {
					const auto k = static_cast<std::size_t>(insert_cols[j]);
					if (j)
						sql += ", ";
					if (nul[k])
						sql += "NULL";
					else
						dst.append_literal(sql, values[k]);
				}
				sql += ") returning id";
				auto r = dst.query(sql);
				t.new_ids[std::strtoll(row[t.id_col].c_str(), nullptr, 10)] =
				    std::strtoll(PQgetvalue(r->r, 0, 0), nullptr, 10);
			}
			if (verbose)
				std::printf("table %s %zu %.3f\n", t.name.c_str(), t.nrows,
				            std::chrono::duration<double>(Clock::now() - table_start).count());
		}
		dst.exec("commit");
		const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
		std::printf("result rows=%zu seconds=%.3f rows_per_s=%.0f selects=%zu found=%zu peak_rss_kib=%ld\n", total_rows,
		            seconds, seconds > 0 ? static_cast<double>(total_rows) / seconds : 0.0, selects, found,
		            peak_rss_kib(dst));
		return 0;
	} catch (const std::exception &e) {
		std::fprintf(stderr, "sentry_pattern: %s\n", e.what());
		return 1;
	}
}
