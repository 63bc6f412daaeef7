// An in-memory Target for the unit tests, the fuzz harness and the bench: table shapes are either
// declared in the test (make_table) or read from test/schema/sentry.sql (load_schema_file), ids come
// from per-table counters, and every batch and pk-map row is recorded so tests can assert on them.
//
// Header-only and PostgreSQL-free.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/target.hpp"
#include "core/text.hpp"
#include "core/value.hpp"
#include "source_files.hpp"

namespace relocate::testing {

// A column as a test declares it: `type` is a short SQL spelling as in test/schema/sentry.sql
// ("bigint", "integer", "smallint", "varchar(64)", "text", "citext", "boolean", "timestamptz",
// "timestamp", "date", "jsonb", "json", "text[]", "uuid", "inet", "double precision", "numeric",
// "bigserial", "serial"). serial types have a default.
struct ColSpec {
	std::string name;
	std::string type;
	bool not_null = false;
	bool has_default = false;
};

inline Column make_column(const ColSpec &spec) {
	std::string t = spec.type;
	std::string typname, sql_type;
	char category = 'X';
	std::string elem;
	int typmod = -1;
	bool serial = false;
	if (t == "bigserial") {
		typname = "int8";
		sql_type = "bigint";
		serial = true;
	} else if (t == "serial") {
		typname = "int4";
		sql_type = "integer";
		serial = true;
	} else if (t == "bigint") {
		typname = "int8";
		sql_type = "bigint";
	} else if (t == "integer") {
		typname = "int4";
		sql_type = "integer";
	} else if (t == "smallint") {
		typname = "int2";
		sql_type = "smallint";
	} else if (t.rfind("varchar(", 0) == 0) {
		typname = "varchar";
		sql_type = "character varying";
		typmod = std::stoi(t.substr(8)) + 4;
	} else if (t == "varchar") {
		typname = "varchar";
		sql_type = "character varying";
	} else if (t.rfind("char(", 0) == 0) {
		typname = "bpchar";
		sql_type = "character";
		typmod = std::stoi(t.substr(5)) + 4;
	} else if (t == "text" || t == "citext") {
		typname = t;
		sql_type = t;
	} else if (t == "boolean") {
		typname = "bool";
		sql_type = "boolean";
	} else if (t == "timestamptz") {
		typname = "timestamptz";
		sql_type = "timestamp with time zone";
	} else if (t == "timestamp") {
		typname = "timestamp";
		sql_type = "timestamp without time zone";
	} else if (t == "date" || t == "json" || t == "jsonb" || t == "uuid" || t == "inet" || t == "cidr" ||
	           t == "numeric") {
		typname = t;
		sql_type = t;
	} else if (t == "double precision") {
		typname = "float8";
		sql_type = "double precision";
	} else if (t == "real") {
		typname = "float4";
		sql_type = "real";
	} else if (t == "text[]" || t == "varchar[]" || t == "citext[]") {
		typname = "_" + t.substr(0, t.size() - 2);
		sql_type = t;
		category = 'A';
		elem = t.substr(0, t.size() - 2);
	} else {
		typname = t;
		sql_type = t;
	}
	Column c;
	c.name = spec.name;
	c.sql_type = sql_type;
	c.type = column_type_for(typname, category, elem);
	c.max_chars = max_chars_for(typname, typmod);
	c.not_null = spec.not_null || serial;
	c.has_default = spec.has_default || serial;
	return c;
}

// A table with an "id bigserial" first column followed by `columns`.
inline TableShape make_table(const std::string &name, const std::vector<ColSpec> &columns,
                             const std::string &id_type = "bigserial") {
	TableShape t;
	t.name = name;
	t.qualified_name = "\"" + name + "\"";
	t.columns.push_back(make_column(ColSpec{"id", id_type, true, true}));
	t.id_column = 0;
	for (const ColSpec &c : columns)
		t.columns.push_back(make_column(c));
	return t;
}

// --- test/schema/sentry.sql -------------------------------------------------------------------

// Reads the `create table` statements of a schema file written in test/schema/sentry.sql's style
// (one column per line, lower-case keywords) into table shapes. Table constraints are skipped.
inline std::map<std::string, TableShape> parse_schema(const std::string &sql) {
	// Strip "--" comments.
	std::string text;
	{
		std::istringstream in(sql);
		std::string line;
		while (std::getline(in, line)) {
			std::size_t c = line.find("--");
			if (c != std::string::npos)
				line.resize(c);
			text += line;
			text += '\n';
		}
	}
	std::map<std::string, TableShape> tables;
	const std::string kCreate = "create table ";
	std::size_t pos = 0;
	while ((pos = text.find(kCreate, pos)) != std::string::npos) {
		pos += kCreate.size();
		std::size_t open = text.find('(', pos);
		if (open == std::string::npos)
			break;
		std::string name = text.substr(pos, open - pos);
		while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back())))
			name.pop_back();
		// The body up to the matching parenthesis, split at top-level commas.
		int depth = 1;
		std::size_t i = open + 1, item_start = i;
		std::vector<std::string> items;
		for (; i < text.size() && depth > 0; ++i) {
			char ch = text[i];
			if (ch == '(')
				++depth;
			else if (ch == ')')
				--depth;
			if ((ch == ',' && depth == 1) || depth == 0) {
				items.push_back(text.substr(item_start, i - item_start));
				item_start = i + 1;
			}
		}
		pos = i;
		TableShape t;
		t.name = name;
		t.qualified_name = "\"" + name + "\"";
		for (const std::string &item : items) {
			std::istringstream words(item);
			std::vector<std::string> w;
			std::string word;
			while (words >> word)
				w.push_back(word);
			if (w.size() < 2)
				continue;
			static const char *const kNotColumns[] = {"constraint", "unique", "check", "primary", "foreign", "exclude"};
			bool is_constraint = false;
			for (const char *k : kNotColumns)
				is_constraint = is_constraint || w[0] == k;
			if (is_constraint)
				continue;
			ColSpec spec;
			spec.name = w[0];
			spec.type = w[1];
			std::size_t rest = 2;
			if (spec.type == "double" && w.size() > 2 && w[2] == "precision") {
				spec.type = "double precision";
				rest = 3;
			}
			std::string tail;
			for (std::size_t k = rest; k < w.size(); ++k)
				tail += " " + w[k];
			tail += " ";
			spec.not_null =
			    tail.find(" not null ") != std::string::npos || tail.find(" primary key") != std::string::npos;
			spec.has_default = tail.find(" default ") != std::string::npos;
			if (spec.name == "id")
				t.id_column = static_cast<int>(t.columns.size());
			t.columns.push_back(make_column(spec));
		}
		tables[name] = std::move(t);
	}
	return tables;
}

