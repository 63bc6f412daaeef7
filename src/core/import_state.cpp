#include "core/import_state.hpp"

#include "core/error.hpp"

namespace relocate {

std::string describe_entry(const ExportEntry &e) {
	return "export entry " + std::to_string(e.index) + " at byte offset " + std::to_string(e.offset);
}

void fail_entry(const ExportEntry &entry, const char *code, const std::string &what, const std::string &hint,
                const std::string &detail) {
	throw ImportError(code, "relocate: " + entry.model + " pk " + std::to_string(entry.pk) + ", " + what,
	                  (detail.empty() ? std::string() : detail + " ") + "At " + describe_entry(entry) + ".", hint);
}

} // namespace relocate
