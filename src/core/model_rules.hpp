// Sentry's per-model import behaviour (spec §6, appendix A.1, B) as hooks the engine calls:
//
//   normalize    per row, after its references are remapped and its values converted: Sentry's
//                normalize_before_relocation_import (sanitization outside Global scope, ...). May
//                change values or skip the row.
//   resolve      per batch, before writing: Sentry's write_relocation_import collision rules
//                (usernames, organization slugs, emails, user emails, config rows, project and API
//                keys and tokens, ...). Looks existing rows up with a fixed number of queries per
//                batch (never one per row) and decides each row's fate: insert (possibly with new
//                values), update an existing row, reuse an existing row, or skip.
//   after_write  per batch, after writing: the rows Sentry's signals create (a user's primary
//                UserEmail and Email, LostPasswordHash, an organization's slug reservation, a
//                project's sentry:option-epoch option).
//
// PostgreSQL-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/catalogue.hpp"
#include "core/target.hpp"

namespace relocate {

struct ImportOptions;

// For each foreign-key field of a row that was remapped: the field (the catalogue's string) and the
// kind of the row it refers to. A handful per row, so a vector, rebuilt without allocating.
using RowReferences = std::vector<std::pair<std::string_view, ImportKind>>;

// One row being built: its cells by column name.
class RowEdit {
public:
	RowEdit(const TableShape &table, std::vector<std::string> &values, std::vector<unsigned char> &states)
	    : table_(table), values_(values), states_(states) {}
	bool has_column(const char *column) const { return table_.find(column) >= 0; }
	// The cell's value, or nullopt if it is NULL or absent.
	std::optional<std::string> get(const char *column) const;
	// Sets the cell (ignored if the table has no such column).
	void set(const char *column, std::string value);
	void set_null(const char *column);

	static constexpr unsigned char kAbsent = 0, kValue = 1, kNull = 2;

private:
	const TableShape &table_;
	std::vector<std::string> &values_;
	std::vector<unsigned char> &states_;
};

// What happens to a queued row when its batch is written.
struct RowFate {
	enum class Action : std::uint8_t { Insert, Update, Reuse, Skip } action = Action::Insert;
	ImportKind kind = ImportKind::Inserted; // what the pk map records
	std::int64_t id = 0;                    // the existing row, for Update and Reuse
	// For Update and Reuse of a row this same batch inserts (a key repeated within the batch): that
	// row's index; its id is known once it is written.
	long same_as_row = -1;
};

// A batch at write time: its rows' cells by column name, and their fates.
class BatchEdit {
public:
	BatchEdit(RowBatch &batch, std::vector<RowFate> &fates) : batch_(batch), fates_(fates) {}
	std::size_t rows() const { return batch_.rows(); }
	const TableShape &table() const { return *batch_.table; }
	std::int64_t source_pk(std::size_t row) const { return batch_.source_pks[row]; }
	std::optional<std::string> get(std::size_t row, const char *column) const;
	// Sets a cell of a column the batch has; false if the batch has no such column.
	bool set(std::size_t row, const char *column, std::string value);
	// Sets a cell of a column the batch has to NULL; false if the batch has no such column.
	bool set_null(std::size_t row, const char *column);
	RowFate &fate(std::size_t row) { return fates_[row]; }

private:
	int position(const char *column) const;
	RowBatch &batch_;
	std::vector<RowFate> &fates_;
};

// The rows one written batch produced, for after_write.
struct WrittenRow {
	std::size_t row; // in the batch
	std::int64_t source_pk;
	std::int64_t new_pk;
	RowFate::Action action;
};

class ModelRules {
public:
	ModelRules(const ImportOptions &options, Target &target) : options_(options), target_(target) {}

