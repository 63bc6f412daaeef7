# shellcheck shell=bash
# The cases of test/cli/run (sourced by it; see its vocabulary). CASES lists them in order.
# shellcheck disable=SC2034 # CASES is read by test/cli/run

CASES=(
    help_and_version man_page usage_errors unreadable_inputs
    list_plain list_and_import_compressed list_encrypted list_needs_no_server
    import_file import_file_encrypted import_server_file import_server_file_encrypted
    org_filter user_filter dry_run failing_import failing_import_names_the_entry
    connection_error extension_missing verify_needs_relocate_verify verify
    reset_refused_without_terminal reset_with_yes reset_confirmed_on_terminal
    key_never_in_query_text progress_line_on_terminal plain_progress_lines ctrl_c_cancels
    verbose_and_quiet import_uuid_and_settings
    server_020_dry_run_and_report server_020_report_of_another_shape server_020_progress server_020_verify
    server_dry_run_and_report search_path_canaries
)

t_help_and_version() {
    ri 0 --help
    out_has '^Usage:'
    out_has -- '--findings-file'
    ri 0 --version
    out_has '^relocate-import \(relocate\) [0-9]+\.[0-9]+\.[0-9]+$'
}

t_man_page() {
    local man
    man=$("$PG_CONFIG" --mandir)/man1/relocate-import.1
    [[ -f $man ]] || reason "make install did not install $man"
    grep -q '^\.TH RELOCATE-IMPORT 1' "$man" || reason "$man has no .TH RELOCATE-IMPORT 1"
    if command -v groff >/dev/null; then
        run 0 groff -man -Tutf8 -ww -z "$man"
        [[ ! -s $T/err ]] || reason "groff warns: $(head -c 300 "$T/err")"
    fi
}

t_usage_errors() {
    local f=$FIX/sentry/fresh-install.json
    ri 2 --no-such-option "$f"
    err_has 'unrecognized option "--no-such-option"'
    err_has 'Try "relocate-import --help"'
    ri 2
    err_has 'no export given'
    ri 2 --file "$f" --server-file /srv/x.json
    err_has 'not both'
    ri 2 --scope everything "$f"
    err_has 'user, organization, config or global'
    ri 2 --scope global --org acme "$f"
    err_has -- '--org filters an organization-scope import'
    ri 2 --user someone "$f"
    err_has -- '--user filters a user- or config-scope import'
    ri 2 --reset "$f"
    err_has -- '--reset .* needs --scope global'
    ri 2 --verify --dry-run "$f"
    err_has -- '--verify .* cannot be combined with --dry-run'
    ri 2 -q -v "$f"
    ri 2 --import-uuid not-a-uuid "$f"
    err_has 'takes a UUID'
    ri 2 --server-file relative/path.json
    err_has 'absolute path'
    ri 2 "$f" "$f"
    err_has 'too many command-line arguments'
    ri 2 --scope
    err_has 'needs a value'
    ri 2 --set novalue "$f"
    err_has 'NAME=VALUE'
}

t_unreadable_inputs() {
    ri 2 --file "$T/does-not-exist.json"
    err_has 'could not read the export'
    ri 2 --key-file "$T/no-key.pem" "$FIX/encrypted/fresh-install.tar"
    err_has 'could not open the key file'
    ri 2 --key-file "$FIX/sentry/fresh-install.json" "$FIX/encrypted/fresh-install.tar"
    err_has 'not a PEM file'
    ri 2 --file "$FIX/sentry"
    err_has 'not a regular file'
    ri 2 --findings-file "$T/no/such/dir/f.json" "$FIX/sentry/fresh-install.json"
    err_has 'cannot write'
}

# The listing's model counts against Python's count of the same file.
check_listing_counts() { # check_listing_counts JSON_FILE
    local model
    for model in sentry.user sentry.organization sentry.option sentry.organizationmember; do
        grep -qE "^ $model +\| +$(model_count "$1" "$model") \|" "$T/out" ||
            reason "--list: $model is not listed with $(model_count "$1" "$model") entries"
    done
}

t_list_plain() {
    local f=$FIX/sentry/fresh-install.json
    ri 0 --list "$f"
    out_has '\(plain JSON'
    out_has '^Entries: 34 in 19 models$'
    check_listing_counts "$f"
    out_has '^Organizations: 1$'
    out_has '^ +1 \| testing +\| Testing$'
    out_has '^Users: 3$'
    ri 0 --list -v "$FIX/relocate/three-orgs.json"
    out_has '^Organizations: 3$'
    out_has 'org-b'
    out_has '^ user_all$'
}

