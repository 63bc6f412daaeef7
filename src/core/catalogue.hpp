// The model catalogue: every model Sentry's backup code knows (232 at 24.9), with its table,
// relocation scope(s), silos, foreign keys, unique sets and dependency order, plus the
// Python-side defaults and removed fields an importer needs. The data is generated from
// Sentry's model_dependencies/detailed.json and sorted.json by scripts/gen-catalogue into
// catalogue_data.inc; nothing here is typed by hand.
//
// PostgreSQL-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace relocate {

// Sentry's RelocationScope, as bit flags so a model can declare a set of scopes.
enum ScopeBits : std::uint8_t {
	kScopeExcluded = 1u << 0,
	kScopeUser = 1u << 1,
	kScopeOrganization = 1u << 2,
	kScopeConfig = 1u << 3,
	kScopeGlobal = 1u << 4,
};

enum SiloBits : std::uint8_t {
	kSiloControl = 1u << 0,
	kSiloRegion = 1u << 1,
	kSiloMonolith = 1u << 2,
};

// The kinds of detailed.json's "foreign_keys" entries.
enum class FkKind : std::uint8_t {
	Flexible,       // FlexibleForeignKey: column <field>_id, real FK constraint
	Django,         // plain ForeignKey: column <field>_id
	OneToOne,       // OneToOneCascadeDeletes: column <field>_id
	DjangoOneToOne, // plain OneToOneField: column <field>_id
	HybridCloud,    // HybridCloudForeignKey: field already named *_id, no constraint
	Implicit,       // ImplicitForeignKey: field already named *_id, no constraint
};

struct ForeignKeyDef {
	const char *field;  // JSON key in "fields" (e.g. "user", "organization_id")
	const char *target; // target model name (e.g. "sentry.user")
	FkKind kind;
	bool nullable;
};

// A Python-side default Sentry's model applies when a field is missing from the export and
// the database column has no DEFAULT of its own (schema-facts §4.10).
enum class DefaultKind : std::uint8_t {
	Json,        // `value` is a JSON literal: 0, "", {}, [], true, "member", ...
	Now,         // the current transaction time
	RandomHex,   // `length` lowercase hex characters (token-like defaults)
	RandomAlnum, // `length` characters of [A-Za-z0-9]
	Uuid4,       // a random UUID4
};

struct FieldDefault {
	const char *field; // JSON key
	DefaultKind kind;
	const char *value; // JSON literal for DefaultKind::Json, else nullptr
	int length;        // for RandomHex / RandomAlnum, else 0
};

// A field older exports carry that Sentry has since removed (Sentry's DELETED_FIELDS shim
// plus later removals). Dropped, and counted, when the target table has no such column.
struct RemovedField {
	const char *field;
	const char *why; // one line, shown to the user in a NOTICE
};

// A model older exports carry that Sentry has deleted (e.g. sentry.actor).
struct RemovedModel {
	const char *name;
	const char *why; // one line, shown to the user in a NOTICE
};

struct ModelDef {
	const char *name;    // normalized model name, e.g. "sentry.organizationmember"
	const char *table;   // table name, e.g. "sentry_organizationmember"
	std::uint8_t scopes; // ScopeBits; more than one bit for per-instance scoped models
	std::uint8_t silos;  // SiloBits
	int sort_order;      // position in sorted.json: dependencies come first
	bool dangling;
	const ForeignKeyDef *foreign_keys;
	std::size_t foreign_key_count;
	const char *const *relocation_dependencies;
	std::size_t relocation_dependency_count;
	// Unique sets, each a comma-separated list of field names as in detailed.json, e.g.
	// "email,organization".
	const char *const *uniques;
	std::size_t unique_count;
	const FieldDefault *defaults;
	std::size_t default_count;
	const RemovedField *removed_fields;
	std::size_t removed_field_count;
	// Fields holding JSON (PickledObjectField, JSONField, LegacyTextJSONField, GzippedDictField),
	// stored as JSON text even where the column is text.
	const char *const *json_fields;
	std::size_t json_field_count;
	// When Sentry has dropped the model's table since (e.g. "by migrations 1101/1104 (2026)"), else
	// nullptr: an import into a database without the table skips the model's entries, as Sentry's
	// importer of such a version does; any other missing table is an error.
	const char *table_removed;

	bool exportable() const { return (scopes & kScopeExcluded) == 0; }
};

// All models, in sorted.json (dependency) order; index == sort_order.
const ModelDef *catalogue_models();
std::size_t catalogue_size();

// Lookup by normalized (lower-case) model name; nullptr if unknown.
const ModelDef *find_model(std::string_view name);

// A model Sentry has deleted, or nullptr.
const RemovedModel *find_removed_model(std::string_view name);

// Index of `m` in catalogue_models().
inline std::size_t model_index(const ModelDef *m) {
	return static_cast<std::size_t>(m->sort_order);
}

// The database column a JSON field maps to, per Sentry's Django field names: a relation field
// `x` (FK kinds Flexible, Django, OneToOne, DjangoOneToOne) is stored in `x_id`; HybridCloud and
// Implicit fields keep their `*_id` name; sentry.user's `name` is column `first_name`; every
// other field keeps its name.
std::string column_for_field(const ModelDef &m, std::string_view field);

// A field Django stores in a column of another name (db_column).
struct ColumnOverride {
	const char *model;
	const char *field;
	const char *column;
};

// The model's db_column overrides (sentry.user: name -> first_name; none for most models).
std::vector<ColumnOverride> column_overrides(const ModelDef &m);

// The export field a column holds (the reverse of column_for_field), for messages.
std::string field_for_column(const ModelDef &m, std::string_view column);

const ForeignKeyDef *find_foreign_key(const ModelDef &m, std::string_view field);
const FieldDefault *find_default(const ModelDef &m, std::string_view field);
const RemovedField *find_removed_field(const ModelDef &m, std::string_view field);
bool is_json_field(const ModelDef &m, std::string_view field);

const char *scope_name(ScopeBits s); // "Excluded", "User", ...
const char *fk_kind_name(FkKind k);  // "FlexibleForeignKey", ...

} // namespace relocate
