// relocate-import: the operator's command line for relocate (see relocate-import(1), or --help).
#include <cstdio>

#include "cli/options.hpp"
#include "cli/run.hpp"

#ifndef RELOCATE_VERSION
#error "RELOCATE_VERSION must be defined by the build (the Makefile's EXTVERSION)"
#endif

int main(int argc, char **argv) {
	using namespace relocate::cli;
	const ParsedOptions parsed = parse_options(argc, argv);
	const Options &o = parsed.options;
	if (o.help) {
		std::fputs(usage_text().c_str(), stdout);
		return kExitOk;
	}
	if (o.version) {
		std::printf("relocate-import (relocate) %s\n", RELOCATE_VERSION);
		return kExitOk;
	}
	if (!parsed.error.empty()) {
		print_error(parsed.error, "Try \"relocate-import --help\" for more information.");
		return kExitUsage;
	}
	install_signal_handlers();
	return o.list ? run_list(o) : run_import(o);
}