t_list_and_import_compressed() {
    gzip -9nc "$FIX/sentry/fresh-install.json" >"$T/export.json.gz"
    ri 0 --list "$T/export.json.gz"
    out_has '\(compressed JSON'
    check_listing_counts "$FIX/sentry/fresh-install.json"
    local db
    db=$(fresh_db)
    ri 0 -d "$db" --file "$T/export.json.gz" --scope global
    sql_is "$db" "SELECT count(*) FROM auth_user" 3
}

t_list_encrypted() {
    ri 0 --list --key-file "$KEY" "$FIX/encrypted/fresh-install.tar"
    out_has '\(encrypted'
    check_listing_counts "$FIX/sentry/fresh-install.json"
    out_has '^Users: 3$'
    ri 0 -l -k "$KEY" "$FIX/encrypted/org-and-project.tar.gz"
    out_has '^ +1 \| test-org'
    ri 1 --list "$FIX/encrypted/fresh-install.tar"
    err_has 'encrypted'
    err_has -- '--key-file'
    ri 1 --list --key-file "$FIX/encrypted/other-key.pem" "$FIX/encrypted/fresh-install.tar"
    err_has 'does not match'
    printf '[{"model": "sentry.user", "pk": 1, "fields": {}}' >"$T/truncated.json"
    ri 1 --list "$T/truncated.json"
    err_has 'the export ends inside the array at line 1, byte offset 48 \(after entry 1\): truncated\?'
}

t_list_needs_no_server() {
    run 0 env PGHOST=/nonexistent PGPORT=1 "$CLI" --list -k "$KEY" "$FIX/encrypted/fresh-install.tar"
    out_has '^Users: 3$'
}

t_import_file() {
    local db
    db=$(fresh_db)
    ri 0 -d "$db" --file "$FIX/sentry/fresh-install.json" --scope GLOBAL --findings-file "$T/findings.json"
    out_has '^ sentry\.organization +\| +1 \|'
    out_has '^ \(total\)'
    out_has 'committed\.$'
    out_has '^import_uuid: [0-9a-f-]{32,36}$'
    sql_is "$db" "SELECT string_agg(slug, ',') FROM sentry_organization" testing
    sql_is "$db" "SELECT count(*) FROM auth_user" 3
    no_large_objects "$db"
    json_check "$T/findings.json" 'j == []'
}

t_import_file_encrypted() {
    local db
    db=$(fresh_db)
    ri 0 -d "$db" --file "$FIX/encrypted/fresh-install.tar" --key-file "$KEY" --scope global
    out_has 'committed\.$'
    sql_is "$db" "SELECT count(*) FROM auth_user" 3
    no_large_objects "$db"
    db=$(fresh_db)
    ri 0 -d "$db" --file "$FIX/encrypted/org-and-project.tar.gz" -k "$KEY" --scope organization
    sql_is "$db" "SELECT string_agg(slug, ',') FROM sentry_organization" test-org
}

t_import_server_file() {
    local db
    db=$(fresh_db)
    cp "$FIX/sentry/fresh-install.json" "$T/server-export.json" && chmod 644 "$T/server-export.json"
    ri 0 -d "$db" --server-file "$T/server-export.json" --scope global
    out_has 'committed\.$'
    sql_is "$db" "SELECT count(*) FROM auth_user" 3
    no_large_objects "$db"
}

t_import_server_file_encrypted() {
    local db
    db=$(fresh_db)
    cp "$FIX/encrypted/fresh-install.tar" "$T/server-export.tar" && cp "$KEY" "$T/server-key.pem" &&
        chmod 644 "$T/server-export.tar" "$T/server-key.pem"
    ri 0 -d "$db" --server-file "$T/server-export.tar" --server-key-file "$T/server-key.pem" --scope global
    sql_is "$db" "SELECT count(*) FROM auth_user" 3
    db=$(fresh_db)
    ri 0 -d "$db" --server-file "$T/server-export.tar" --key-file "$KEY" --scope global
    sql_is "$db" "SELECT count(*) FROM auth_user" 3
}

t_org_filter() {
    local db
    db=$(fresh_db)
    ri 0 -d "$db" --file "$FIX/relocate/three-orgs.json" --org org-b --org org-c --set relocate.password_hash_iterations=1
    sql_is "$db" "SELECT string_agg(slug, ',' ORDER BY slug) FROM sentry_organization" org-b,org-c
}

t_user_filter() {
    local db
    db=$(fresh_db)
    ri 0 -d "$db" --file "$FIX/relocate/four-users.json" --scope user --user user_2 --user user_4
    sql_is "$db" "SELECT string_agg(username, ',' ORDER BY username) FROM auth_user" user_2,user_4
}

