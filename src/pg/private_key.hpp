// The private key of an encrypted export, from the private_key argument: PEM text, or the absolute
// path of a PEM file the server reads (which needs what pg_read_file needs: superuser or
// pg_read_server_files). Secrets are wiped when they go out of scope.
#pragma once

#include <string>

namespace relocate::pg {

// Overwrites a secret (a key, a decrypted export) when it goes out of scope, also while an
// exception unwinds. Calls no PostgreSQL function.
class SecretWipe {
public:
	explicit SecretWipe(std::string &secret) : secret_(secret) {}
	~SecretWipe();
	SecretWipe(const SecretWipe &) = delete;
	SecretWipe &operator=(const SecretWipe &) = delete;

private:
	std::string &secret_;
};

// The PEM text of the key `argument` gives. Throws ImportError: 22023 for an argument that is
// neither PEM nor an absolute path, 42501 without the privilege to read server files; file errors
// keep PostgreSQL's SQLSTATE.
std::string private_key_pem(const char *argument);

} // namespace relocate::pg
