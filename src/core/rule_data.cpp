#include "core/rule_data.hpp"

#include "core/json.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

#include "core/error.hpp"

namespace relocate {

namespace {

// Python truthiness of a JSON number as json.loads decodes it: an int is falsy iff it is zero; a float
// iff it is (or underflows to) 0.0. `s` is valid JSON number text.
bool json_number_truthy(std::string_view s) {
	const std::size_t e = s.find_first_of("eE");
	const std::string_view mantissa = s.substr(0, e);
	const std::size_t first_nonzero = mantissa.find_first_of("123456789");
	if (first_nonzero == std::string_view::npos)
		return false; // 0, -0, 0.000, 0e99
	if (mantissa.find('.') == std::string_view::npos && e == std::string_view::npos)
		return true; // a non-zero int
	double v = 0;
	const auto r = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
	if (r.ec == std::errc())
		return v != 0;
	// Out of range: overflow (inf, truthy) or underflow (0.0, falsy). Which one follows from the decimal
	// exponent of the leading non-zero digit.
	const std::size_t dot = mantissa.find('.');
	const long long int_digits = static_cast<long long>(dot == std::string_view::npos ? mantissa.size() : dot) -
	                             (mantissa.front() == '-' ? 1 : 0);
	long long position = static_cast<long long>(first_nonzero) - (mantissa.front() == '-' ? 1 : 0);
	if (dot != std::string_view::npos && first_nonzero > dot)
		--position; // the '.' is not a digit
	long long exp = 0;
	if (e != std::string_view::npos) {
		std::string_view es = s.substr(e + 1);
		bool negative = false;
		if (!es.empty() && (es.front() == '+' || es.front() == '-')) {
			negative = es.front() == '-';
			es.remove_prefix(1);
		}
		for (char c : es)
			exp = std::min(exp * 10 + (c - '0'), 1000000000LL);
		if (negative)
			exp = -exp;
	}
	return exp + (int_digits - 1 - position) >= 0;
}

// SAX filter implementing Sentry's pre_save receiver for Rule (pre_save_rule, next to the project rules
// endpoint; §6 sentry.rule):
//     def clean_rule_data(data):
//         for datum in data:
//             if datum.get("name"):
//                 del datum["name"]
//     clean_rule_data(instance.data.get("conditions", [])); clean_rule_data(instance.data.get("actions", []))
// Note `if datum.get("name")`: only a truthy name is removed ("", null, 0, false, [], {} stay). And where that
// Python fails (a "conditions"/"actions" value that is null, a number, a boolean, a non-empty string or
// object, or an array with an element that is not an object), the import fails.
//
// Pass 1 (scan) finds the elements whose name is removed and the failures; as in Python's dict, the last of
// duplicate keys decides. Pass 2 (write) copies the document to a compact Writer, dropping every "name"
// member of those elements. Numbers keep their text (kParseNumbersAsStringsFlag + RawValue); strings are
// re-escaped by RapidJSON. Nothing recurses: the reader is iterative and the frame stack is a vector.
class RuleFilter : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, RuleFilter> {
public:
	using Writer = rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>,
	                                 rapidjson::CrtAllocator, rapidjson::kWriteValidateEncodingFlag>;
	static constexpr const char *kTargets[2] = {"conditions", "actions"};

	// Scan pass.
	RuleFilter() = default;
	// Write pass, with the scan pass's drops().
	RuleFilter(Writer *writer, const std::vector<bool> *drop) : writer_(writer), drop_(drop) {}

	bool not_an_object() const { return not_an_object_; }
	bool invalid_string() const { return invalid_string_; }
	// Per element object of "conditions"/"actions", in document order: is its "name" removed.
	const std::vector<bool> &drops() const { return drops_; }
	// Index into kTargets of a value Python's pre_save fails on, or -1.
	int failing_target() const { return target_bad_[0] ? 0 : target_bad_[1] ? 1 : -1; }

