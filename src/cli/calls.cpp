#include "cli/calls.hpp"

#include "core/text.hpp"

namespace relocate::cli {

namespace {

std::optional<std::string> array_or_null(const std::vector<std::string> &values) {
	if (values.empty())
		return std::nullopt;
	TextArray elements(values.begin(), values.end());
	return pg_text_array_literal(elements);
}

const char *boolean(bool b) {
	return b ? "true" : "false";
}

} // namespace

std::string features_query() {
	// relocate is not relocatable: its objects are in the one schema it was created in.
	return "SELECT pg_catalog.quote_ident(n.nspname), e.extversion,"
	       " EXISTS (SELECT FROM pg_catalog.pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) n.oid"
	       "   AND p.proname OPERATOR(pg_catalog.=) $1"
	       "   AND 'dry_run' OPERATOR(pg_catalog.=) ANY (p.proargnames)),"
	       " EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) n.oid"
	       "   AND c.relname OPERATOR(pg_catalog.=) 'relocate_progress'),"
	       " EXISTS (SELECT FROM pg_catalog.pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) n.oid"
	       "   AND p.proname OPERATOR(pg_catalog.=) 'relocate_verify_large_object'),"
	       " EXISTS (SELECT FROM pg_catalog.pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) n.oid"
	       "   AND p.proname OPERATOR(pg_catalog.=) 'relocate_verify_file')"
	       " FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n"
	       "   ON n.oid OPERATOR(pg_catalog.=) e.extnamespace"
	       " WHERE e.extname OPERATOR(pg_catalog.=) 'relocate'";
}

std::string import_function(const Options &o) {
	return o.server_file.empty() ? "relocate_import_large_object" : "relocate_import_file";
}

Call import_call(const Options &o, const ServerFeatures &f, const std::string &source,
                 const std::optional<std::string> &key) {
	Call c;
	const bool large_object = o.server_file.empty();
	c.sql = "SELECT * FROM " + f.schema + "." + import_function(o) + "($1::pg_catalog." +
	        (large_object ? "oid" : "text") +
	        ", scope => $2::pg_catalog.text"
	        ", org_filter => $3::pg_catalog.text[]"
	        ", user_filter => $4::pg_catalog.text[]"
	        ", merge_users => $5::pg_catalog.bool"
	        ", overwrite_configs => $6::pg_catalog.bool"
	        ", hide_organizations => $7::pg_catalog.bool"
	        ", import_uuid => $8::pg_catalog.uuid"
	        ", private_key => $9::pg_catalog.text"
	        ", reset => $10::pg_catalog.bool";
	if (f.dry_run)
		c.sql += ", dry_run => $11::pg_catalog.bool";
	c.sql += ")";
	c.params = {source,
	            o.scope,
	            array_or_null(o.orgs),
	            array_or_null(o.users),
	            boolean(o.merge_users),
	            boolean(o.overwrite_configs),
	            boolean(o.hide_organizations),
	            o.import_uuid.empty() ? std::nullopt : std::optional<std::string>(o.import_uuid),
	            key,
	            boolean(o.reset)};
	if (f.dry_run)
		c.params.emplace_back(boolean(o.dry_run));
	return c;
}

Call verify_call(const Options &o, const ServerFeatures &f, const std::string &source, const std::string &import_uuid,
                 const std::optional<std::string> &key) {
	const bool large_object = o.server_file.empty();
	Call c;
	c.sql = "SELECT * FROM " + f.schema + "." +
	        (large_object ? "relocate_verify_large_object($1::pg_catalog.oid"
	                      : "relocate_verify_file($1::pg_catalog.text") +
	        ", $2::pg_catalog.uuid, $3::pg_catalog.text)";
	c.params = {source, import_uuid, key};
	return c;
}

std::string progress_query(const ServerFeatures &f) {
	return "SELECT * FROM " + f.schema + ".relocate_progress WHERE pid OPERATOR(pg_catalog.=) $1::pg_catalog.int4";
}

} // namespace relocate::cli