# A database whose relocate is the one before dry_run and relocate_verify: the template's, with
# relocate_import_large_object and relocate_import_file declared without dry_run (the same C
# functions, which read the arguments they are given) and without relocate_verify_* and
# relocate_progress: what the CLI does against an older server.
older_relocate_db() {
    local db
    db=$(fresh_db) || return 1
    "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL' || return 1
DO $$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY['relocate_import_large_object(oid, text, text[], text[], boolean, boolean, boolean, uuid, text, boolean, boolean)',
                             'relocate_import_file(text, text, text[], text[], boolean, boolean, boolean, uuid, text, boolean, boolean)',
                             'relocate_verify_large_object(oid, uuid, text)', 'relocate_verify_file(text, uuid, text)'] LOOP
        EXECUTE 'ALTER EXTENSION relocate DROP FUNCTION public.' || f;
        EXECUTE 'DROP FUNCTION public.' || f;
    END LOOP;
    ALTER EXTENSION relocate DROP VIEW public.relocate_progress;
    DROP VIEW public.relocate_progress;
END $$;
CREATE FUNCTION public.relocate_import_large_object(export oid, scope text DEFAULT 'organization',
    org_filter text[] DEFAULT NULL, user_filter text[] DEFAULT NULL, merge_users boolean DEFAULT false,
    overwrite_configs boolean DEFAULT false, hide_organizations boolean DEFAULT false, import_uuid uuid DEFAULT NULL,
    private_key text DEFAULT NULL, reset boolean DEFAULT false)
RETURNS TABLE (model text, inserted bigint, existing bigint, overwritten bigint, skipped bigint, reused bigint,
               skipped_reasons jsonb)
AS '$libdir/relocate', 'relocate_import_large_object' LANGUAGE C;
CREATE FUNCTION public.relocate_import_file(path text, scope text DEFAULT 'organization',
    org_filter text[] DEFAULT NULL, user_filter text[] DEFAULT NULL, merge_users boolean DEFAULT false,
    overwrite_configs boolean DEFAULT false, hide_organizations boolean DEFAULT false, import_uuid uuid DEFAULT NULL,
    private_key text DEFAULT NULL, reset boolean DEFAULT false)
RETURNS TABLE (model text, inserted bigint, existing bigint, overwritten bigint, skipped bigint, reused bigint,
               skipped_reasons jsonb)
AS '$libdir/relocate', 'relocate_import_file' LANGUAGE C;
SQL
    echo "$db"
}

t_dry_run() {
    local db
    db=$(older_relocate_db) || { reason "could not make the older relocate"; return; }
    ri 0 -d "$db" --file "$FIX/sentry/fresh-install.json" --scope global --dry-run
    out_has '^ sentry\.user +\| +3 \|'
    out_has '^Dry run of .*rolled back, nothing was changed\.$'
    err_has 'has no dry_run argument: the import runs and relocate-import rolls it back'
    sql_is "$db" "SELECT count(*) FROM auth_user" 0
    sql_is "$db" "SELECT count(*) FROM sentry_organization" 0
    no_large_objects "$db"
    cp "$FIX/sentry/fresh-install.json" "$T/server-export.json" && chmod 644 "$T/server-export.json"
    ri 0 -d "$db" --server-file "$T/server-export.json" --scope global -n
    sql_is "$db" "SELECT count(*) FROM auth_user" 0
}

t_failing_import() {
    local db
    db=$(fresh_db)
    head -c 3000 "$FIX/sentry/fresh-install.json" >"$T/bad.json"
    ri 1 -d "$db" --file "$T/bad.json" --scope global --findings-file "$T/findings.json"
    # Cut inside entry 11: the error says so, names the entry, and where the file ends.
    err_has 'error: the import failed: relocate: the export ends inside export entry 11 \(sentry.user pk 3\) at line 133, byte offset 3000: truncated\?'
    err_has 'nothing was imported'
    no_large_objects "$db"
    sql_is "$db" "SELECT count(*) FROM auth_user" 0
    json_check "$T/findings.json" 'len(j) == 1 and j[0]["kind"] == "import_error" and j[0]["sqlstate"] == "22P02"'
    json_check "$T/findings.json" '"truncated?" in j[0]["message"] and j[0]["model"] == "sentry.user" and j[0]["pk"] == 3'
}

t_failing_import_names_the_entry() {
    local db
    db=$(fresh_db)
    # A user whose username does not fit its column (varchar(128)): an error naming the entry.
    python3 -c 'import json, sys
e = json.load(open(sys.argv[1]))
for x in e:
    if x["model"] == "sentry.user" and x["pk"] == 2:
        x["fields"]["username"] = "u" * 200
json.dump(e, open(sys.argv[2], "w"))' "$FIX/sentry/fresh-install.json" "$T/long-username.json"
    ri 1 -d "$db" --file "$T/long-username.json" --scope global --findings-file "$T/findings.json"
    no_large_objects "$db"
    json_check "$T/findings.json" 'j[0]["model"] == "sentry.user" and j[0]["pk"] == 2 and j[0]["field"] == "username"'
    json_check "$T/findings.json" 'j[0]["sqlstate"] == "22001"'
}