	bool Null() {
		return scalar({false, false, true}, [&] { return writer_->Null(); });
	}
	bool Bool(bool b) {
		return scalar({b, false, true}, [&] { return writer_->Bool(b); });
	}
	bool RawNumber(const char *s, rapidjson::SizeType n, bool) {
		return scalar({json_number_truthy(std::string_view(s, n)), false, true},
		              [&] { return writer_->RawValue(s, n, rapidjson::kNumberType); });
	}
	bool String(const char *s, rapidjson::SizeType n, bool) {
		// Iterating a str yields its characters, and str has no .get(): only "" passes.
		return scalar({n > 0, false, n > 0}, [&] { return checked(writer_->String(s, n)); });
	}
	bool Key(const char *s, rapidjson::SizeType n, bool) {
		if (skip_depth_ > 0)
			return true;
		Frame &f = frames_.back();
		const std::string_view key(s, n);
		f.target = -1;
		if (f.role == Role::Top)
			f.target = key == kTargets[0] ? 0 : key == kTargets[1] ? 1 : -1;
		f.name_key = f.role == Role::Element && key == "name";
		if (f.name_key && writer_ != nullptr && f.drop) {
			skip_next_ = true;
			return true;
		}
		return writer_ == nullptr || checked(writer_->Key(s, n));
	}
	bool StartObject() { return start(true); }
	bool EndObject(rapidjson::SizeType members) {
		return end(members > 0, [&] { return writer_->EndObject(); });
	}
	bool StartArray() { return start(false); }
	bool EndArray(rapidjson::SizeType elements) {
		return end(elements > 0, [&] { return writer_->EndArray(); });
	}

private:
	// Top: the document; Target: the array value of a top-level "conditions"/"actions"; Element: an object in
	// a Target array.
	enum class Role { Top, Target, Element, Other };
	struct Frame {
		Role role;
		bool object;
		int target = -1;             // Top: index into kTargets of the current key, or -1
		bool name_key = false;       // Element: the current key is "name"
		bool name_truthy = false;    // Element, scan pass: the last "name" value so far is truthy
		bool drop = false;           // Element, write pass: drop its "name" members
		bool has_non_object = false; // Target: an element is not an object
	};
	// A finished value: its Python truthiness, whether it is an object, and whether pre_save fails on it as
	// the value of "conditions"/"actions".
	struct Done {
		bool truthy;
		bool object;
		bool bad_target;
	};

	bool checked(bool ok) {
		if (!ok)
			invalid_string_ = true; // kWriteValidateEncodingFlag: e.g. a lone "\udc00" escape
		return ok;
	}

	// A value finished in the innermost frame.
	void value_done(const Done &d) {
		if (frames_.empty())
			return;
		Frame &f = frames_.back();
		if (writer_ == nullptr) {
			if (f.role == Role::Top && f.target >= 0)
				target_bad_[f.target] = d.bad_target;
			else if (f.role == Role::Target && !d.object)
				f.has_non_object = true;
			else if (f.name_key)
				f.name_truthy = d.truthy;
		}
		f.name_key = false;
	}

	template <class Write> bool scalar(const Done &d, Write write) {
		if (frames_.empty()) { // the document is a scalar
			not_an_object_ = true;
			return false;
		}
		if (skip_depth_ > 0)
			return true;
		if (skip_next_) {
			skip_next_ = false;
			return true;
		}
		value_done(d);
		return writer_ == nullptr || write();
	}

	bool start(bool object) {
		if (frames_.empty() && !object) {
			not_an_object_ = true;
			return false;
		}
		if (skip_depth_ > 0) {
			++skip_depth_;
			return true;
		}
		if (skip_next_) {
			skip_next_ = false;
			skip_depth_ = 1;
			return true;
		}
		Role role = Role::Other;
		if (frames_.empty())
			role = Role::Top;
		else if (!object && frames_.back().role == Role::Top && frames_.back().target >= 0)
			role = Role::Target;
		else if (object && frames_.back().role == Role::Target)
			role = Role::Element;
		Frame f{role, object};
		if (role == Role::Element && writer_ != nullptr)
			f.drop = element_index_ < drop_->size() && (*drop_)[element_index_++];
		frames_.push_back(f);
		if (writer_ != nullptr)
			return object ? writer_->StartObject() : writer_->StartArray();
		return true;
	}

	template <class Write> bool end(bool non_empty, Write write) {
		if (skip_depth_ > 0) {
			--skip_depth_;
			return true;
		}
		const Frame f = frames_.back();
		frames_.pop_back();
		if (f.role == Role::Element && writer_ == nullptr)
			drops_.push_back(f.name_truthy);
		// An array as "conditions"/"actions" fails if it holds a non-object; an object if it has any key.
		value_done(Done{non_empty, f.object, f.role == Role::Target ? f.has_non_object : f.object && non_empty});
		return writer_ == nullptr || write();
	}