inline std::map<std::string, TableShape> load_schema_file(const std::string &path) {
	return parse_schema(test::read_file(path));
}

#ifdef RELOCATE_SOURCE_DIR
inline const std::map<std::string, TableShape> &sentry_schema() {
	static const std::map<std::string, TableShape> tables =
	    load_schema_file(std::string(RELOCATE_SOURCE_DIR) + "/test/schema/sentry.sql");
	return tables;
}
#endif

// --- the fake ---------------------------------------------------------------------------------

class FakeTarget : public Target {
public:
	// One recorded INSERT, with column names instead of indexes.
	struct Batch {
		std::string table;
		std::string model;
		std::vector<std::string> columns; // never "id"
		std::vector<std::int64_t> ids;
		std::vector<std::int64_t> source_pks;
		std::vector<std::vector<std::optional<std::string>>> rows; // rows[r][k] for columns[k]
	};
	struct PkRow {
		std::string model;
		std::int64_t old_pk;
		std::int64_t new_pk;
		ImportKind kind;
		std::optional<std::string> slug;
	};
	struct ReportRow {
		std::string model;
		std::int64_t old_pk;
		std::optional<std::int64_t> new_pk;
		std::string action;
		std::string detail;
	};
	// A written row: column -> value (nullopt = SQL NULL), plus "id".
	using Row = std::map<std::string, std::optional<std::string>>;

