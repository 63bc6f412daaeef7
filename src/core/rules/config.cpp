// Sentry's options as the import rules read them: an option's value as options.get returns it
// (src/sentry/options/manager.py), and system.url-prefix, which minting an org auth token needs.
// (The config models' own collision rule, Sentry's OverwritableConfigMixin, is data: the key rules
// of sentry.option, controloption, relay, relayusage and userrole in model_hooks.cpp.)
#include "core/json.hpp" // first RapidJSON include (see json.hpp)

#include "core/rules/rules.hpp"

namespace relocate::rules {

namespace {

// The text a JSON string holds.
class JsonStringHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, JsonStringHandler> {
public:
	bool String(const char *s, rapidjson::SizeType n, bool) {
		text.assign(s, n);
		return true;
	}
	bool Default() { return false; }
	std::string text;
};

bool json_space(char c) {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

} // namespace

std::optional<std::string> option_text(std::string_view json) {
	while (!json.empty() && json_space(json.front()))
		json.remove_prefix(1);
	while (!json.empty() && json_space(json.back()))
		json.remove_suffix(1);
	if (json.empty() || json == "null")
		return std::nullopt;
	if (json.front() == '"') {
		std::string copy(json);
		rapidjson::StringStream in(copy.c_str());
		rapidjson::Reader reader;
		JsonStringHandler handler;
		if (reader.Parse(in, handler))
			return handler.text;
	}
	return std::string(json);
}

std::optional<std::string> system_url_prefix(RuleContext &ctx) {
	const std::optional<TableShape> &options = ctx.shape("sentry_option");
	if (!options)
		return std::nullopt;
	const int key_col = options->find("key"), value_col = options->find("value");
	if (key_col < 0 || value_col < 0)
		return std::nullopt;
	KeyLookup lookup;
	lookup.table = &*options;
	lookup.columns = {key_col};
	lookup.fetch_column = value_col;
	lookup.probes.push_back({"system.url-prefix"});
	std::vector<std::optional<FoundRow>> found = ctx.target().find_rows(lookup);
	if (found.empty() || !found[0] || found[0]->key_null) {
		// Self-hosted installs usually set system.url-prefix in config.yml, not in the database.
		if (!ctx.options().url_prefix.empty())
			return ctx.options().url_prefix;
		return std::nullopt;
	}
	return option_text(found[0]->key);
}

} // namespace relocate::rules