	Writer *writer_ = nullptr;
	const std::vector<bool> *drop_ = nullptr;
	std::vector<Frame> frames_;
	std::vector<bool> drops_;
	bool target_bad_[2] = {false, false};
	std::size_t element_index_ = 0;
	std::size_t skip_depth_ = 0; // > 0: inside a dropped "name" value
	bool skip_next_ = false;     // the next value is a dropped "name" value
	bool not_an_object_ = false;
	bool invalid_string_ = false;
};

constexpr unsigned kRuleParseFlags =
    rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag;

// Parses Rule.data with `handler` (RuleFilter or TargetPass): FieldError (22P02) for text that is
// not a JSON object, or that holds a string a validating writer refuses.
template <class Handler> void parse_rule_data(std::string_view text, Handler &handler) {
	rapidjson::MemoryStream stream(text.data(), text.size());
	rapidjson::Reader reader;
	const rapidjson::ParseResult result = reader.Parse<kRuleParseFlags>(stream, handler);
	if (!result.IsError())
		return;
	if (handler.not_an_object())
		throw FieldError(sqlstate::kInvalidTextRepresentation, "field \"data\" is not a JSON object",
		                 "Sentry's Rule.data is a JSON object of conditions, filters and actions.");
	if (handler.invalid_string())
		throw FieldError(sqlstate::kInvalidTextRepresentation,
		                 "field \"data\" contains a string that is not valid Unicode",
		                 "A \\u escape encodes a lone UTF-16 surrogate.");
	throw FieldError(sqlstate::kInvalidTextRepresentation, "field \"data\" is not valid JSON",
	                 std::string(rapidjson::GetParseError_En(result.Code())) + " (at offset " +
	                     std::to_string(result.Offset()) + " of the field's text).");
}

// --- targets -------------------------------------------------------------------------------------

// The targetType of a rule element that names a row, and the model of that row.
const char *target_model(std::string_view target_type) {
	if (target_type == "Team")
		return "sentry.team";
	if (target_type == "Member")
		return "sentry.user";
	return nullptr;
}

// The fields of a rule element that can hold a row's id: the target's, then the integration keys of
// the integration actions (each IntegrationEventAction's `integration_key`).
constexpr std::array<std::string_view, 6> kIdFields = {"targetIdentifier", "workspace", "team",
                                                       "server",           "account",   "integration"};
constexpr std::size_t kTargetField = 0;

std::optional<std::size_t> id_field(std::string_view key) {
	for (std::size_t i = 0; i < kIdFields.size(); ++i)
		if (kIdFields[i] == key)
			return i;
	return std::nullopt;
}

// The field of an action (by its "id") that holds a sentry.integration id: the `integration_key` of
// Sentry's integration actions (SlackNotifyServiceAction and its siblings in
// src/sentry/integrations/*/actions/, and TicketEventAction in
// src/sentry/rules/actions/integrations/create_ticket/base.py), read by
// IntegrationEventAction.get_integration_id (src/sentry/rules/actions/integrations/base.py).
std::optional<std::size_t> integration_field(std::string_view action) {
	static constexpr std::pair<std::string_view, std::string_view> kActions[] = {
	    {"sentry.integrations.slack.notify_action.SlackNotifyServiceAction", "workspace"},
	    {"sentry.integrations.msteams.notify_action.MsTeamsNotifyServiceAction", "team"},
	    {"sentry.integrations.discord.notify_action.DiscordNotifyServiceAction", "server"},
	    {"sentry.integrations.pagerduty.notify_action.PagerDutyNotifyServiceAction", "account"},
	    {"sentry.integrations.opsgenie.notify_action.OpsgenieNotifyTeamAction", "account"},
	    {"sentry.integrations.jira.notify_action.JiraCreateTicketAction", "integration"},
	    {"sentry.integrations.jira_server.notify_action.JiraServerCreateTicketAction", "integration"},
	    {"sentry.integrations.github.notify_action.GitHubCreateTicketAction", "integration"},
	    {"sentry.integrations.github_enterprise.notify_action.GitHubEnterpriseCreateTicketAction", "integration"},
	    {"sentry.integrations.vsts.notify_action.AzureDevopsCreateTicketAction", "integration"},
	};
	for (const auto &[id, key] : kActions)
		if (id == action)
			return id_field(key);
	return std::nullopt;
}

using TargetWriter = RuleFilter::Writer;

// One pass over Rule.data for the ids it holds. The scan pass records, per element object of a
// top-level "actions", "filters" or "conditions" list (in document order), its last "targetType"
// and "id" strings and the last value of each of its id fields (as in Python's dict, the last of
// duplicate keys decides); the write pass copies the document, writing each field's replacement (if
// any) in place of that field's scalar values.
class TargetPass : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TargetPass> {
public:
	struct Identifier {
		std::optional<std::string> text; // a number's or a string's text; nullopt: absent, null or other
		bool is_string = false;
	};
	struct Element {
		std::string type;   // "targetType"
		std::string action; // "id"
		bool in_actions = false;
		std::array<Identifier, kIdFields.size()> ids;
	};
	struct Replacement {
		bool set = false;  // false: the field is kept as it is
		bool null = false; // set the identifier to null
		std::string id;    // else this pk
		bool as_string = false;
	};
	using Replacements = std::array<Replacement, kIdFields.size()>;

