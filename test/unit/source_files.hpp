// Reading files in the unit tests (fixtures, the install scripts, the test schema): one reader that
// fails loudly, so that no test runs on the empty text of a file it could not open.
//
// Header-only and PostgreSQL-free.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace relocate::test {

// The whole file at `path`, byte for byte; throws std::runtime_error if it cannot be read.
inline std::string read_file(const std::string &path) {
	std::ifstream in(path, std::ios::binary);
	if (!in)
		throw std::runtime_error("cannot read " + path);
	std::ostringstream text;
	text << in.rdbuf();
	if (in.bad())
		throw std::runtime_error("cannot read " + path);
	return text.str();
}

#ifdef RELOCATE_SOURCE_DIR
// A file of the source tree, by its path from the repository's root ("test/fixtures/sentry/...").
inline std::string source_file(const std::string &relative) {
	return read_file(std::string(RELOCATE_SOURCE_DIR) + "/" + relative);
}
#endif

} // namespace relocate::test