t_connection_error() {
    ri 2 -h "$T/no-server" -p 1 --file "$FIX/sentry/fresh-install.json" --findings-file "$T/findings.json"
    err_has 'could not connect to the database'
    json_check "$T/findings.json" 'len(j) == 1 and j[0]["kind"] == "connection_error"'
    ri 2 -w -d "dbname=postgres user=no_such_role" --file "$FIX/sentry/fresh-install.json"
    err_has 'no_such_role'
}

t_extension_missing() {
    q postgres "CREATE DATABASE cli_no_extension" >/dev/null
    ri 2 -d "postgresql:///cli_no_extension?host=$PGHOST&port=$PGPORT" --file "$FIX/sentry/fresh-install.json"
    err_has 'relocate is not installed in database "cli_no_extension"'
}

t_verify_needs_relocate_verify() {
    local db
    db=$(older_relocate_db) || { reason "could not make the older relocate"; return; }
    ri 2 -d "$db" --file "$FIX/sentry/fresh-install.json" --scope global --verify
    err_has "needs relocate 0\.2\.0's relocate_verify"
    sql_is "$db" "SELECT count(*) FROM auth_user" 0
}

# relocate 0.2.0's own relocate_verify_large_object and relocate_verify_file: an import of each
# source, verified in its transaction, matches its export.
t_verify() {
    local db
    db=$(fresh_db)
    ri 0 -d "$db" --file "$FIX/sentry/fresh-install.json" --scope global --verify -v --findings-file "$T/findings.json"
    err_has 'verified: the database matches the export'
    out_has 'committed\.$'
    json_check "$T/findings.json" 'j == []'
    no_large_objects "$db"
    db=$(fresh_db)
    cp "$FIX/encrypted/org-and-project.tar.gz" "$T/server-export.tar.gz" && chmod 644 "$T/server-export.tar.gz"
    ri 0 -d "$db" --server-file "$T/server-export.tar.gz" -k "$KEY" --scope organization --verify -v \
        --findings-file "$T/findings.json"
    err_has 'verified: the database matches the export'
    json_check "$T/findings.json" 'j == []'
    sql_is "$db" "SELECT string_agg(slug, ',') FROM sentry_organization" test-org
}

t_reset_refused_without_terminal() {
    local db
    db=$(fresh_db)
    ri 0 -d "$db" --file "$FIX/sentry/fresh-install.json" --scope global
    ri 2 -d "$db" --file "$FIX/sentry/fresh-install.json" --scope global --reset
    err_has 'no terminal to confirm it on'
    err_has -- '--yes'
    sql_is "$db" "SELECT count(*) FROM auth_user" 3
    RESET_DB=$db
}

t_reset_with_yes() {
    local db=${RESET_DB:-$(fresh_db)}
    q "$db" "INSERT INTO sentry_option (key, value, last_updated, last_updated_by) VALUES ('cli.marker', '1', now(), 'unknown')" \
        >/dev/null
    ri 0 -d "$db" --file "$FIX/sentry/fresh-install.json" --scope global --reset --yes
    sql_is "$db" "SELECT count(*) FROM auth_user" 3
    sql_is "$db" "SELECT count(*) FROM sentry_option WHERE key = 'cli.marker'" 0
}

t_reset_confirmed_on_terminal() {
    command -v script >/dev/null || { reason "script(1) is missing (util-linux)"; return; }
    local db
    db=$(fresh_db)
    q "$db" "INSERT INTO sentry_option (key, value, last_updated, last_updated_by) VALUES ('cli.marker', '1', now(), 'unknown')" \
        >/dev/null
    # script(1) runs the CLI on a pseudo-terminal and types its standard input there.
    LAST_CMD="script: relocate-import --reset, answered 'wrong'"
    printf 'wrong\n' | script -qec "$CLI -d $db --file $FIX/sentry/fresh-install.json --scope global --reset" /dev/null \
        >"$T/out" 2>&1
    LAST_RC=$?
    ((LAST_RC == 2)) || reason "a wrong answer: exit $LAST_RC, expected 2"
    out_has "Type the database's name to go on"
    out_has 'not confirmed: nothing was done'
    sql_is "$db" "SELECT count(*) FROM sentry_option WHERE key = 'cli.marker'" 1
    LAST_CMD="script: relocate-import --reset, answered '$db'"
    printf '%s\n' "$db" | script -qec "$CLI -d $db --file $FIX/sentry/fresh-install.json --scope global --reset" /dev/null \
        >"$T/out" 2>&1
    LAST_RC=$?
    ((LAST_RC == 0)) || reason "the right answer: exit $LAST_RC, expected 0"
    sql_is "$db" "SELECT count(*) FROM sentry_option WHERE key = 'cli.marker'" 0
    sql_is "$db" "SELECT count(*) FROM auth_user" 3
}