	TargetPass() = default;
	TargetPass(TargetWriter *writer, const std::vector<Replacements> *replace) : writer_(writer), replace_(replace) {}

	const std::vector<Element> &elements() const { return elements_; }
	bool not_an_object() const { return not_an_object_; }
	bool invalid_string() const { return invalid_string_; }

	bool Null() {
		return scalar(std::nullopt, false, [&] { return writer_->Null(); });
	}
	bool Bool(bool b) {
		return scalar(std::nullopt, false, [&] { return writer_->Bool(b); });
	}
	bool RawNumber(const char *s, rapidjson::SizeType n, bool) {
		return scalar(std::string_view(s, n), false, [&] { return writer_->RawValue(s, n, rapidjson::kNumberType); });
	}
	bool String(const char *s, rapidjson::SizeType n, bool) {
		return scalar(std::string_view(s, n), true, [&] { return checked(writer_->String(s, n)); });
	}
	bool Key(const char *s, rapidjson::SizeType n, bool) {
		frames_.back().key.assign(s, n);
		return writer_ == nullptr || checked(writer_->Key(s, n));
	}
	bool StartObject() { return start(true); }
	bool EndObject(rapidjson::SizeType) {
		return end([&] { return writer_->EndObject(); });
	}
	bool StartArray() { return start(false); }
	bool EndArray(rapidjson::SizeType) {
		return end([&] { return writer_->EndArray(); });
	}

private:
	enum class Role { Top, List, Element, Other };
	struct Frame {
		Role role;
		std::string key; // an object's current key
		std::size_t element = 0;
		bool actions = false; // a List: the "actions" list
	};

	bool start(bool object) {
		if (frames_.empty() && !object) {
			not_an_object_ = true;
			return false;
		}
		Role role = Role::Other;
		bool actions = false;
		if (frames_.empty())
			role = Role::Top;
		else if (!object && frames_.back().role == Role::Top &&
		         (frames_.back().key == "actions" || frames_.back().key == "filters" ||
		          frames_.back().key == "conditions")) {
			role = Role::List;
			actions = frames_.back().key == "actions";
		} else if (object && frames_.back().role == Role::List)
			role = Role::Element;
		else if (writer_ == nullptr && frames_.back().role == Role::Element)
			record(frames_.back(), std::nullopt, false); // an object or a list as a field's value
		Frame f{role, {}, 0, actions};
		if (role == Role::Element) {
			f.element = count_++;
			if (writer_ == nullptr) {
				elements_.emplace_back();
				elements_.back().in_actions = frames_.back().actions;
			}
		}
		frames_.push_back(std::move(f));
		return writer_ == nullptr || (object ? writer_->StartObject() : writer_->StartArray());
	}

	template <class Write> bool end(Write write) {
		frames_.pop_back();
		return writer_ == nullptr || write();
	}

	// The scan pass: what the element's current key holds (`text` copied only when it is recorded).
	void record(const Frame &f, std::optional<std::string_view> text, bool is_string) {
		Element &e = elements_[f.element];
		if (f.key == "targetType")
			e.type = is_string ? std::string(*text) : std::string();
		else if (f.key == "id")
			e.action = is_string ? std::string(*text) : std::string();
		else if (const std::optional<std::size_t> field = id_field(f.key))
			e.ids[*field] = Identifier{text ? std::optional<std::string>(*text) : std::nullopt, is_string};
	}