	// `references` gives, for each foreign-key field of the row that was remapped, the kind of the
	// referenced row (Existing for a merged user, ...). Returns false to skip the row.
	bool normalize(const ModelDef &model, RowEdit &row,
	               const RowReferences &references);
	void resolve(const ModelDef &model, BatchEdit &batch);
	void after_write(const ModelDef &model, const BatchEdit &batch, const std::vector<WrittenRow> &written);

	std::int64_t derived_rows() const { return derived_rows_; }
	// OrgAuthTokens skipped (and counted skipped in the summary) because a new token had to be minted
	// (token_hashed empty or already taken) and Sentry's option system.url-prefix is not set in
	// sentry_option: Sentry's generate_token raises SystemUrlPrefixMissingException and the importer
	// skips the token.
	std::int64_t skipped_org_auth_tokens() const { return skipped_org_auth_tokens_; }
	// OrgAuthTokens skipped because a new token had to be minted and their organization was not found
	// (no slug to embed; Sentry skips them too).
	std::int64_t skipped_org_auth_tokens_without_org() const { return skipped_org_auth_tokens_without_org_; }

private:
	bool global_scope() const;
	bool config_or_global_scope() const;
	void resolve_users(BatchEdit &batch);
	void resolve_organizations(BatchEdit &batch);
	// Sentry's OverwritableConfigMixin (spec §5.5): a row matching an existing one on `key` is Reused
	// (Existing) or, with overwrite_configs, written onto it (Overwrite).
	void resolve_config(BatchEdit &batch, const std::vector<const char *> &key);
	void resolve_user_options(BatchEdit &batch);
	void validate_user_options(const ModelDef &model, BatchEdit &batch);
	void resolve_project_keys(BatchEdit &batch);
	void resolve_api_tokens(BatchEdit &batch);
	void resolve_org_auth_tokens(BatchEdit &batch);
	void resolve_organization_members(BatchEdit &batch);
	// For each row of the batch, whether its non-NULL `column` value is already taken: by a row of the
	// table (one lookup for the batch) or by an earlier row of the batch. False for NULL and for a
	// column the batch does not have.
	std::vector<bool> taken_values(BatchEdit &batch, const char *column);
	// Sentry's option system.url-prefix, from sentry_option (nullopt if unset or NULL).
	std::optional<std::string> url_prefix();
	void resolve_by_key(BatchEdit &batch, const std::vector<const char *> &key, bool fold_case, RowFate::Action action,
	                    ImportKind kind);
	std::optional<TableShape> &shape(const std::string &table);
	// Inserts derived rows (all with the same columns) into `table`, ignoring conflicts if asked.
	void insert_derived(const std::string &table, const std::vector<std::string> &columns,
	                    const std::vector<std::vector<std::optional<std::string>>> &rows,
	                    const std::vector<std::int64_t> &source_pks, bool ignore_conflicts);
	// Picks, for each base, the base itself or the first of Sentry's suffixed candidates that is free
	// (case-insensitively) in `table`.`column`, in `also_in` (another table/column), and among the
	// values picked so far in this import. `taken` (lower-cased) holds all of those: the tables'
	// values are read into it on first use.
	std::vector<std::string> pick_unique(const std::vector<std::string> &bases, std::size_t max_len,
	                                     const std::string &table, const char *column,
	                                     const std::optional<std::pair<std::string, const char *>> &also_in,
	                                     std::unordered_set<std::string> &taken);

	const ImportOptions &options_;
	Target &target_;
	std::unordered_map<std::string, std::optional<TableShape>> shapes_;
	std::unordered_set<std::string> usernames_taken_; // lower-cased, assigned in this import
	std::unordered_set<std::string> slugs_taken_;     // lower-cased organization slugs
	bool slug_lock_taken_ = false;
	bool username_lock_taken_ = false;
	std::unordered_set<std::string> values_loaded_; // "table.column" whose values are in a taken set
	std::int64_t derived_rows_ = 0;
	std::int64_t skipped_org_auth_tokens_ = 0;
	std::int64_t skipped_org_auth_tokens_without_org_ = 0;
};

} // namespace relocate