	std::map<std::string, TableShape> tables;
	std::int64_t first_id = 100;
	std::map<std::string, std::int64_t> next_id;
	std::vector<std::string> described;
	std::vector<Batch> batches;
	std::vector<PkRow> pk_rows;
	std::vector<ReportRow> report_rows; // always kept: tests look for one entry's account
	int interrupt_checks = 0;
	// When set, record only counts (bench / fuzz): no per-cell copies.
	bool keep_cells = true;
	std::size_t rows_inserted = 0;
	std::size_t rows_derived = 0;
	std::size_t rows_updated = 0;

	FakeTarget() = default;
	explicit FakeTarget(std::map<std::string, TableShape> t) : tables(std::move(t)) {}

	void add(TableShape t) {
		std::string name = t.name;
		tables[name] = std::move(t);
	}

	std::optional<TableShape> describe_table(const std::string &table) override {
		described.push_back(table);
		auto it = tables.find(table);
		if (it == tables.end())
			return std::nullopt;
		return it->second;
	}

	void allocate_ids(const TableShape &table, std::size_t count, std::vector<std::int64_t> &out) override {
		auto it = next_id.find(table.name);
		if (it == next_id.end())
			it = next_id.emplace(table.name, first_id).first;
		for (std::size_t i = 0; i < count; ++i)
			out.push_back(it->second++);
	}

	void insert_rows(RowBatch &batch) override {
		check_batch(batch);
		events.push_back("insert " + batch.table->name);
		rows_inserted += batch.rows();
		if (find_model(batch.model) == nullptr)
			rows_derived += batch.rows(); // rows Sentry's signals create, written under their table's name
		if (keep_cells) {
			batches.push_back(record_of(batch));
		}
		release_cells(batch);
	}

	// What a test reads of a written batch: its table, model, column names, ids, source pks, cells.
	static Batch record_of(const RowBatch &batch) {
		Batch b;
		b.table = batch.table->name;
		b.model = batch.model;
		for (int c : batch.columns)
			b.columns.push_back(batch.table->columns[static_cast<std::size_t>(c)].name);
		b.ids = batch.ids;
		b.source_pks = batch.source_pks;
		b.rows = cells_of(batch);
		return b;
	}

	// What the database target may do with a large value, done here with every cell of the batch's
	// releasable columns, small or large: a rule or report that read one after the write would see an
	// empty value, and the tests that check its output would fail.
	static void release_cells(RowBatch &batch) {
		for (std::size_t r = 0; r < batch.rows(); ++r)
			for (std::size_t k = 0; k < batch.width(); ++k)
				if (batch.may_release(k) && !batch.is_null(r, k))
					batch.release_cell(r, k);
	}

	void record_pk_map(const PkMapRows &rows) override {
		if (rows.new_pks.size() != rows.size() || rows.kinds.size() != rows.size() || rows.slugs.size() != rows.size())
			throw std::logic_error("FakeTarget: PkMapRows with columns of different lengths");
		if (!keep_cells)
			return;
		for (std::size_t i = 0; i < rows.size(); ++i)
			pk_rows.push_back(PkRow{rows.model, rows.old_pks[i], rows.new_pks[i], rows.kinds[i], rows.slugs[i]});
	}

	void record_report(const ReportRows &rows) override {
		if (rows.new_pks.size() != rows.size() || rows.actions.size() != rows.size() ||
		    rows.details.size() != rows.size())
			throw std::logic_error("FakeTarget: ReportRows with columns of different lengths");
		for (std::size_t i = 0; i < rows.size(); ++i)
			report_rows.push_back(
			    ReportRow{rows.model, rows.old_pks[i], rows.new_pks[i], rows.actions[i], rows.details[i]});
	}

	void check_for_interrupts() override {
		++interrupt_checks;
		if (progress_source_ != nullptr) {
			progress_seen.push_back(progress_source_->progress());
			// The model name points into the importer, which is gone when the test reads it: keep a copy.
			if (progress_seen.back().model != nullptr)
				progress_seen.back().model = progress_models.emplace_back(progress_seen.back().model).c_str();
		}
	}
	bool has_progress_source() const { return progress_source_ != nullptr; }
	std::vector<ImportProgress> progress_seen; // what each interrupt check saw of the importer's progress
	std::deque<std::string> progress_models;   // the model names progress_seen points to (stable addresses)