t_key_never_in_query_text() {
    local db pid key_line query
    db=$(fresh_db)
    key_line=$(sed -n 2p "$KEY") # a line of the key's base64 body
    hold_lock "$db" auth_user
    "$CLI" -d "$db" --file "$FIX/encrypted/fresh-install.tar" --key-file "$KEY" --scope global \
        </dev/null >"$T/out" 2>"$T/err" &
    local cli=$!
    if pid=$(wait_for_blocked_import "$db"); then
        query=$(q "$db" "SELECT query FROM pg_stat_activity WHERE pid = $pid")
        [[ $query == *relocate_import_large_object* ]] || reason "pg_stat_activity.query is not the import: $query"
        [[ $query != *"$key_line"* && $query != *PRIVATE* ]] || reason "the key is in pg_stat_activity.query"
        [[ $query == *'private_key => $9'* ]] || reason "the key is not a bound parameter: $query"
    else
        reason "the import never waited for the lock"
    fi
    release_lock "$db"
    wait "$cli"
    LAST_RC=$? LAST_CMD="relocate-import --key-file (behind a lock)"
    ((LAST_RC == 0)) || reason "the import exited $LAST_RC"
    sql_is "$db" "SELECT count(*) FROM auth_user" 3
    grep -q 'relocate_import_large_object' "$SERVER_LOG" || reason "the server log has no logged import (log_statement)"
    ! grep -qF -- "$key_line" "$SERVER_LOG" || reason "the key is in the server log"
    ! grep -qF -- "PRIVATE KEY" "$SERVER_LOG" || reason "a PEM header is in the server log"
}

t_progress_line_on_terminal() {
    command -v script >/dev/null || { reason "script(1) is missing (util-linux)"; return; }
    local db
    db=$(fresh_db)
    hold_lock "$db" auth_user
    script -qec "stty cols 200; $CLI -d $db --file $FIX/sentry/fresh-install.json --scope global" /dev/null \
        </dev/null >"$T/out" 2>&1 &
    local cli=$!
    sleep 2.5
    release_lock "$db"
    wait "$cli"
    LAST_RC=$? LAST_CMD="script: relocate-import (behind a lock for 2.5 s)"
    ((LAST_RC == 0)) || reason "exit $LAST_RC"
    grep -qE $'\r\e\\[K[|/\\\\-] 0:0[0-9] importing' "$T/out" || reason "no live progress line (\\r, spinner, elapsed, phase)"
    # relocate_progress names the phase where the import waits (its setup), the counts and the bytes.
    out_has 'importing: setup: 0 entries read, 0 rows written, 0% of 9\.7 KiB, 0 rows/s; waiting for a lock \(relation\)'
    out_has 'committed\.'
}

t_plain_progress_lines() {
    local db
    db=$(fresh_db)
    hold_lock "$db" auth_user
    "$CLI" -d "$db" --file "$FIX/sentry/fresh-install.json" --scope global </dev/null >"$T/out" 2>"$T/err" &
    local cli=$!
    sleep 6
    release_lock "$db"
    wait "$cli"
    LAST_RC=$? LAST_CMD="relocate-import, not on a terminal (behind a lock for 6 s)"
    ((LAST_RC == 0)) || reason "exit $LAST_RC"
    # relocate_progress says where the import waits: in its setup, reading the existing usernames.
    err_has '^relocate-import: 0:0[5-9] importing: setup: 0 entries read, 0 rows written, 0% of 9\.7 KiB, 0 rows/s; waiting for a lock \(relation\)$'
    ! grep -q $'\r' "$T/err" || reason "a carriage return on a non-terminal"
    "$CLI" -q -d "$(fresh_db)" --file "$FIX/sentry/fresh-install.json" --scope global </dev/null >"$T/out" 2>"$T/err"
    [[ ! -s $T/out && ! -s $T/err ]] || reason "--quiet printed something"
}

