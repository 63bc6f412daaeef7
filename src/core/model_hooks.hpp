// Which of Sentry's per-model import rules apply to which model: one table (model_hooks.cpp),
// one row per Sentry model that has a rule, looked up once per model run. A model without a row
// gets no rules: its rows are remapped, converted and inserted as they are.
//
// The hooks, in the order the engine runs them:
//   instance_scope  per entry, for models whose RelocationScope Sentry picks per instance
//                   (get_relocation_scope): the scope of this entry
//   normalize       per row, after its references are remapped and its values converted: Sentry's
//                   normalize_before_relocation_import (sanitization outside Global scope, ...). May
//                   change values or skip the row (return false)
//   key_rule        per batch, before writing: a get-or-create by key, as data
//   resolve         per batch, after the key rule: Sentry's write_relocation_import collision rules
//                   that need code (usernames, slugs, tokens, ...); decides each row's fate
//   after_write     per batch, after writing: the rows Sentry's signals create
// and the properties the engine reads: the filter a model answers to, a reference nulled instead
// of skipping the row when its target was not imported, ids kept in Global scope, the status
// hide_organizations overrides.
//
// The rules themselves are in rules/, one file per Sentry area (rules/rules.hpp lists them).
//
// PostgreSQL-free.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <string>
#include <vector>

#include "core/catalogue.hpp"
#include "core/export_reader.hpp"
#include "core/model_rules.hpp"

namespace relocate {

using NormalizeHook = bool (*)(RuleContext &, RowEdit &, const RowReferences &);
using ResolveHook = void (*)(RuleContext &, BatchEdit &);
using AfterWriteHook = void (*)(RuleContext &, const BatchEdit &, const std::vector<WrittenRow> &);
using InstanceScopeHook = ScopeBits (*)(const ExportEntry &);

// The model's part in Sentry's import filters (org_filter, user_filter and the filters derived
// from them).
enum class FilterRole : std::uint8_t {
	None,
	User,         // filtered by username (user_filter) or by membership of a chosen organization
	Organization, // filtered by slug (org_filter)
	Email,        // filtered by the chosen users' addresses
	Member,       // links users to organizations (read by the filters' pre-pass)
};

// A column one of the model's rules writes: for the catalogue (relocate_model_columns), and so that
// the NOT NULL check of a row being built leaves a missing or null value that the rule fills to the
// rule.
struct RuleColumn {
	const char *column;
	const char *rule;        // what the rule writes and when, one line, naming Sentry's code
	bool fills_null = false; // the rule gives the column a value even when the export has none
};

struct ModelHooks {
	const char *model = nullptr;
	InstanceScopeHook instance_scope = nullptr;
	NormalizeHook normalize = nullptr;
	KeyRule key_rule{};
	ResolveHook resolve = nullptr;
	AfterWriteHook after_write = nullptr;
	// The columns after_write reads (BatchEdit::get), nullptr after the last: the batch keeps their
	// cells once it is written; a large value of another column may be freed by the target as soon
	// as it has its own copy (RowBatch::releasable).
	std::array<const char *, 2> after_write_reads{};
	FilterRole filter = FilterRole::None;
	// A foreign-key field whose unmapped reference is nulled instead of skipping the row.
	const char *null_if_unmapped = nullptr;
	// In Global scope the rows keep their ids from the file (and the id sequence moves past them).
	bool keeps_ids_in_global = false;
	// With hide_organizations, the column "status" is RELOCATION_PENDING_APPROVAL in every row.
	bool hidden_by_hide_organizations = false;
	// The column that names a row for the report (a rename from -> to) when the table has no slug.
	const char *name_column = nullptr;
	// The unique columns whose values `resolve` settles against the database (a collision suffix,
	// a new token): a unique violation on one of them at the write is another transaction's row
	// that arrived after the lookup, a race (40001), not a duplicate of the export (23505).
	std::array<const char *, 2> settles_unique{};
	// The columns the model's rules write.
	const RuleColumn *rule_columns = nullptr;
	std::size_t rule_column_count = 0;

	// The rule column `column`, or nullptr if no rule of the model writes it.
	const RuleColumn *rule_column(std::string_view column) const {
		for (std::size_t i = 0; i < rule_column_count; ++i)
			if (column == rule_columns[i].column)
				return &rule_columns[i];
		return nullptr;
	}
	// True if one of the model's rules writes `column` (verification does not compare it).
	bool writes(std::string_view column) const { return rule_column(column) != nullptr; }
	// True if a rule fills `column` when the export gives it no value.
	bool rule_fills_null(std::string_view column) const {
		const RuleColumn *rc = rule_column(column);
		return rc != nullptr && rc->fills_null;
	}

	// Builders for the table in model_hooks.cpp: ModelHooks("sentry.x").normalizing(f)...
	constexpr explicit ModelHooks(const char *name = nullptr) : model(name) {}
	constexpr ModelHooks scoped_by(InstanceScopeHook f) const {
		ModelHooks h = *this;
		h.instance_scope = f;
		return h;
	}
	constexpr ModelHooks normalizing(NormalizeHook f) const {
		ModelHooks h = *this;
		h.normalize = f;
		return h;
	}
	constexpr ModelHooks keyed(KeyRule rule) const {
		ModelHooks h = *this;
		h.key_rule = rule;
		return h;
	}
	constexpr ModelHooks resolving(ResolveHook f) const {
		ModelHooks h = *this;
		h.resolve = f;
		return h;
	}
	constexpr ModelHooks settling_unique(std::array<const char *, 2> columns) const {
		ModelHooks h = *this;
		h.settles_unique = columns;
		return h;
	}
	// True if a unique violation on `columns` (PostgreSQL's "a, b" of the key) is a race: the key of
	// the get-or-create, or a key with a column resolve settles.
	bool collision_is_race(const std::string &columns) const;
	constexpr ModelHooks after_writing(AfterWriteHook f, std::array<const char *, 2> reads = {}) const {
		ModelHooks h = *this;
		h.after_write = f;
		h.after_write_reads = reads;
		return h;
	}
	// True if after_write reads `column`.
	bool reads_after_write(std::string_view column) const {
		for (const char *c : after_write_reads)
			if (c != nullptr && column == c)
				return true;
		return false;
	}
	constexpr ModelHooks filtered_as(FilterRole role) const {
		ModelHooks h = *this;
		h.filter = role;
		return h;
	}
	constexpr ModelHooks nulling_unmapped(const char *field) const {
		ModelHooks h = *this;
		h.null_if_unmapped = field;
		return h;
	}
	constexpr ModelHooks keeping_ids_in_global() const {
		ModelHooks h = *this;
		h.keeps_ids_in_global = true;
		return h;
	}
	constexpr ModelHooks named_by(const char *column) const {
		ModelHooks h = *this;
		h.name_column = column;
		return h;
	}
	constexpr ModelHooks hiding_status() const {
		ModelHooks h = *this;
		h.hidden_by_hide_organizations = true;
		return h;
	}
	template <std::size_t N> constexpr ModelHooks writing(const RuleColumn (&columns)[N]) const {
		ModelHooks h = *this;
		h.rule_columns = columns;
		h.rule_column_count = N;
		return h;
	}
};

// The hooks of `model` (a normalized model name); a ModelHooks without rules for a model that has
// none.
const ModelHooks &hooks_for(std::string_view model);

// Every row of the table, sorted by model name (for tests and documentation).
const ModelHooks *model_hooks_begin();
const ModelHooks *model_hooks_end();

} // namespace relocate