	// Updates, lookups and NFKD. Lookups match against the rows inserted so far plus
	// `existing` (rows a test declares as already in the database: table -> rows of column -> value).
	std::vector<Batch> updates;
	std::map<std::string, std::vector<Row>> existing;

	void update_rows(RowBatch &batch) override {
		check_batch(batch);
		events.push_back("update " + batch.table->name);
		rows_updated += batch.rows();
		Batch b = record_of(batch);
		// The updated rows take the new values, so that rows_of and later lookups see them as the
		// database would.
		if (keep_cells)
			for (std::size_t r = 0; r < b.ids.size(); ++r)
				apply_update(b.table, b.ids[r], b.columns, b.rows[r]);
		updates.push_back(std::move(b));
		release_cells(batch);
	}

	std::vector<std::optional<FoundRow>> find_rows(const KeyLookup &lookup) override {
		auto fold = [&](std::string s) {
			if (lookup.fold_case)
				ascii_lower_in_place(s);
			return s;
		};
		std::vector<Row> rows = rows_of(lookup.table->name);
		auto it = existing.find(lookup.table->name);
		if (it != existing.end())
			rows.insert(rows.end(), it->second.begin(), it->second.end());
		std::vector<std::optional<FoundRow>> out;
		for (const auto &probe : lookup.probes) {
			std::optional<FoundRow> best;
			for (const Row &row : rows) {
				bool match = true;
				for (std::size_t k = 0; k < lookup.columns.size() && match; ++k) {
					const std::string &col = lookup.table->columns[static_cast<std::size_t>(lookup.columns[k])].name;
					auto cell = row.find(col);
					match = cell != row.end() && cell->second && fold(*cell->second) == fold(probe[k]);
				}
				// KeyLookup::null_columns: a column the row does not hold is NULL (no default).
				for (std::size_t k = 0; k < lookup.null_columns.size() && match; ++k) {
					const std::string &col =
					    lookup.table->columns[static_cast<std::size_t>(lookup.null_columns[k])].name;
					auto cell = row.find(col);
					match = cell == row.end() || !cell->second;
				}
				if (!match)
					continue;
				std::int64_t id = std::stoll(*row.at("id"));
				const std::string &first = lookup.table
				                               ->columns[static_cast<std::size_t>(
				                                   lookup.fetch_column >= 0 ? lookup.fetch_column : lookup.columns[0])]
				                               .name;
				auto value = row.find(first);
				bool null = value == row.end() || !value->second;
				if (!best || id < best->id)
					best = FoundRow{id, null ? std::string() : *value->second, null};
			}
			out.push_back(best);
		}
		return out;
	}

	std::vector<std::string> nfkd(const std::vector<std::string> &texts) override { return texts; }
	// UPPER() as in a database whose collation is "C": ASCII letters only (test/regress covers others).
	static std::string upper_c(std::string s) {
		for (char &c : s)
			if (c >= 'a' && c <= 'z')
				c = static_cast<char>(c - 'a' + 'A');
		return s;
	}
	std::vector<std::string> upper(const std::vector<std::string> &texts) override {
		++upper_calls;
		std::vector<std::string> out;
		for (const std::string &t : texts)
			out.push_back(upper_c(t));
		return out;
	}
	std::vector<std::string> upper_values(const TableShape &table, const std::string &column) override {
		std::vector<std::string> out;
		for (const Row &row : all_rows(table.name)) {
			auto cell = row.find(column);
			if (cell != row.end() && cell->second)
				out.push_back(upper_c(*cell->second));
		}
		return out;
	}
	std::vector<ScopedValue> scoped_values(const TableShape &table, const std::string &column,
	                                       const std::string &scope_column,
	                                       const std::vector<std::string> &scopes) override {
		++scoped_value_calls;
		std::vector<ScopedValue> out;
		for (const Row &row : all_rows(table.name)) {
			auto cell = row.find(column), scope = row.find(scope_column);
			if (cell == row.end() || !cell->second || scope == row.end() || !scope->second)
				continue;
			if (std::find(scopes.begin(), scopes.end(), *scope->second) != scopes.end())
				out.push_back(ScopedValue{*scope->second, *cell->second, upper_c(*cell->second)});
		}
		return out;
	}
	// Calls of upper() and scoped_values(), for tests that count queries.
	int upper_calls = 0;
	int scoped_value_calls = 0;
	// The rows the import wrote to `table` and those declared existing.
	std::vector<Row> all_rows(const std::string &table) const {
		std::vector<Row> rows = rows_of(table);
		auto it = existing.find(table);
		if (it != existing.end())
			rows.insert(rows.end(), it->second.begin(), it->second.end());
		return rows;
	}
	void advance_sequence(const TableShape &table, std::int64_t max_id) override {
		auto it = next_id.find(table.name);
		if (it == next_id.end())
			it = next_id.emplace(table.name, first_id).first;
		it->second = std::max(it->second, max_id + 1);
	}

