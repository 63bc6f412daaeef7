#include "pg/relocation_store.hpp"

#include "core/error.hpp"
#include "core/text.hpp"

namespace relocate::pg {

namespace {

using relocation::Relocation;

std::optional<std::string> int_text(const std::optional<int> &v) {
	return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
}

std::optional<int> to_int(const std::optional<std::string> &v) {
	return v ? std::optional<int>(std::stoi(*v)) : std::nullopt;
}

// A text[] literal into its non-NULL elements.
std::vector<std::string> text_list(const std::string &literal) {
	TextArray elements;
	std::vector<std::string> out;
	if (parse_pg_text_array(literal, elements))
		for (const std::optional<std::string> &e : elements)
			if (e)
				out.push_back(*e);
	return out;
}

// The elements of a jsonb list column as a text[] literal, in list order ('{}' for anything that is
// not a JSON array), NULL when the column is NULL.
std::string jsonb_list(const std::string &column) {
	return "CASE WHEN " + column + " IS NULL THEN NULL WHEN pg_catalog.jsonb_typeof(" + column +
	       ") OPERATOR(pg_catalog.=) 'array' THEN ARRAY(SELECT e.v FROM pg_catalog.jsonb_array_elements_text(" +
	       column + ") WITH ORDINALITY AS e(v, n) ORDER BY e.n)::pg_catalog.text ELSE '{}' END";
}

} // namespace

std::string resolve_table(const std::string &name) {
	return spi_value("SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) "
	                 "pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
	                 "ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
	                 "WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.quote_ident($1)) "
	                 "AND c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p']::pg_catalog.\"char\"[])",
	                 {text_param(name)})
	    .value_or("");
}

std::string require_table(const std::string &name, const std::string &why) {
	std::string table = resolve_table(name);
	if (table.empty())
		throw missing_table_error(name, {}, why);
	return table;
}

std::string extension_table(const std::string &name) {
	std::optional<std::string> schema =
	    spi_value("SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_extension e "
	              "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace "
	              "WHERE e.extname OPERATOR(pg_catalog.=) 'relocate'");
	if (!schema)
		throw ImportError(sqlstate::kObjectNotInPrerequisiteState, "relocate: the extension relocate is not installed");
	return *schema + "." + "\"" + name + "\"";
}

std::optional<Relocation> lock_relocation(const std::string &table, const std::string &uuid) {
	const std::string sql = "SELECT r.id::pg_catalog.text, r.uuid::pg_catalog.text, r.owner_id::pg_catalog.text, "
	                        "r.creator_id::pg_catalog.text, r.provenance::pg_catalog.text, r.step::pg_catalog.text, "
	                        "r.status::pg_catalog.text, r.scheduled_pause_at_step::pg_catalog.text, "
	                        "r.scheduled_cancel_at_step::pg_catalog.text, " +
	                        jsonb_list("r.want_org_slugs") + ", " + jsonb_list("r.want_usernames") +
	                        ", r.latest_notified::pg_catalog.text, r.latest_task::pg_catalog.text, "
	                        "r.latest_task_attempts::pg_catalog.text, r.failure_reason::pg_catalog.text FROM " +
	                        table + " AS r WHERE r.uuid OPERATOR(pg_catalog.=) $1::pg_catalog.uuid FOR UPDATE OF r";
	std::vector<SqlRow> rows = spi_query(sql, {text_param(uuid)});
	if (rows.empty())
		return std::nullopt;
	const SqlRow &v = rows[0];
	Relocation r;
	r.id = std::stoll(v[0].value());
	r.uuid = v[1].value();
	r.owner_id = std::stoll(v[2].value());
	r.creator_id = std::stoll(v[3].value());
	r.provenance = std::stoi(v[4].value());
	r.step = std::stoi(v[5].value());
	r.status = std::stoi(v[6].value());
	r.scheduled_pause_at_step = to_int(v[7]);
	r.scheduled_cancel_at_step = to_int(v[8]);
	r.want_org_slugs = text_list(v[9].value_or("{}"));
	if (v[10])
		r.want_usernames = text_list(v[10].value());
	r.latest_notified = to_int(v[11]);
	r.latest_task = v[12].value_or("");
	r.latest_task_attempts = std::stoi(v[13].value());
	r.failure_reason = v[14];
	return r;
}

void save_relocation(const std::string &table, const Relocation &r, bool with_want_usernames) {
	std::vector<SqlParam> params = {text_param(std::to_string(r.id)),
	                                text_param(std::to_string(r.step)),
	                                text_param(std::to_string(r.status)),
	                                {int_text(r.scheduled_pause_at_step), false},
	                                {int_text(r.scheduled_cancel_at_step), false},
	                                {int_text(r.latest_notified), false},
	                                text_param(r.latest_task),
	                                text_param(std::to_string(r.latest_task_attempts)),
	                                {r.failure_reason, false}};
	std::string sql =
	    "UPDATE " + table +
	    " SET step = $2::pg_catalog.int4, status = $3::pg_catalog.int4, "
	    "scheduled_pause_at_step = $4::pg_catalog.int4, scheduled_cancel_at_step = $5::pg_catalog.int4, "
	    "latest_notified = $6::pg_catalog.int4, latest_task = $7, "
	    "latest_task_attempts = $8::pg_catalog.int4, failure_reason = $9, date_updated = pg_catalog.now()";
	if (with_want_usernames) {
		TextArray names;
		for (const std::string &u : r.want_usernames.value_or(std::vector<std::string>{}))
			names.emplace_back(u);
		params.push_back(
		    {r.want_usernames ? std::optional<std::string>(pg_text_array_literal(names)) : std::nullopt, false});
		sql += ", want_usernames = pg_catalog.to_jsonb($10::pg_catalog.text[])";
	}
	spi_query(sql + " WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8", params);
}

std::string relocation_export_oid(const std::string &relocation_file_table, const relocation::Relocation &r) {
	const std::string files = extension_table("relocate_relocation_file");
	std::vector<SqlRow> rows = spi_query(
	    "SELECT rf.file_id::pg_catalog.text, x.data::pg_catalog.text FROM " + relocation_file_table +
	        " AS rf LEFT JOIN " + files +
	        " AS x ON x.file_id OPERATOR(pg_catalog.=) rf.file_id "
	        "AND x.relocation_uuid OPERATOR(pg_catalog.=) $3::pg_catalog.uuid WHERE rf.relocation_id "
	        "OPERATOR(pg_catalog.=) $1::pg_catalog.int8 "
	        "AND rf.kind OPERATOR(pg_catalog.=) $2::pg_catalog.int4 ORDER BY rf.id",
	    {text_param(std::to_string(r.id)), text_param(std::to_string(relocation::kRawUserData)), text_param(r.uuid)});
	if (rows.empty())
		throw ImportError(sqlstate::kObjectNotInPrerequisiteState,
		                  "relocate: the relocation has no RelocationFile of kind RAW_USER_DATA (its export)", {},
		                  "Create relocations with relocate_relocation_create, which attaches the export.");
	if (!rows[0][1])
		throw ImportError(
		    sqlstate::kObjectNotInPrerequisiteState,
		    "relocate: the relocation's file (sentry_file id " + rows[0][0].value_or("?") +
		        ") has no contents in relocate_relocation_file",
		    "Sentry keeps the bytes of the files it uploads in its filestore, which the database cannot "
		    "read.",
		    "Attach the export: INSERT INTO relocate_relocation_file (relocation_uuid, file_id, data, size, "
		    "checksum) with the large object that holds it.");
	return *rows[0][1];
}

std::pair<std::string, std::string> relocation_export_recorded(const std::string &oid) {
	std::vector<SqlRow> rows =
	    spi_query("SELECT x.size::pg_catalog.text, x.checksum FROM " + extension_table("relocate_relocation_file") +
	                  " AS x WHERE x.data OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
	              {text_param(oid)});
	if (rows.empty() || !rows[0][0] || !rows[0][1])
		return {};
	return {*rows[0][0], *rows[0][1]};
}

std::vector<SqlRow> imported_organizations(const std::string &region_chunk_table, const std::string &uuid) {
	return spi_query("SELECT DISTINCT m.value::pg_catalog.int8 AS id, i.value FROM " + region_chunk_table +
	                     " AS c CROSS JOIN LATERAL pg_catalog.jsonb_each_text(c.inserted_map) AS m "
	                     "LEFT JOIN LATERAL pg_catalog.jsonb_each_text(c.inserted_identifiers) AS i "
	                     "ON i.key OPERATOR(pg_catalog.=) m.key "
	                     "WHERE c.import_uuid OPERATOR(pg_catalog.=) $1::pg_catalog.uuid "
	                     "AND c.model OPERATOR(pg_catalog.=) 'sentry.organization' ORDER BY 1",
	                 {text_param(uuid)});
}

std::vector<std::string> imported_user_ids(const std::string &replica_table, const std::string &uuid) {
	std::vector<std::string> ids;
	for (const SqlRow &row : spi_query("SELECT DISTINCT m.value::pg_catalog.int8 FROM " + replica_table +
	                                       " AS c CROSS JOIN LATERAL pg_catalog.jsonb_each_text(c.inserted_map) AS m "
	                                       "WHERE c.import_uuid OPERATOR(pg_catalog.=) $1::pg_catalog.uuid "
	                                       "AND c.model OPERATOR(pg_catalog.=) 'sentry.user' ORDER BY 1",
	                                   {text_param(uuid)}))
		ids.push_back(*row[0]);
	return ids;
}

} // namespace relocate::pg
