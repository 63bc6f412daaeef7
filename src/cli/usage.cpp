#include "cli/options.hpp"

namespace relocate::cli {

std::string usage_text() {
	return R"(relocate-import imports a Sentry export file into a Sentry database with the relocate extension.

Usage:
  relocate-import [OPTION]... --file FILE          (or: relocate-import [OPTION]... FILE)
  relocate-import [OPTION]... --server-file PATH
  relocate-import --list [--key-file KEY] FILE

The export (plain JSON, gzip/bzip2/xz/zstd-compressed, or encrypted with `sentry export --encrypt-with`)
is imported in one transaction: nothing stays if anything fails.

The export:
  --file=FILE              a file on this machine, streamed to the server as a large object in the
                           import's transaction and removed afterwards (no server file access needed)
  --server-file=PATH       a file the server reads itself (needs pg_read_server_files)
  -k, --key-file=KEY       the private key (PEM) of an encrypted export, read here and sent as a
                           bound parameter (never in the query text)
  --server-key-file=PATH   the private key as a file the server reads

What to import (relocate_import's arguments):
  --scope=SCOPE            user, organization (default), config or global; any case
  --org=SLUG               import only this organization (organization scope; repeatable)
  --user=USERNAME          import only this user (user and config scopes; repeatable)
  --merge-users            a user whose username exists already is that user
  --overwrite-configs      write options, relays and user roles onto existing ones
  --hide-organizations     imported organizations wait for approval (status 3)
  --import-uuid=UUID       the import's identity (its import chunks); a committed import with the
                           same UUID is not written again
  --reset                  empty every Sentry table first (global scope); asks to confirm
  -y, --yes                do not ask to confirm --reset
  --set=NAME=VALUE         a setting for the import's session, e.g.
                           --set relocate.ignore_unknown_fields=on (repeatable)

What to do:
  -n, --dry-run            do the whole import, then roll it back: nothing is changed
  --verify                 after the import, compare the database with the export
                           (relocate_verify); differences are findings and exit 1
  -l, --list               list the export's models, organizations and users; no server needed
  --findings-file=FILE     write the findings (errors, differences) as a JSON array; [] when none
  --report-file=FILE       write the import's report (relocate_report) as a JSON array
  -q, --quiet              print errors and warnings only
  -v, --verbose            print the server's notices and each step too

Connection options (as psql's; the PG* environment variables apply):
  -d, --dbname=DBNAME      database name, or a conninfo string or URI
  -h, --host=HOSTNAME      database server host or socket directory
  -p, --port=PORT          database server port
  -U, --username=USERNAME  database user name
  -w, --no-password        never prompt for a password
  -W, --password           prompt for a password before connecting

Other:
  -V, --version            print the version and exit
  -?, --help               show this help and exit

Exit status: 0 imported (or listed; or a dry run that passed), 1 the import failed or was cancelled,
or --verify found differences, 2 a usage error, an unreadable file or key, or no connection.

See relocate-import(1) for more.
)";
}

} // namespace relocate::cli
