// relocate-import's two modes, each returning the process's exit code (options.hpp: kExit*).
#pragma once

#include <csignal>
#include <string>

#include "cli/options.hpp"

namespace relocate::cli {

// Set by SIGINT, SIGTERM and SIGHUP: the running statement is cancelled and the transaction rolled
// back. A second signal ends the process at once (the server rolls back when the connection drops).
extern volatile std::sig_atomic_t g_interrupted;
void install_signal_handlers();

// --list: the export's contents, read on this machine.
int run_list(const Options &o);
// The import (or dry run), with its verification.
int run_import(const Options &o);

// Reads a private key file on this machine (a PEM text of at most 64 KiB); false with `error` set.
bool read_key_file(const std::string &path, std::string &pem, std::string &error);

// "relocate-import: error: MESSAGE" on stderr (and a hint line when given).
void print_error(const std::string &message, const std::string &hint = {});

} // namespace relocate::cli