	// `text`: a number's or a string's text, nullopt otherwise.
	template <class Write> bool scalar(std::optional<std::string_view> text, bool is_string, Write write) {
		if (frames_.empty()) { // the document is a scalar
			not_an_object_ = true;
			return false;
		}
		const Frame &f = frames_.back();
		if (f.role != Role::Element)
			return writer_ == nullptr || write();
		if (writer_ == nullptr) {
			record(f, text, is_string);
			return true;
		}
		if (const std::optional<std::size_t> field = id_field(f.key)) {
			const Replacement &r = (*replace_)[f.element][*field];
			if (r.set) {
				if (r.null)
					return writer_->Null();
				return r.as_string ? writer_->String(r.id.data(), static_cast<rapidjson::SizeType>(r.id.size()))
				                   : writer_->RawValue(r.id.data(), r.id.size(), rapidjson::kNumberType);
			}
		}
		return write();
	}

	bool checked(bool ok) {
		if (!ok)
			invalid_string_ = true; // kWriteValidateEncodingFlag: e.g. a lone "\udc00" escape
		return ok;
	}

	TargetWriter *writer_ = nullptr;
	const std::vector<Replacements> *replace_ = nullptr;
	std::vector<Frame> frames_;
	std::vector<Element> elements_;
	std::size_t count_ = 0;
	bool not_an_object_ = false;
	bool invalid_string_ = false;
};

// An identifier's text as a pk: all digits (Python's int() also takes a sign and spaces, which no
// real identifier has; those are kept as they are).
std::optional<std::int64_t> identifier_pk(const std::string &text) {
	std::int64_t pk = 0;
	const char *end = text.data() + text.size();
	if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
		return std::nullopt;
	const auto [p, ec] = std::from_chars(text.data(), end, pk);
	if (ec != std::errc() || p != end)
		return std::nullopt;
	return pk;
}

} // namespace

std::string strip_rule_names(std::string_view rule_data_json) {
	RuleFilter scan;
	parse_rule_data(rule_data_json, scan);
	if (const int bad = scan.failing_target(); bad >= 0)
		throw FieldError(sqlstate::kInvalidParameterValue,
		                 std::string("field \"data\": its \"") + RuleFilter::kTargets[bad] +
		                     "\" is not a list of objects",
		                 "Sentry's pre_save_rule fails on it (TypeError or AttributeError), which fails the import.");
	const std::vector<bool> &drops = scan.drops();
	if (std::find(drops.begin(), drops.end(), true) == drops.end())
		return std::string(rule_data_json); // nothing to remove: the text as it came

	rapidjson::StringBuffer buffer;
	RuleFilter::Writer writer(buffer);
	RuleFilter write(&writer, &drops);
	parse_rule_data(rule_data_json, write);
	return std::string(buffer.GetString(), buffer.GetSize());
}

std::string remap_rule_targets(std::string_view rule_data_json, const MapRuleTarget &map,
                               const RuleTargetNulled &nulled) {
	TargetPass scan;
	parse_rule_data(rule_data_json, scan);
	std::vector<TargetPass::Replacements> replace(scan.elements().size());
	bool changed = false;
	// The field `field` of element `i` names a row of `model`: its new pk, or null.
	const auto remap = [&](std::size_t i, std::size_t field, const char *model) {
		const TargetPass::Identifier &id = scan.elements()[i].ids[field];
		const std::optional<std::int64_t> old_pk = id.text ? identifier_pk(*id.text) : std::nullopt;
		if (!old_pk)
			return;
		TargetPass::Replacement &r = replace[i][field];
		if (const std::optional<std::int64_t> new_pk = map(model, *old_pk)) {
			if (*new_pk == *old_pk)
				return;
			r.id = std::to_string(*new_pk);
			r.as_string = id.is_string;
		} else {
			r.null = true;
			nulled(model, std::string(kIdFields[field]).c_str());
		}
		r.set = changed = true;
	};
	for (std::size_t i = 0; i < replace.size(); ++i) {
		const TargetPass::Element &e = scan.elements()[i];
		if (const char *model = target_model(e.type))
			remap(i, kTargetField, model);
		if (e.in_actions)
			if (const std::optional<std::size_t> field = integration_field(e.action))
				remap(i, *field, "sentry.integration");
	}
	if (!changed)
		return std::string(rule_data_json);
	rapidjson::StringBuffer buffer;
	TargetWriter writer(buffer);
	TargetPass write(&writer, &replace);
	parse_rule_data(rule_data_json, write);
	return std::string(buffer.GetString(), buffer.GetSize());
}

} // namespace relocate
