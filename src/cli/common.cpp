// What both modes share: the signal handlers, error lines, the key file.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

#include "cli/run.hpp"

namespace relocate::cli {

volatile std::sig_atomic_t g_interrupted = 0;

namespace {

extern "C" void on_signal(int) {
	if (g_interrupted != 0) {
		static const char msg[] = "\nrelocate-import: interrupted again: exiting now\n";
		if (::write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
		}
		_exit(kExitFailed);
	}
	g_interrupted = 1;
}

} // namespace

void install_signal_handlers() {
	struct sigaction sa {};
	sa.sa_handler = &on_signal;
	sigemptyset(&sa.sa_mask);
	for (int sig : {SIGINT, SIGTERM, SIGHUP})
		sigaction(sig, &sa, nullptr);
}

void print_error(const std::string &message, const std::string &hint) {
	std::fprintf(stderr, "relocate-import: error: %s\n", message.c_str());
	if (!hint.empty())
		std::fprintf(stderr, "relocate-import: hint: %s\n", hint.c_str());
}

bool read_key_file(const std::string &path, std::string &pem, std::string &error) {
	constexpr std::size_t kMaxKey = 64 * 1024;
	std::FILE *f = std::fopen(path.c_str(), "rb");
	if (f == nullptr) {
		error = "could not open the key file \"" + path + "\": " + std::strerror(errno);
		return false;
	}
	char buf[4096];
	std::size_t got = 0;
	pem.clear();
	while ((got = std::fread(buf, 1, sizeof buf, f)) > 0 && pem.size() <= kMaxKey)
		pem.append(buf, got);
	const bool failed = std::ferror(f) != 0;
	std::fclose(f);
	if (failed)
		error = "could not read the key file \"" + path + "\"";
	else if (pem.size() > kMaxKey)
		error = "the key file \"" + path + "\" is larger than 64 KiB: not a private key";
	else if (pem.find("-----BEGIN ") == std::string::npos)
		error = "the key file \"" + path + "\" is not a PEM file (no \"-----BEGIN\" line)";
	return error.empty();
}

} // namespace relocate::cli