t_ctrl_c_cancels() {
    local db
    db=$(fresh_db)
    hold_lock "$db" auth_user
    "$CLI" -d "$db" --file "$FIX/sentry/fresh-install.json" --scope global --findings-file "$T/findings.json" \
        </dev/null >"$T/out" 2>"$T/err" &
    local cli=$!
    wait_for_blocked_import "$db" >/dev/null || reason "the import never waited for the lock"
    kill -INT "$cli"
    wait "$cli"
    LAST_RC=$? LAST_CMD="relocate-import, then SIGINT"
    ((LAST_RC == 1)) || reason "exit $LAST_RC after SIGINT, expected 1"
    release_lock "$db"
    err_has 'the import was cancelled'
    no_large_objects "$db"
    sql_is "$db" "SELECT count(*) FROM auth_user" 0
    json_check "$T/findings.json" 'j[0]["kind"] == "cancelled" and j[0]["sqlstate"] == "57014"'
}

t_verbose_and_quiet() {
    ri 0 -d "$(fresh_db)" --file "$FIX/sentry/fresh-install.json" --scope global -v
    err_has '^NOTICE:  relocate: import_uuid'
    err_has '^relocate-import: connected to database'
    err_has '^relocate-import: uploading .* into large object [0-9]+$'
    err_has '^relocate-import: committed$'
    ri 0 -d "$(fresh_db)" --file "$FIX/sentry/fresh-install.json" --scope global
    err_lacks '^NOTICE:'
    err_has 'notices? from the server not shown \(-v shows them\)'
    ri 0 -d "$(fresh_db)" --file "$FIX/sentry/fresh-install.json" --scope global --quiet
    [[ ! -s $T/out ]] || reason "--quiet printed the summary"
    err_lacks 'NOTICE|notices'
}

t_import_uuid_and_settings() {
    local db uuid=4b6f0f34-2f48-4f2c-9a8e-2b7c1d9a6e10
    db=$(fresh_db)
    ri 0 -d "$db" --file "$FIX/sentry/fresh-install.json" --scope global --import-uuid "$uuid" \
        --set relocate.timing=on -v
    out_has "^import_uuid: $uuid\$"
    err_has 'relocate: timing'
    sql_is "$db" "SELECT count(DISTINCT import_uuid) FROM sentry_regionimportchunk WHERE import_uuid = '$uuid'" 1
    ri 0 -d "$db" --file "$FIX/sentry/fresh-install.json" --scope global --import-uuid "$uuid"
    sql_is "$db" "SELECT count(*) FROM auth_user" 3
    ri 2 -d "$db" --file "$FIX/sentry/fresh-install.json" --set work_mem=lots
    err_has 'could not set work_mem'
}