	// Import chunks, per import_uuid, in the order written.
	std::map<std::string, std::vector<ImportChunk>> chunks;
	std::vector<std::string> locked_imports;

	// What the import did, in order: "lock", "reset", "load chunks", "insert <table>", "update <table>".
	std::vector<std::string> events;
	std::vector<std::string> reset_tables_called;

	void lock_import(const std::string &import_uuid) override {
		locked_imports.push_back(import_uuid);
		events.push_back("lock");
	}
	void reset_tables(const std::vector<std::string> &tables) override {
		reset_tables_called = tables;
		events.push_back("reset");
	}
	std::vector<ImportChunk> load_chunks(const std::string &import_uuid) override {
		events.push_back("load chunks");
		auto it = chunks.find(import_uuid);
		return it == chunks.end() ? std::vector<ImportChunk>{} : it->second;
	}
	void write_chunks(const std::string &import_uuid, const std::vector<ImportChunk> &written) override {
		auto &list = chunks[import_uuid];
		list.insert(list.end(), written.begin(), written.end());
	}

	// Verification: the written (or existing) rows of the batch's ids; both sides as they are (a
	// fake has no types to canonicalize values with). Each call is recorded.
	std::vector<std::size_t> read_rows_calls; // rows asked for, per call
	StoredRows read_rows(const RowBatch &batch) override {
		read_rows_calls.push_back(batch.rows());
		const std::vector<Row> rows = all_rows(batch.table->name);
		StoredRows out;
		for (std::size_t r = 0; r < batch.rows(); ++r) {
			const Row *found = nullptr;
			for (const Row &row : rows)
				if (row.at("id") == std::to_string(batch.ids[r]))
					found = &row;
			out.present.push_back(found != nullptr);
			for (std::size_t k = 0; k < batch.width(); ++k) {
				const std::string &column = batch.table->columns[static_cast<std::size_t>(batch.columns[k])].name;
				out.expected.push_back(batch.is_null(r, k) ? std::nullopt
				                                           : std::optional<std::string>(batch.cell(r, k)));
				auto cell = found != nullptr ? found->find(column) : Row::const_iterator();
				out.found.push_back(found != nullptr && cell != found->end() ? cell->second : std::nullopt);
			}
		}
		return out;
	}

	// --- queries for tests -----------------------------------------------------------------

	std::vector<Row> rows_of(const std::string &table) const {
		std::vector<Row> out;
		for (const Batch &b : batches) {
			if (b.table != table)
				continue;
			for (std::size_t r = 0; r < b.rows.size(); ++r) {
				Row row;
				row["id"] = std::to_string(b.ids[r]);
				for (std::size_t k = 0; k < b.columns.size(); ++k)
					row[b.columns[k]] = b.rows[r][k];
				out.push_back(std::move(row));
			}
		}
		return out;
	}

	std::vector<const Batch *> batches_of(const std::string &table) const {
		std::vector<const Batch *> out;
		for (const Batch &b : batches)
			if (b.table == table)
				out.push_back(&b);
		return out;
	}

