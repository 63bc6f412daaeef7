// relocate-import --list.
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "cli/export_list.hpp"
#include "cli/run.hpp"
#include "core/error.hpp"

namespace relocate::cli {

int run_list(const Options &o) {
	std::string pem, error;
	if (!o.key_file.empty() && !read_key_file(o.key_file, pem, error)) {
		print_error(error);
		return kExitUsage;
	}
	std::unique_ptr<FileSource> file;
	try {
		file = std::make_unique<FileSource>(o.file);
	} catch (const std::runtime_error &e) {
		print_error(e.what());
		return kExitUsage;
	}
	const CheckInterrupts check = [] {
		if (g_interrupted != 0)
			throw std::runtime_error("interrupted");
	};
	try {
		const ExportListing listing = list_export(*file, o.key_file.empty() ? nullptr : &pem, check);
		std::fputs(render_listing(listing, o.file, o.verbosity == Verbosity::kVerbose).c_str(), stdout);
		return kExitOk;
	} catch (const ImportError &e) {
		const bool needs_key = std::string(e.code()) == "22004";
		print_error("could not read the export \"" + o.file + "\": " + e.what() +
		                (e.detail().empty() ? "" : "\nDETAIL:  " + e.detail()),
		            needs_key ? "An encrypted export is listed with its private key: --key-file KEY." : e.hint());
	} catch (const std::exception &e) {
		print_error("could not read the export \"" + o.file + "\": " + e.what());
	}
	return kExitFailed;
}

} // namespace relocate::cli