# A database whose relocate looks like 0.2.0's to the CLI: stand-ins, in the extension's schema, of
# the import function with dry_run (it also fills relocate_report and returns the new columns), of
# relocate_progress and of relocate_verify_large_object, with the signatures of the SQL contract.
server_020_db() {
    local db
    db=$(older_relocate_db) || return 1
    "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL' || return 1
CREATE FUNCTION public.relocate_import_large_object(export oid, scope text, org_filter text[], user_filter text[],
    merge_users boolean, overwrite_configs boolean, hide_organizations boolean, import_uuid uuid, private_key text,
    reset boolean, dry_run boolean)
RETURNS TABLE (model text, inserted bigint, existing bigint, overwritten bigint, skipped bigint, reused bigint,
               skipped_reasons jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    RAISE NOTICE 'stand-in relocate 0.2.0: dry_run => %', dry_run;
    -- The import first: it empties relocate_report when it starts.
    RETURN QUERY SELECT r.model, r.inserted, r.existing, r.overwritten, r.skipped, 0::bigint,
                        CASE WHEN r.skipped > 0 THEN jsonb_build_object('scope', r.skipped) END
                   FROM public.relocate_import_large_object(export, scope, org_filter, user_filter, merge_users,
                        overwrite_configs, hide_organizations, import_uuid, private_key, reset) r;
    CREATE TEMP TABLE IF NOT EXISTS relocate_report (model text, old_pk bigint, new_pk bigint, action text, detail text);
    DELETE FROM relocate_report;
    INSERT INTO relocate_report VALUES ('sentry.user', 2, 7, 'renamed', 'username "admin" -> "admin-x7"'),
                                       ('sentry.option', 1, NULL, 'skipped', 'scope');
END $$;
CREATE VIEW public.relocate_progress AS
SELECT a.pid, 'writes'::text AS phase, 'sentry.user'::text AS model, 12345::bigint AS entries_read,
       11000::bigint AS rows_written, 50::bigint AS bytes_read, 200::bigint AS bytes_total,
       3210.4::numeric AS rows_per_second, now() - a.query_start AS elapsed
  FROM pg_stat_activity a WHERE a.query LIKE '%relocate_import_large_object%' AND a.pid <> pg_backend_pid();
CREATE FUNCTION public.relocate_verify_large_object(export oid, import_uuid uuid, private_key text DEFAULT NULL)
RETURNS TABLE (model text, old_pk bigint, new_pk bigint, field text, expected text, found text)
LANGUAGE sql AS $$
    SELECT 'sentry.organization', 1::bigint, o.id, 'name', 'Testing', o.name || ' (changed)'
      FROM sentry_organization o
     WHERE current_setting('standin.differences', true) = 'on'
$$;
SQL
    echo "$db"
}

t_server_020_dry_run_and_report() {
    local db
    db=$(server_020_db) || { reason "could not create the stand-ins"; return; }
    ri 0 -d "$db" --file "$FIX/sentry/fresh-install.json" --scope global --dry-run -v --report-file "$T/report.json"
    err_has 'NOTICE:  stand-in relocate 0.2.0: dry_run => t'
    err_lacks 'has no dry_run argument'
    out_has '\| reused \| skipped_reasons'
    out_has '^Report \(relocate_report\): 1 renamed, 1 skipped$'
    out_has '^ sentry\.user +\| +2 \| +7 \| renamed \| username "admin" -> "admin-x7"$'
    out_has 'rolled back, nothing was changed'
    sql_is "$db" "SELECT count(*) FROM auth_user" 0
    no_large_objects "$db"
    json_check "$T/report.json" 'len(j) == 2 and j[0]["model"] == "sentry.option" and j[1]["new_pk"] == 7'
}

# A relocate_report without the contract's columns: a warning, and the import is still committed
# (its queries run in a savepoint, so they cannot abort the import's transaction).
t_server_020_report_of_another_shape() {
    local db
    db=$(server_020_db) || { reason "could not create the stand-ins"; return; }
    q "$db" "CREATE OR REPLACE FUNCTION public.relocate_import_large_object(export oid, scope text,
                 org_filter text[], user_filter text[], merge_users boolean, overwrite_configs boolean,
                 hide_organizations boolean, import_uuid uuid, private_key text, reset boolean, dry_run boolean)
             RETURNS TABLE (model text, inserted bigint, existing bigint, overwritten bigint, skipped bigint,
                            reused bigint, skipped_reasons jsonb)
             LANGUAGE plpgsql AS \$\$
             BEGIN
                 RETURN QUERY SELECT r.model, r.inserted, r.existing, r.overwritten, r.skipped, 0::bigint,
                     NULL::jsonb FROM public.relocate_import_large_object(export,
                     scope, org_filter, user_filter, merge_users, overwrite_configs, hide_organizations,
                     import_uuid, private_key, reset) r;
                 DROP TABLE IF EXISTS pg_temp.relocate_report;
                 CREATE TEMP TABLE relocate_report (what text);
             END \$\$" >/dev/null || reason "could not replace the stand-in"
    ri 0 -d "$db" --file "$FIX/sentry/fresh-install.json" --scope global --report-file "$T/report.json"
    err_has 'warning: relocate_report could not be read'
    out_has 'committed\.$'
    sql_is "$db" "SELECT count(*) FROM auth_user" 3
    json_check "$T/report.json" 'j == []'
}

t_server_020_progress() {
    command -v script >/dev/null || { reason "script(1) is missing (util-linux)"; return; }
    local db
    db=$(server_020_db) || { reason "could not create the stand-ins"; return; }
    hold_lock "$db" auth_user
    script -qec "stty cols 200; $CLI -d $db --file $FIX/sentry/fresh-install.json --scope global" /dev/null \
        </dev/null >"$T/out" 2>&1 &
    local cli=$!
    sleep 2.5
    release_lock "$db"
    wait "$cli"
    LAST_RC=$? LAST_CMD="script: relocate-import with relocate_progress (behind a lock for 2.5 s)"
    ((LAST_RC == 0)) || reason "exit $LAST_RC"
    out_has 'importing: writes: sentry\.user, 12,345 entries read, 11,000 rows written, 25% of 200 B, 3,210 rows/s'
}

t_server_020_verify() {
    local db
    db=$(server_020_db) || { reason "could not create the stand-ins"; return; }
    ri 0 -d "$db" --file "$FIX/sentry/fresh-install.json" --scope global --verify --findings-file "$T/findings.json"
    json_check "$T/findings.json" 'j == []'
    out_has '^Verified: the database matches the export\.$'
    db=$(server_020_db)
    ri 1 -d "$db" --file "$FIX/sentry/fresh-install.json" --scope global --verify --findings-file "$T/findings.json" \
        --set standin.differences=on
    err_has 'verification found 1 differences'
    out_has '^Verified: 1 difference between the export and the database \(listed above\)\.$'
    out_has 'committed\.'
    sql_is "$db" "SELECT count(*) FROM auth_user" 3
    no_large_objects "$db"
    json_check "$T/findings.json" 'len(j) == 1 and j[0]["kind"] == "verify" and j[0]["model"] == "sentry.organization"'
    json_check "$T/findings.json" 'j[0]["pk"] == 1 and j[0]["field"] == "name" and j[0]["expected"] == "Testing"'
    json_check "$T/findings.json" 'j[0]["found"] == "Testing (changed)"'
}

