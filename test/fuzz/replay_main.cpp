// Runs the fuzz entry point (export_reader_fuzz.cpp) without libFuzzer: over every file of the
// directories and files given on the command line, then (unless --no-builtin) over a set of
// hand-made malformed inputs. A finding aborts the process, which fails the ctest.
//
//   relocate_fuzz_replay [--no-builtin] PATH...
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace {

void run(const std::string &input) {
	LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t *>(input.data()), input.size());
}

std::string nested(std::size_t depth) {
	return R"([{"model":"sentry.option","pk":1,"fields":{"key":"k","value":)" + std::string(depth, '[') +
	       std::string(depth, ']') + "}}]";
}

// Hand-made inputs: syntax errors, shape errors, bad values, and inputs that walk the engine's edges.
std::vector<std::string> builtin_inputs() {
	const std::string user = R"({"model":"sentry.user","pk":1,"fields":{"username":"u"}})";
	const std::string org = R"({"model":"sentry.organization","pk":1,"fields":{"name":"o","slug":"o"}})";
	std::vector<std::string> v = {
	    "",
	    " ",
	    std::string("\0", 1),
	    "[",
	    "]",
	    "[]",
	    "[] x",
	    "{}",
	    "42",
	    "null",
	    "[1]",
	    "[[]]",
	    "[{}]",
	    R"([{"model":"sentry.user"}])",
	    R"([{"model":"sentry.user","pk":"1","fields":{}}])",
	    R"([{"model":"sentry.user","pk":1.5,"fields":{}}])",
	    R"([{"model":"sentry.user","pk":99999999999999999999,"fields":{}}])",
	    R"([{"model":"sentry.user","pk":1,"fields":[]}])",
	    R"([{"model":"sentry.user","pk":1,"fields":{},"x":1}])",
	    R"([{"model":"sentry.user","pk":1,"fields":{"a":1,"a":2}}])",
	    "[{\"model\":\"sentry.user\",\"pk\":1,\"fields\":{\"username\":\"\xff\"}}]",
	    R"([{"model":"sentry.user","pk":1,"fields":{"username":"a\u0000b"}}])",
	    R"([{"model":"sentry.nosuchmodel","pk":1,"fields":{}}])",
	    R"([{"model":"sentry.user","pk":1,"fields":{"nosuchfield":1}}])",
	    R"([{"model":"sentry.user","pk":1,"fields":{"id":1}}])",
	    R"([{"model":"sentry.user","pk":1,"fields":{"username":null}}])",
	    R"([{"model":"sentry.user","pk":1,"fields":{"username":"u","flags":"x"}}])",
	    R"([{"model":"sentry.user","pk":1,"fields":{"username":"u","avatar_type":99999}}])",
	    R"([{"model":"sentry.user","pk":1,"fields":{"username":"u","date_joined":"2023-02-30"}}])",
	    R"([{"model":"sentry.useremail","pk":1,"fields":{"user":1,"email":"e"}},)" + user + "]",
	    "[" + user + "," + user + "]",
	    "[" + org + R"(,{"model":"sentry.team","pk":1,"fields":{"organization":1,"slug":"t","name":"t","actor":5}}])",
	    "[" + org + R"(,{"model":"sentry.team","pk":1,"fields":{"organization":"1","slug":"t","name":"t"}}])",
	    "[" + org + R"(,{"model":"sentry.team","pk":1,"fields":{"organization":7,"slug":"t","name":"t"}}])",
	    "[" + user +
	        R"(,{"model":"sentry.apitoken","pk":1,"fields":{"user":1,"application":null,"scopes":"0","token":"t","scope_list":"['a', None,]"}}])",
	    "[" + user + R"(,{"model":"sentry.userrole","pk":1,"fields":{"name":"r","permissions":"['\\x41', \"b'c\"]"}}])",
	    "[" + user + R"(,{"model":"sentry.userip","pk":1,"fields":{"user":1,"ip_address":"::1/129"}}])",
	    R"([{"model":"sentry.actor","pk":1,"fields":{}},{"model":"sentry.actor","pk":2,"fields":{}}])",
	    nested(1000),
	    nested(100000),
	};
	// Many small batches and a model switch on every entry.
	std::string many = "[";
	for (int i = 1; i <= 50; ++i)
		many += (i > 1 ? "," : "") + std::string(R"({"model":"sentry.user","pk":)") + std::to_string(i) +
		        R"(,"fields":{"username":"u)" + std::to_string(i) + R"("}},{"model":"sentry.email","pk":)" +
		        std::to_string(i) + R"(,"fields":{"email":"e"}})";
	v.push_back(many + "]");
	return v;
}

bool read_file(const std::filesystem::path &p, std::string &out) {
	std::ifstream in(p, std::ios::binary);
	if (!in)
		return false;
	out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
	return true;
}

} // namespace

int main(int argc, char **argv) {
	bool builtin = true;
	std::size_t files = 0;
	for (int i = 1; i < argc; ++i) {
		std::string arg = argv[i];
		if (arg == "--no-builtin") {
			builtin = false;
			continue;
		}
		std::filesystem::path path(arg);
		std::vector<std::filesystem::path> paths;
		if (std::filesystem::is_directory(path)) {
			for (const auto &e : std::filesystem::recursive_directory_iterator(path))
				if (e.is_regular_file())
					paths.push_back(e.path());
			std::sort(paths.begin(), paths.end());
		} else {
			paths.push_back(path);
		}
		for (const auto &p : paths) {
			std::string data;
			if (!read_file(p, data)) {
				std::fprintf(stderr, "cannot read %s\n", p.c_str());
				return 2;
			}
			std::fprintf(stderr, "replay %s (%zu bytes)\n", p.c_str(), data.size());
			run(data);
			++files;
		}
	}
	std::size_t n = 0;
	if (builtin) {
		for (const std::string &input : builtin_inputs()) {
			run(input);
			++n;
		}
	}
	std::printf("replayed %zu files and %zu built-in inputs without a finding\n", files, n);
	return 0;
}