	// The new pk recorded for (model, old pk), or nullopt.
	std::optional<std::int64_t> new_pk(const std::string &model, std::int64_t old_pk) const {
		for (const PkRow &p : pk_rows)
			if (p.model == model && p.old_pk == old_pk)
				return p.new_pk;
		return std::nullopt;
	}

	// True if `id` was handed out for `table` and recorded for `model` in the pk map.
	bool is_recorded_id(const std::string &model, std::int64_t id) const {
		for (const PkRow &p : pk_rows)
			if (p.model == model && p.new_pk == id)
				return true;
		return false;
	}

private:
	void apply_update(const std::string &table, std::int64_t id, const std::vector<std::string> &columns,
	                  const std::vector<std::optional<std::string>> &values) {
		for (Batch &b : batches) {
			if (b.table != table)
				continue;
			for (std::size_t r = 0; r < b.ids.size(); ++r) {
				if (b.ids[r] != id)
					continue;
				for (std::size_t k = 0; k < columns.size(); ++k) {
					auto at = std::find(b.columns.begin(), b.columns.end(), columns[k]);
					if (at != b.columns.end())
						b.rows[r][static_cast<std::size_t>(at - b.columns.begin())] = values[k];
					// A column the inserting batch did not have stays as it was recorded (absent).
				}
				return;
			}
		}
		auto it = existing.find(table);
		if (it == existing.end())
			return;
		for (Row &row : it->second) {
			auto row_id = row.find("id");
			if (row_id == row.end() || !row_id->second || std::stoll(*row_id->second) != id)
				continue;
			for (std::size_t k = 0; k < columns.size(); ++k)
				row[columns[k]] = values[k];
			return;
		}
	}

	// The batch's cells, row by row (nullopt for NULL).
	static std::vector<std::vector<std::optional<std::string>>> cells_of(const RowBatch &batch) {
		std::vector<std::vector<std::optional<std::string>>> rows;
		for (std::size_t r = 0; r < batch.rows(); ++r) {
			std::vector<std::optional<std::string>> row;
			for (std::size_t k = 0; k < batch.width(); ++k)
				row.emplace_back(batch.is_null(r, k) ? std::nullopt : std::optional<std::string>(batch.cell(r, k)));
			rows.push_back(std::move(row));
		}
		return rows;
	}

	// A RowBatch must be internally consistent whatever the input; violations are engine bugs.
	static void check_batch(const RowBatch &batch) {
		if (batch.table == nullptr || batch.model == nullptr)
			throw std::logic_error("FakeTarget: batch without table or model");
		const std::size_t rows = batch.rows(), ncols = batch.columns.size();
		if (rows == 0)
			throw std::logic_error("FakeTarget: empty batch");
		if (batch.ids.size() != rows || batch.cells.size() != rows * ncols || batch.states.size() != rows * ncols)
			throw std::logic_error("FakeTarget: batch arrays of inconsistent length");
		int prev = -1;
		for (int c : batch.columns) {
			if (c < 0 || static_cast<std::size_t>(c) >= batch.table->columns.size() || c == batch.table->id_column ||
			    c <= prev)
				throw std::logic_error("FakeTarget: bad column index in batch");
			prev = c;
		}
		std::size_t bytes = 0;
		for (std::size_t i = 0; i < batch.cells.size(); ++i) {
			if (batch.states[i] != CellState::Value && batch.states[i] != CellState::Null)
				throw std::logic_error("FakeTarget: a queued cell that is neither a value nor NULL");
			if (batch.states[i] == CellState::Null && !batch.cells[i].empty())
				throw std::logic_error("FakeTarget: a NULL cell with text");
			if (batch.cells[i].find('\0') != std::string::npos)
				throw std::logic_error("FakeTarget: a cell holds U+0000");
			bytes += batch.cells[i].size();
		}
		if (bytes != batch.bytes)
			throw std::logic_error("FakeTarget: batch.bytes does not match the cells");
	}
};

} // namespace relocate::testing
