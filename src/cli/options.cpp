#include "cli/options.hpp"

#include <cstring>
#include <string_view>

#include "core/text.hpp"

namespace relocate::cli {

namespace {

// An option: its names, and where its value goes (exactly one of the members is set, or none for
// the options handled by name in apply()).
struct OptionDef {
	const char *long_name;
	char short_name; // 0: none
	bool takes_value;
	std::string Options::*text = nullptr;
	bool Options::*flag = nullptr;
	std::vector<std::string> Options::*list = nullptr;
};

const OptionDef kOptions[] = {
    {"dbname", 'd', true, &Options::dbname},
    {"host", 'h', true, &Options::host},
    {"port", 'p', true, &Options::port},
    {"username", 'U', true, &Options::username},
    {"no-password", 'w', false},
    {"password", 'W', false},
    {"file", 0, true, &Options::file},
    {"server-file", 0, true, &Options::server_file},
    {"key-file", 'k', true, &Options::key_file},
    {"server-key-file", 0, true, &Options::server_key_file},
    {"scope", 0, true, &Options::scope},
    {"org", 0, true, nullptr, nullptr, &Options::orgs},
    {"user", 0, true, nullptr, nullptr, &Options::users},
    {"merge-users", 0, false, nullptr, &Options::merge_users},
    {"overwrite-configs", 0, false, nullptr, &Options::overwrite_configs},
    {"hide-organizations", 0, false, nullptr, &Options::hide_organizations},
    {"import-uuid", 0, true, &Options::import_uuid},
    {"reset", 0, false, nullptr, &Options::reset},
    {"yes", 'y', false, nullptr, &Options::yes},
    {"set", 0, true},
    {"dry-run", 'n', false, nullptr, &Options::dry_run},
    {"verify", 0, false, nullptr, &Options::verify},
    {"list", 'l', false, nullptr, &Options::list},
    {"findings-file", 0, true, &Options::findings_file},
    {"report-file", 0, true, &Options::report_file},
    {"quiet", 'q', false},
    {"verbose", 'v', false},
    {"help", '?', false, nullptr, &Options::help},
    {"version", 'V', false, nullptr, &Options::version},
};

const OptionDef *find_long(std::string_view name) {
	for (const OptionDef &o : kOptions)
		if (name == o.long_name)
			return &o;
	return nullptr;
}

const OptionDef *find_short(char c) {
	for (const OptionDef &o : kOptions)
		if (o.short_name != 0 && o.short_name == c)
			return &o;
	return nullptr;
}

class Parser {
public:
	ParsedOptions run(int argc, const char *const *argv);

private:
	// Applies one option; false (with error_ set) when its value is wrong.
	bool apply(const OptionDef &def, const std::string &value);
	bool parse_long(std::string_view arg, int &i, int argc, const char *const *argv);
	bool parse_short(std::string_view arg, int &i, int argc, const char *const *argv);
	void check();

