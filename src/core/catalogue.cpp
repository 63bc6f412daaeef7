// The model catalogue: lookups over the tables scripts/gen-catalogue generates into catalogue_data.inc.
// All data is constexpr (no static initialisation, nothing allocated); model lookup is a binary
// search over a generated name index.
//
// PostgreSQL-free.
#include "core/catalogue.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

namespace relocate {
namespace {

struct NameIndexEntry {
	std::string_view name;
	std::uint16_t model; // index into kModels
};

#include "core/catalogue_data.inc"

constexpr bool sort_orders_are_indexes() {
	for (std::size_t i = 0; i < std::size(kModels); ++i)
		if (kModels[i].sort_order != static_cast<int>(i))
			return false;
	return true;
}

constexpr bool name_index_is_sorted_and_complete() {
	for (std::size_t i = 0; i < std::size(kModelsByName); ++i) {
		const NameIndexEntry &e = kModelsByName[i];
		if (e.model >= std::size(kModels) || e.name != kModels[e.model].name)
			return false;
		if (i > 0 && !(kModelsByName[i - 1].name < kModelsByName[i].name))
			return false;
	}
	return true;
}

constexpr std::size_t count_exportable() {
	std::size_t n = 0;
	for (const ModelDef &m : kModels)
		n += (m.scopes & kScopeExcluded) == 0 ? 1 : 0;
	return n;
}

static_assert(std::size(kModels) == kModelCount, "catalogue_data.inc: kModels has the wrong length");
static_assert(std::size(kModelsByName) == kModelCount, "catalogue_data.inc: kModelsByName has the wrong length");
static_assert(count_exportable() == kExportableModelCount, "catalogue_data.inc: exportable count mismatch");
static_assert(sort_orders_are_indexes(), "catalogue_data.inc: kModels[i].sort_order must be i");
static_assert(name_index_is_sorted_and_complete(), "catalogue_data.inc: kModelsByName must be sorted by name");

bool is_relation(FkKind k) {
	switch (k) {
	case FkKind::Flexible:
	case FkKind::Django:
	case FkKind::OneToOne:
	case FkKind::DjangoOneToOne:
		return true;
	case FkKind::HybridCloud:
	case FkKind::Implicit:
		return false;
	}
	return false;
}

} // namespace

const ModelDef *catalogue_models() {
	return kModels;
}

std::size_t catalogue_size() {
	return std::size(kModels);
}

const ModelDef *find_model(std::string_view name) {
	const NameIndexEntry *first = std::begin(kModelsByName);
	const NameIndexEntry *last = std::end(kModelsByName);
	const NameIndexEntry *it =
	    std::lower_bound(first, last, name, [](const NameIndexEntry &e, std::string_view n) { return e.name < n; });
	if (it == last || it->name != name)
		return nullptr;
	return &kModels[it->model];
}

namespace {

// Django's db_column overrides among the exportable models: the field is stored in another column.
constexpr ColumnOverride kColumnOverrides[] = {
    {"sentry.user", "name", "first_name"}, // User.name = CharField(db_column="first_name")
};

} // namespace

std::vector<ColumnOverride> column_overrides(const ModelDef &m) {
	std::vector<ColumnOverride> out;
	for (const ColumnOverride &o : kColumnOverrides)
		if (std::string_view(o.model) == m.name)
			out.push_back(o);
	return out;
}

std::string column_for_field(const ModelDef &m, std::string_view field) {
	if (const ForeignKeyDef *fk = find_foreign_key(m, field)) {
		if (is_relation(fk->kind)) {
			std::string column;
			column.reserve(field.size() + 3);
			column.append(field).append("_id");
			return column;
		}
	} else {
		for (const ColumnOverride &o : kColumnOverrides)
			if (field == o.field && std::string_view(o.model) == m.name)
				return o.column;
	}
	return std::string(field);
}

std::string field_for_column(const ModelDef &m, std::string_view column) {
	for (std::size_t k = 0; k < m.foreign_key_count; ++k)
		if (column_for_field(m, m.foreign_keys[k].field) == column)
			return m.foreign_keys[k].field;
	for (const ColumnOverride &o : kColumnOverrides)
		if (column == o.column && std::string_view(o.model) == m.name)
			return o.field;
	return std::string(column);
}

const ForeignKeyDef *find_foreign_key(const ModelDef &m, std::string_view field) {
	for (std::size_t i = 0; i < m.foreign_key_count; ++i)
		if (field == m.foreign_keys[i].field)
			return &m.foreign_keys[i];
	return nullptr;
}

const FieldDefault *find_default(const ModelDef &m, std::string_view field) {
	for (std::size_t i = 0; i < m.default_count; ++i)
		if (field == m.defaults[i].field)
			return &m.defaults[i];
	return nullptr;
}

const RemovedModel *find_removed_model(std::string_view name) {
	for (std::size_t i = 0; i < kRemovedModelCount; ++i)
		if (name == kRemovedModels[i].name)
			return &kRemovedModels[i];
	return nullptr;
}

bool is_json_field(const ModelDef &m, std::string_view field) {
	for (std::size_t i = 0; i < m.json_field_count; ++i)
		if (field == m.json_fields[i])
			return true;
	return false;
}

const RemovedField *find_removed_field(const ModelDef &m, std::string_view field) {
	for (std::size_t i = 0; i < m.removed_field_count; ++i)
		if (field == m.removed_fields[i].field)
			return &m.removed_fields[i];
	return nullptr;
}

const char *scope_name(ScopeBits s) {
	switch (s) {
	case kScopeExcluded:
		return "Excluded";
	case kScopeUser:
		return "User";
	case kScopeOrganization:
		return "Organization";
	case kScopeConfig:
		return "Config";
	case kScopeGlobal:
		return "Global";
	}
	return "Unknown"; // not a single scope bit
}

// detailed.json's spellings (Sentry's ForeignFieldKind names).
const char *fk_kind_name(FkKind k) {
	switch (k) {
	case FkKind::Flexible:
		return "FlexibleForeignKey";
	case FkKind::Django:
		return "DefaultForeignKey";
	case FkKind::OneToOne:
		return "OneToOneCascadeDeletes";
	case FkKind::DjangoOneToOne:
		return "DefaultOneToOneField";
	case FkKind::HybridCloud:
		return "HybridCloudForeignKey";
	case FkKind::Implicit:
		return "ImplicitForeignKey";
	}
	return "Unknown";
}

} // namespace relocate