# The server's dry run (dry_run => true) of an export whose users and organization the database
# already has: the summary's reused and skipped_reasons columns, the renames from relocate_report,
# the report file, and nothing written.
t_server_dry_run_and_report() {
    local db
    db=$(fresh_db)
    ri 0 -d "$db" --file "$FIX/sentry/fresh-install.json" --scope global
    ri 0 -d "$db" --file "$FIX/sentry/fresh-install.json" --dry-run -v --report-file "$T/report.json"
    err_has 'NOTICE:  relocate: dry run: everything above was done and rolled back'
    err_lacks 'has no dry_run argument'
    out_has '\| reused \| skipped_reasons'
    out_has '^ sentry\.option +\| +0 \| +0 \| +0 \| +4 \| +0 \| \{"scope": 4\}$'
    out_has '^Report \(relocate_report\): 3 existing, 2 regenerated, 4 renamed, 12 skipped$'
    out_has '^ sentry\.projectkey +\| +1 \| +[0-9]+ \| regenerated \| public_key: taken on this install'
    out_has '^ sentry\.user +\| +1 \| +[0-9]+ \| renamed +\| username "admin@example\.com" -> "admin@example\.com-[a-z0-9]+": taken on this install$'
    out_has 'rolled back, nothing was changed'
    sql_is "$db" "SELECT count(*) FROM auth_user" 3
    sql_is "$db" "SELECT count(*) FROM sentry_organization" 1
    no_large_objects "$db"
    json_check "$T/report.json" 'len(j) == 21 and sum(r["action"] == "renamed" for r in j) == 4'
    json_check "$T/report.json" 'sorted(r["detail"].split(":")[0] for r in j if r["action"] == "regenerated") == ["public_key", "secret_key"]'
    json_check "$T/report.json" 'all(r["new_pk"] is None for r in j if r["action"] == "skipped")'
}

# The statements relocate-import sends mean the same under a hostile search_path: a schema ahead of
# pg_catalog holds canary = operators (name, text, oid, int4, int8) that record each call. An
# unqualified comparison fires one; an import of an uploaded file with its report fires none (libpq's
# lo_* calls would: their first use sends libpq's own unqualified lookup of the lo_* functions).
t_search_path_canaries() {
    local db t
    db=$(fresh_db)
    q "$db" "CREATE SCHEMA evil; CREATE TABLE evil.canary (fired text);
             CREATE FUNCTION evil.fired(what text) RETURNS boolean LANGUAGE sql VOLATILE SET search_path = pg_catalog
                 AS \$\$ INSERT INTO evil.canary VALUES (what) RETURNING true \$\$;" >/dev/null ||
        reason "could not create the canaries"
    for t in name text oid int4 int8; do
        q "$db" "CREATE FUNCTION evil.eq_$t($t, $t) RETURNS boolean LANGUAGE sql VOLATILE SET search_path = pg_catalog
                     AS \$\$ SELECT evil.fired('=($t, $t)') AND \$1 OPERATOR(pg_catalog.=) \$2 \$\$;
                 CREATE OPERATOR evil.= (LEFTARG = $t, RIGHTARG = $t, FUNCTION = evil.eq_$t);" ||
            reason "could not create the canary =($t, $t)"
    done
    local hostile="-c search_path=evil,pg_catalog,public"
    PGOPTIONS=$hostile run 0 "$PSQL" -X -q -At -d "$db" -c "SELECT 'a'::name = 'a'::name"
    sql_is "$db" "SELECT string_agg(DISTINCT fired, ',') FROM evil.canary" "=(name, name)"
    q "$db" "DELETE FROM evil.canary" >/dev/null
    PGOPTIONS=$hostile ri 0 -d "$db" --file "$FIX/sentry/fresh-install.json" --scope global \
        --report-file "$T/report.json"
    out_has 'committed\.$'
    PGOPTIONS=$hostile ri 0 -d "$db" --file "$FIX/sentry/fresh-install.json" --dry-run
    out_has 'rolled back, nothing was changed'
    sql_is "$db" "SELECT count(*) FROM auth_user" 3
    sql_is "$db" "SELECT coalesce(string_agg(DISTINCT fired, ','), 'none') FROM evil.canary" none
    no_large_objects "$db"
}