	Options o_;
	std::string error_;
	std::vector<std::string> positional_;
	int quiet_ = 0;
	int verbose_ = 0;
	bool file_option_ = false;
};

bool Parser::apply(const OptionDef &def, const std::string &value) {
	const std::string_view name = def.long_name;
	if (def.text != nullptr)
		o_.*def.text = value;
	else if (def.flag != nullptr)
		o_.*def.flag = true;
	else if (def.list != nullptr)
		(o_.*def.list).push_back(value);
	else if (name == "no-password")
		o_.password = PasswordPrompt::kNever;
	else if (name == "password")
		o_.password = PasswordPrompt::kAlways;
	else if (name == "quiet")
		++quiet_;
	else if (name == "verbose")
		++verbose_;
	else if (name == "set") {
		const std::size_t eq = value.find('=');
		if (eq == std::string::npos || eq == 0) {
			error_ = "--set takes NAME=VALUE, e.g. --set relocate.ignore_unknown_fields=on, not \"" + value + "\"";
			return false;
		}
		o_.settings.emplace_back(value.substr(0, eq), value.substr(eq + 1));
	}
	if (name == "file")
		file_option_ = true;
	return true;
}

bool Parser::parse_long(std::string_view arg, int &i, int argc, const char *const *argv) {
	std::string_view name = arg.substr(2);
	const std::size_t eq = name.find('=');
	const bool inline_value = eq != std::string_view::npos;
	if (inline_value)
		name = name.substr(0, eq);
	const OptionDef *def = find_long(name);
	if (def == nullptr) {
		error_ = "unrecognized option \"--" + std::string(name) + "\"";
		return false;
	}
	if (!def->takes_value) {
		if (inline_value) {
			error_ = "option \"--" + std::string(name) + "\" takes no value";
			return false;
		}
		return apply(*def, {});
	}
	if (inline_value)
		return apply(*def, std::string(arg.substr(2 + eq + 1)));
	if (i + 1 >= argc) {
		error_ = "option \"--" + std::string(name) + "\" needs a value";
		return false;
	}
	return apply(*def, argv[++i]);
}

bool Parser::parse_short(std::string_view arg, int &i, int argc, const char *const *argv) {
	for (std::size_t j = 1; j < arg.size(); ++j) {
		const OptionDef *def = find_short(arg[j]);
		if (def == nullptr) {
			error_ = std::string("invalid option -- '") + arg[j] + "'";
			return false;
		}
		if (!def->takes_value) {
			if (!apply(*def, {}))
				return false;
			continue;
		}
		if (j + 1 < arg.size()) // -dsentry
			return apply(*def, std::string(arg.substr(j + 1)));
		if (i + 1 >= argc) {
			error_ = std::string("option requires an argument -- '") + arg[j] + "'";
			return false;
		}
		return apply(*def, argv[++i]);
	}
	return true;
}

ParsedOptions Parser::run(int argc, const char *const *argv) {
	bool options_done = false;
	for (int i = 1; i < argc && error_.empty(); ++i) {
		const std::string_view arg = argv[i];
		if (options_done || arg.size() < 2 || arg[0] != '-')
			positional_.emplace_back(arg);
		else if (arg == "--")
			options_done = true;
		else if (arg[1] == '-')
			parse_long(arg, i, argc, argv);
		else
			parse_short(arg, i, argc, argv);
	}
	if (o_.help || o_.version)
		return {o_, {}};
	if (error_.empty())
		check();
	return {o_, error_};
}

// The combination of options, once every option is read. Sets error_ at the first problem.
void Parser::check() {
	auto fail = [this](std::string message) {
		if (error_.empty())
			error_ = std::move(message);
	};
	if (positional_.size() > 1)
		fail("too many command-line arguments (first is \"" + positional_[1] + "\")");
	else if (positional_.size() == 1 && file_option_)
		fail("give the export once: as --file or as the FILE argument, not both");
	else if (positional_.size() == 1)
		o_.file = positional_[0];
	if (!o_.file.empty() && !o_.server_file.empty())
		fail("give either --file (a file on this machine) or --server-file (a file on the server), not both");
	if (o_.file.empty() && o_.server_file.empty())
		fail(o_.list ? "--list needs the export: --file FILE" : "no export given: --file FILE or --server-file PATH");
	if (!o_.key_file.empty() && !o_.server_key_file.empty())
		fail("give either --key-file (a key on this machine) or --server-key-file (a key on the server), not both");
	if (!o_.server_file.empty() && o_.server_file[0] != '/')
		fail("--server-file takes the absolute path of a file on the database server, not \"" + o_.server_file + "\"");
	if (!o_.server_key_file.empty() && o_.server_key_file[0] != '/')
		fail("--server-key-file takes the absolute path of a file on the database server, not \"" + o_.server_key_file +
		     "\"");
	if (o_.list && (!o_.server_file.empty() || !o_.server_key_file.empty()))
		fail("--list reads the export on this machine, without a server: give --file and --key-file");
	o_.scope = ascii_lower(o_.scope);
	if (o_.scope != "user" && o_.scope != "organization" && o_.scope != "config" && o_.scope != "global")
		fail("--scope takes user, organization, config or global, not \"" + o_.scope + "\"");
	else if (!o_.orgs.empty() && o_.scope != "organization")
		fail("--org filters an organization-scope import: it needs --scope organization");
	else if (!o_.users.empty() && o_.scope != "user" && o_.scope != "config")
		fail("--user filters a user- or config-scope import: it needs --scope user or --scope config");
	if (o_.reset && o_.scope != "global")
		fail("--reset empties the database before a global import: it needs --scope global");
	if (o_.verify && o_.dry_run)
		fail("--verify checks what a real import wrote: it cannot be combined with --dry-run");
	if (!o_.import_uuid.empty() && !looks_like_uuid(o_.import_uuid))
		fail("--import-uuid takes a UUID, not \"" + o_.import_uuid + "\"");
	if (quiet_ > 0 && verbose_ > 0)
		fail("--quiet and --verbose cannot be combined");
	if (quiet_ > 0)
		o_.verbosity = Verbosity::kQuiet;
	else if (verbose_ > 0)
		o_.verbosity = Verbosity::kVerbose;
}

bool is_hex(char c) {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

} // namespace

ParsedOptions parse_options(int argc, const char *const *argv) {
	return Parser().run(argc, argv);
}

bool looks_like_uuid(const std::string &text) {
	std::string_view t = text;
	if (t.size() >= 2 && t.front() == '{' && t.back() == '}')
		t = t.substr(1, t.size() - 2);
	if (t.size() == 32) {
		for (char c : t)
			if (!is_hex(c))
				return false;
		return true;
	}
	if (t.size() != 36)
		return false;
	for (std::size_t i = 0; i < t.size(); ++i) {
		const bool hyphen_here = i == 8 || i == 13 || i == 18 || i == 23;
		if (hyphen_here ? t[i] != '-' : !is_hex(t[i]))
			return false;
	}
	return true;
}

} // namespace relocate::cli
