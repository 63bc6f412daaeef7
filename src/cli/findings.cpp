#include "cli/findings.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "core/export_reader.hpp"
#include "core/json.hpp"

namespace relocate::cli {

namespace {

bool model_char(char c) {
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

// The first "<app>.<model> pk <integer>" of `message`.
void find_model_pk(std::string_view message, Finding &f) {
	for (std::size_t at = message.find(" pk "); at != std::string_view::npos; at = message.find(" pk ", at + 1)) {
		std::size_t start = at;
		while (start > 0 && model_char(message[start - 1]))
			--start;
		const std::string_view model = message.substr(start, at - start);
		std::size_t end = at + 4;
		if (end < message.size() && message[end] == '-')
			++end;
		while (end < message.size() && message[end] >= '0' && message[end] <= '9')
			++end;
		std::int64_t pk = 0;
		if (model.find('.') == std::string_view::npos || !parse_int64(message.substr(at + 4, end - at - 4), pk))
			continue;
		f.model = std::string(model);
		f.pk = pk;
		return;
	}
}

// The text between the quotes after `marker` (e.g. `field "`), or "".
std::string quoted_after(std::string_view message, std::string_view marker) {
	const std::size_t at = message.find(marker);
	if (at == std::string_view::npos)
		return {};
	const std::size_t from = at + marker.size();
	const std::size_t to = message.find('"', from);
	return to == std::string_view::npos ? std::string() : std::string(message.substr(from, to - from));
}

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void put(JsonWriter &w, const char *key, const std::string &value) {
	w.Key(key);
	if (value.empty())
		w.Null();
	else
		w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void put(JsonWriter &w, const char *key, const std::optional<std::int64_t> &value) {
	w.Key(key);
	if (value)
		w.Int64(*value);
	else
		w.Null();
}

std::string finding_object(const Finding &f) {
	rapidjson::StringBuffer out;
	JsonWriter w(out);
	w.StartObject();
	put(w, "kind", f.kind);
	put(w, "model", f.model);
	put(w, "pk", f.pk);
	if (f.kind == "verify")
		put(w, "new_pk", f.new_pk);
	put(w, "field", f.field);
	put(w, "message", f.message);
	put(w, "sqlstate", f.sqlstate);
	if (f.has_values) {
		for (const auto &[key, value] : {std::pair{"expected", &f.expected}, std::pair{"found", &f.found}}) {
			w.Key(key);
			if (*value)
				w.String(value->value().data(), static_cast<rapidjson::SizeType>(value->value().size()));
			else
				w.Null();
		}
	}
	put(w, "detail", f.detail);
	put(w, "hint", f.hint);
	w.EndObject();
	return out.GetString();
}

} // namespace

Finding finding_from_error(std::string kind, std::string sqlstate, std::string message, std::string detail,
                           std::string hint) {
	Finding f;
	f.kind = std::move(kind);
	f.sqlstate = std::move(sqlstate);
	find_model_pk(message, f);
	if (f.model.empty())
		f.model = quoted_after(message, "unknown model \"");
	f.field = quoted_after(message, "field \"");
	if (f.field.empty())
		f.field = quoted_after(message, "column \"");
	f.message = std::move(message);
	f.detail = std::move(detail);
	f.hint = std::move(hint);
	return f;
}

std::string findings_json(const std::vector<Finding> &findings) {
	if (findings.empty())
		return "[]\n";
	std::string out = "[\n";
	for (std::size_t i = 0; i < findings.size(); ++i)
		out += "  " + finding_object(findings[i]) + (i + 1 < findings.size() ? ",\n" : "\n");
	return out + "]\n";
}

std::string json_string(const std::string &text) {
	rapidjson::StringBuffer out;
	JsonWriter w(out);
	w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
	return out.GetString();
}

bool write_file_atomically(const std::string &path, const std::string &content, std::string &error) {
	const std::string temp = path + ".tmp";
	std::FILE *f = std::fopen(temp.c_str(), "w");
	if (f == nullptr) {
		error = "could not open \"" + temp + "\" for writing: " + std::strerror(errno);
		return false;
	}
	const bool written = std::fwrite(content.data(), 1, content.size(), f) == content.size();
	const int saved_errno = errno;
	if (std::fclose(f) != 0 || !written) {
		error = "could not write \"" + temp + "\": " + std::strerror(written ? errno : saved_errno);
		std::remove(temp.c_str());
		return false;
	}
	if (std::rename(temp.c_str(), path.c_str()) != 0) {
		error = "could not rename \"" + temp + "\" to \"" + path + "\": " + std::strerror(errno);
		std::remove(temp.c_str());
		return false;
	}
	return true;
}

} // namespace relocate::cli
