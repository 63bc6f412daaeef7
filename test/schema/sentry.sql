-- test/schema/sentry.sql
--
-- A Sentry-compatible schema for the relocate extension's tests: the real Sentry tables that
-- back every exportable model of Sentry's backup/relocation export (the 85 models of
-- test/fixtures/sentry/model_dependencies/detailed.json whose relocation scope is not
-- "Excluded"), plus the tables the import pipeline writes or reads: import chunks, slug
-- reservations, lost-password hashes, and the relocation tables (relocation, relocation files,
-- files and blobs, validations, transfers). test/schema/README.md lists the sources per table
-- and the differences from the older target test/schema/sentry-2024.sql.
--
-- This is current Sentry (2026-06). Sources, all in getsentry/sentry:
--   * src/sentry/migrations/0001_squashed_1118_add_group_derived_data.py @ dd7752b2 (Django
--     5.2.14, 2026-06-23): every table of the "sentry" app that still exists.
--   * src/sentry/monitors/migrations/0001_squashed_0013_delete_monitor_is_muted_field.py
--     @ 3428acbf (sentry_monitor) and
--     src/sentry/notifications/migrations/0001_squashed_0012_drop_metric_alert_cols_notificationmessage.py
--     @ 3428acbf (sentry_notificationaction, sentry_notificationactionproject): models that moved
--     to their own Django app but kept their sentry_* table.
--   * For exportable models current Sentry has removed, the last version that had them; each
--     such table says which, and which migration removed it.
-- Column types follow current Sentry: option, controloption, useroption, organizationoption
-- and projecttemplateoption `value`, authenticator.config, integration.metadata and every
-- models.JSONField / EncryptedJSONField are jsonb; projectkey.data, rule.data, repository.config,
-- projectoption.value and the other LegacyTextJSONField / sentry JSONField columns are text
-- holding JSON text; ArrayFields are text[]; BitFields are bigint.
--
-- Conventions (Django on PostgreSQL):
--   * NOT NULL exactly as in Sentry. A DEFAULT only where Sentry declares db_default; plain
--     Django defaults live in Python, so the importer supplies them.
--   * Positive*IntegerField columns carry CHECK (col >= 0).
--   * FlexibleForeignKey / ForeignKey / OneToOneField columns are <field>_id with a real
--     foreign key, DEFERRABLE INITIALLY DEFERRED as Django creates it (db_constraint=False
--     fields get none). HybridCloudForeignKey and implicit id columns are plain bigint
--     without a constraint. Foreign key, hybrid-cloud and db_index columns are indexed, except
--     where Sentry says db_index=False.
--   * Reserved words used as column names ("end", "order", "limit", "offset") are quoted.
--
-- Deliberate choices:
--   * sentry_email is kept, with `email citext UNIQUE`, although current Sentry dropped it
--     (migrations 1101/1104): every 2023-2025 export, and the test fixtures, carry it.
--   * Ids are `bigserial` (`serial` for auth_authenticator and
--     sentry_organizationmember_teams, which use BoundedAutoField), as in installs that
--     predate Django 4.1; newer Django would create identity columns.
--   * Only the indexes Django names in the migration are given their names; the others are
--     left for PostgreSQL to name. The extra varchar_pattern_ops ("_like") indexes Django adds
--     for indexed varchar columns are left out.
--   * Tables are created in the current search_path schema; names are never qualified.
--     Run as `SET search_path = sentry, public;` then `\i test/schema/sentry.sql`.

create extension if not exists citext with schema public;


-- ---------------------------------------------------------------------------------------
-- Users (control silo)
-- ---------------------------------------------------------------------------------------

-- sentry.user
create table auth_user (
    id bigserial primary key,
    password varchar(128) not null,
    last_login timestamptz,
    username varchar(128) not null unique,
    first_name varchar(200) not null,
    email varchar(200) not null,
    email_unique varchar(200) unique,
    is_staff boolean not null,
    is_active boolean not null,
    is_unclaimed boolean not null default false,
    is_superuser boolean not null,
    is_managed boolean not null,
    is_sentry_app boolean,
    is_password_expired boolean not null,
    is_suspended boolean not null default false,
    last_password_change timestamptz,
    flags bigint not null,
    session_nonce varchar(12),
    date_joined timestamptz not null,
    last_active timestamptz,
    avatar_type smallint not null default 0 check (avatar_type >= 0),
    avatar_url varchar(120) default null
);

-- sentry.email (removed from current Sentry, kept for the fixtures)
create table sentry_email (
    id bigserial primary key,
    email citext not null unique,
    date_added timestamptz not null
);

-- sentry.useremail
create table sentry_useremail (
    id bigserial primary key,
    user_id bigint not null references auth_user (id) deferrable initially deferred,
    email varchar(200) not null,
    validation_hash varchar(32) not null,
    date_hash_added timestamptz not null,
    is_verified boolean not null,
    unique (user_id, email)
);
create index on sentry_useremail (user_id);

-- sentry.userip
create table sentry_userip (
    id bigserial primary key,
    user_id bigint not null references auth_user (id) deferrable initially deferred,
    ip_address inet not null,
    country_code varchar(16),
    region_code varchar(16),
    first_seen timestamptz not null,
    last_seen timestamptz not null,
    unique (user_id, ip_address)
);
create index on sentry_userip (user_id);

-- sentry.useroption
create table sentry_useroption (
    id bigserial primary key,
    user_id bigint not null references auth_user (id) deferrable initially deferred,
    project_id bigint,
    organization_id bigint,
    key varchar(64) not null,
    value jsonb,
    unique (user_id, project_id, key),
    unique (user_id, organization_id, key)
);
create index on sentry_useroption (user_id);
create index on sentry_useroption (project_id);
create index on sentry_useroption (organization_id);

-- sentry.userpermission
create table sentry_userpermission (
    id bigserial primary key,
    user_id bigint not null references auth_user (id) deferrable initially deferred,
    permission varchar(32) not null,
    unique (user_id, permission)
);
create index on sentry_userpermission (user_id);

-- sentry.userrole
create table sentry_userrole (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    name varchar(32) not null unique,
    permissions text[] not null
);

-- sentry.userroleuser (no unique constraint: a (user, role) pair may repeat)
create table sentry_userrole_users (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    role_id bigint not null references sentry_userrole (id) deferrable initially deferred,
    user_id bigint not null references auth_user (id) deferrable initially deferred
);
create index on sentry_userrole_users (role_id);
create index on sentry_userrole_users (user_id);

-- sentry.authenticator (BoundedAutoField: integer id)
create table auth_authenticator (
    id serial primary key,
    user_id bigint not null references auth_user (id) deferrable initially deferred,
    created_at timestamptz not null,
    last_used_at timestamptz,
    type integer not null check (type >= 0),
    config jsonb not null,
    unique (user_id, type)
);
create index on auth_authenticator (user_id);

-- sentry.lostpasswordhash (Excluded from exports; written for imported users)
create table sentry_lostpasswordhash (
    id bigserial primary key,
    user_id bigint not null unique references auth_user (id) deferrable initially deferred,
    hash varchar(32) not null,
    date_added timestamptz not null
);

-- ---------------------------------------------------------------------------------------
-- Global configuration
-- ---------------------------------------------------------------------------------------

-- sentry.option (region silo)
create table sentry_option (
    id bigserial primary key,
    key varchar(128) not null unique,
    last_updated timestamptz not null,
    last_updated_by varchar(16) not null default 'unknown',
    value jsonb
);

-- sentry.controloption (control silo)
create table sentry_controloption (
    id bigserial primary key,
    key varchar(128) not null unique,
    last_updated timestamptz not null,
    last_updated_by varchar(16) not null default 'unknown',
    value jsonb
);

-- sentry.relay
create table sentry_relay (
    id bigserial primary key,
    relay_id varchar(64) not null unique,
    public_key varchar(200) not null,
    first_seen timestamptz,
    last_seen timestamptz,
    is_internal boolean
);

-- sentry.relayusage
create table sentry_relayusage (
    id bigserial primary key,
    relay_id varchar(64) not null,
    version varchar(32) not null,
    first_seen timestamptz not null,
    last_seen timestamptz not null,
    public_key varchar(200),
    unique (relay_id, version)
);
create index on sentry_relayusage (public_key);

-- ---------------------------------------------------------------------------------------
-- Organizations, teams and members (region silo)
-- ---------------------------------------------------------------------------------------

-- sentry.organization
create table sentry_organization (
    id bigserial primary key,
    name varchar(64) not null,
    slug varchar(50) not null unique,
    status integer not null check (status >= 0),
    date_added timestamptz not null,
    default_role varchar(32) not null,
    is_test boolean not null default false,
    flags bigint not null
);
create index sentry_organization_slug_upper_idx on sentry_organization (upper(slug));

-- sentry.organizationoption (table name is plural)
create table sentry_organizationoptions (
    id bigserial primary key,
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred,
    key varchar(64) not null,
    value jsonb,
    unique (organization_id, key)
);
create index on sentry_organizationoptions (organization_id);

-- sentry.organizationslugreservation (control silo, Excluded from exports)
create table sentry_organizationslugreservation (
    id bigserial primary key,
    slug varchar(50) not null unique,
    organization_id bigint not null,
    user_id bigint,
    region_name varchar(48) not null,
    reservation_type bigint not null,
    date_added timestamptz not null,
    unique (organization_id, reservation_type)
);
create index on sentry_organizationslugreservation (organization_id);
create index on sentry_organizationslugreservation (user_id);

-- sentry.team
create table sentry_team (
    id bigserial primary key,
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred,
    slug varchar(50) not null,
    name varchar(64) not null,
    status integer not null check (status >= 0),
    idp_provisioned boolean not null default false,
    date_added timestamptz,
    unique (organization_id, slug)
);
create index on sentry_team (organization_id);
create index on sentry_team (slug);

-- sentry.organizationmember
create table sentry_organizationmember (
    id bigserial primary key,
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred,
    user_id bigint,
    email varchar(75),
    role varchar(32) not null,
    flags bigint not null,
    token varchar(64) unique,
    date_added timestamptz not null,
    token_expires_at timestamptz,
    has_global_access boolean not null,
    inviter_id bigint,
    invite_status smallint check (invite_status >= 0),
    type integer not null check (type >= 0),
    user_is_active boolean not null default true,
    user_email varchar(200),
    unique (organization_id, user_id),
    unique (organization_id, email)
);
create index on sentry_organizationmember (organization_id);
create index on sentry_organizationmember (user_id);
create index on sentry_organizationmember (inviter_id);

-- sentry.organizationmemberteam (BoundedAutoField: integer id)
create table sentry_organizationmember_teams (
    id serial primary key,
    team_id bigint not null references sentry_team (id) deferrable initially deferred,
    organizationmember_id bigint not null
        references sentry_organizationmember (id) deferrable initially deferred,
    is_active boolean not null default true,
    role varchar(32),
    unique (team_id, organizationmember_id)
);
create index on sentry_organizationmember_teams (team_id);
create index on sentry_organizationmember_teams (organizationmember_id);

-- sentry.organizationaccessrequest
create table sentry_organizationaccessrequest (
    id bigserial primary key,
    team_id bigint not null references sentry_team (id) deferrable initially deferred,
    member_id bigint not null
        references sentry_organizationmember (id) deferrable initially deferred,
    requester_id bigint,
    unique (team_id, member_id)
);
create index on sentry_organizationaccessrequest (team_id);
create index on sentry_organizationaccessrequest (member_id);
create index on sentry_organizationaccessrequest (requester_id);

-- ---------------------------------------------------------------------------------------
-- Projects (region silo)
-- ---------------------------------------------------------------------------------------

-- sentry.project
create table sentry_project (
    id bigserial primary key,
    slug varchar(100) not null,
    name varchar(200) not null,
    forced_color varchar(6),
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred,
    public boolean not null,
    date_added timestamptz not null,
    status integer not null check (status >= 0),
    first_event timestamptz,
    external_id varchar(256),
    flags bigint not null,
    platform varchar(64),
    unique (organization_id, slug),
    unique (organization_id, external_id)
);
create index on sentry_project (organization_id);
create index on sentry_project (slug);
create index on sentry_project (status);

-- sentry.projectteam
create table sentry_projectteam (
    id bigserial primary key,
    project_id bigint not null references sentry_project (id) deferrable initially deferred,
    team_id bigint not null references sentry_team (id) deferrable initially deferred,
    unique (project_id, team_id)
);
create index on sentry_projectteam (project_id);
create index on sentry_projectteam (team_id);

-- sentry.projectkey
create table sentry_projectkey (
    id bigserial primary key,
    project_id bigint not null references sentry_project (id) deferrable initially deferred,
    label varchar(64),
    public_key varchar(32) unique,
    secret_key varchar(32) unique,
    roles bigint not null,
    status integer not null check (status >= 0),
    date_added timestamptz,
    rate_limit_count integer check (rate_limit_count >= 0),
    rate_limit_window integer check (rate_limit_window >= 0),
    data text not null,
    use_case varchar(32) not null default 'user'
);
create index on sentry_projectkey (project_id);
create index on sentry_projectkey (status);

-- sentry.projectoption (table name is plural)
create table sentry_projectoptions (
    id bigserial primary key,
    project_id bigint not null references sentry_project (id) deferrable initially deferred,
    key varchar(64) not null,
    value text,
    unique (project_id, key)
);
create index on sentry_projectoptions (project_id);
create index sentry_proj_key_2426c1_idx on sentry_projectoptions (key);

-- sentry.counter
create table sentry_projectcounter (
    id bigserial primary key,
    project_id bigint not null unique
        references sentry_project (id) deferrable initially deferred,
    value bigint not null
);

-- sentry.projectownership
create table sentry_projectownership (
    id bigserial primary key,
    project_id bigint not null unique
        references sentry_project (id) deferrable initially deferred,
    raw text,
    schema jsonb,
    fallthrough boolean not null,
    auto_assignment boolean not null,
    date_created timestamptz not null,
    last_updated timestamptz not null,
    is_active boolean not null,
    codeowners_auto_sync boolean,
    suspect_committer_auto_assignment boolean not null default false
);

-- sentry.projectredirect
create table sentry_projectredirect (
    id bigserial primary key,
    redirect_slug varchar(100) not null,
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred,
    project_id bigint not null references sentry_project (id) deferrable initially deferred,
    date_added timestamptz not null,
    unique (organization_id, redirect_slug)
);
create index on sentry_projectredirect (redirect_slug);
create index on sentry_projectredirect (organization_id);
create index on sentry_projectredirect (project_id);

-- sentry.projectbookmark (project is a FlexibleForeignKey with db_constraint=False)
create table sentry_projectbookmark (
    id bigserial primary key,
    project_id bigint,
    user_id bigint not null,
    date_added timestamptz,
    unique (project_id, user_id)
);
create index on sentry_projectbookmark (project_id);
create index on sentry_projectbookmark (user_id);

-- sentry.environment
create table sentry_environment (
    id bigserial primary key,
    organization_id bigint not null,
    name varchar(64) not null,
    date_added timestamptz not null,
    unique (organization_id, name)
);

-- sentry.environmentproject
create table sentry_environmentproject (
    id bigserial primary key,
    project_id bigint not null references sentry_project (id) deferrable initially deferred,
    environment_id bigint not null
        references sentry_environment (id) deferrable initially deferred,
    is_hidden boolean,
    unique (project_id, environment_id)
);
create index on sentry_environmentproject (project_id);
create index on sentry_environmentproject (environment_id);

-- sentry.rule
create table sentry_rule (
    id bigserial primary key,
    project_id bigint not null references sentry_project (id) deferrable initially deferred,
    environment_id integer check (environment_id >= 0),
    label varchar(256) not null,
    data text not null,
    status integer not null check (status >= 0),
    source integer not null default 0 check (source >= 0),
    owner_user_id bigint,
    owner_team_id bigint references sentry_team (id) deferrable initially deferred,
    date_added timestamptz not null,
    constraint rule_owner_user_or_team_check check (
        (owner_team_id is not null and owner_user_id is null)
        or (owner_team_id is null and owner_user_id is not null)
        or (owner_team_id is null and owner_user_id is null)
    )
);
create index on sentry_rule (project_id);
create index on sentry_rule (status);
create index on sentry_rule (owner_user_id);
create index on sentry_rule (owner_team_id);
create index sentry_rule_project_cce776_idx on sentry_rule (project_id, status, owner_team_id);
create index sentry_rule_project_6e9491_idx on sentry_rule (project_id, status, owner_user_id);

-- ---------------------------------------------------------------------------------------
-- API access (control silo)
-- ---------------------------------------------------------------------------------------

-- sentry.apiapplication
create table sentry_apiapplication (
    id bigserial primary key,
    client_id varchar(64) not null unique,
    client_secret text,
    owner_id bigint references auth_user (id) deferrable initially deferred,
    name varchar(64) not null,
    status integer not null check (status >= 0),
    allowed_origins text,
    redirect_uris text not null,
    homepage_url varchar(200),
    privacy_url varchar(200),
    terms_url varchar(200),
    date_added timestamptz not null,
    scopes text[] not null,
    requires_org_level_access boolean not null default false,
    version integer not null default 0 check (version >= 0)
);
create index on sentry_apiapplication (owner_id);
create index on sentry_apiapplication (status);
create index on sentry_apiapplication (version);

-- sentry.apitoken
create table sentry_apitoken (
    id bigserial primary key,
    application_id bigint
        references sentry_apiapplication (id) deferrable initially deferred,
    user_id bigint not null references auth_user (id) deferrable initially deferred,
    scoping_organization_id bigint,
    name varchar(255),
    scopes bigint not null,
    scope_list text[] not null,
    token varchar(71) not null unique,
    hashed_token varchar(128) unique,
    token_type varchar(7),
    token_last_characters varchar(4),
    refresh_token varchar(71) unique,
    hashed_refresh_token varchar(128) unique,
    expires_at timestamptz,
    date_added timestamptz not null
);
create index on sentry_apitoken (application_id);
create index on sentry_apitoken (user_id);
create index on sentry_apitoken (scoping_organization_id);

-- sentry.apiauthorization
create table sentry_apiauthorization (
    id bigserial primary key,
    application_id bigint
        references sentry_apiapplication (id) deferrable initially deferred,
    user_id bigint not null references auth_user (id) deferrable initially deferred,
    organization_id bigint,
    scopes bigint not null,
    scope_list text[] not null,
    date_added timestamptz not null
);
create index on sentry_apiauthorization (application_id);
create index on sentry_apiauthorization (user_id);
create index on sentry_apiauthorization (organization_id);
create unique index apiauthorization_user_app
    on sentry_apiauthorization (user_id, application_id)
    where organization_id is null;
create unique index apiauthorization_user_app_org
    on sentry_apiauthorization (user_id, application_id, organization_id)
    where organization_id is not null;

-- sentry.apigrant
create table sentry_apigrant (
    id bigserial primary key,
    user_id bigint not null references auth_user (id) deferrable initially deferred,
    application_id bigint not null
        references sentry_apiapplication (id) deferrable initially deferred,
    code varchar(64) not null,
    expires_at timestamptz not null,
    redirect_uri varchar(255) not null,
    scopes bigint not null,
    scope_list text[] not null,
    organization_id bigint,
    code_challenge varchar(128),
    code_challenge_method varchar(10)
);
create index on sentry_apigrant (user_id);
create index on sentry_apigrant (application_id);
create index on sentry_apigrant (code);
create index on sentry_apigrant (expires_at);
create index on sentry_apigrant (organization_id);

-- sentry.apikey
create table sentry_apikey (
    id bigserial primary key,
    organization_id bigint not null,
    label varchar(64) not null,
    key varchar(32) not null unique,
    scopes bigint not null,
    scope_list text[] not null,
    status integer not null check (status >= 0),
    date_added timestamptz not null,
    allowed_origins text
);
create index on sentry_apikey (organization_id);
create index on sentry_apikey (status);

-- sentry.orgauthtoken
create table sentry_orgauthtoken (
    id bigserial primary key,
    organization_id bigint not null,
    token_hashed text not null unique,
    token_last_characters varchar(4),
    name varchar(255) not null,
    scope_list text[] not null,
    created_by_id bigint references auth_user (id) deferrable initially deferred,
    date_added timestamptz not null,
    date_last_used timestamptz,
    project_last_used_id bigint,
    date_deactivated timestamptz
);
create index on sentry_orgauthtoken (organization_id);
create index on sentry_orgauthtoken (created_by_id);
create index on sentry_orgauthtoken (project_last_used_id);

-- ---------------------------------------------------------------------------------------
-- Integrations, SSO and repositories
-- ---------------------------------------------------------------------------------------

-- sentry.integration (control silo)
create table sentry_integration (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    provider varchar(64) not null,
    external_id varchar(256) not null,
    name varchar(200) not null,
    metadata jsonb not null,
    status integer check (status >= 0),
    debug_data jsonb,
    unique (provider, external_id)
);

-- sentry.organizationintegration (control silo)
create table sentry_organizationintegration (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    organization_id bigint not null,
    integration_id bigint not null
        references sentry_integration (id) deferrable initially deferred,
    config jsonb not null,
    default_auth_id integer check (default_auth_id >= 0),
    status integer not null check (status >= 0),
    grace_period_end timestamptz,
    unique (organization_id, integration_id)
);
create index on sentry_organizationintegration (organization_id);
create index on sentry_organizationintegration (integration_id);
create index on sentry_organizationintegration (default_auth_id);
create index on sentry_organizationintegration (grace_period_end);

-- sentry.repository (region silo; organization_id and integration_id are implicit ids)
create table sentry_repository (
    id bigserial primary key,
    organization_id bigint not null,
    name varchar(500) not null,
    url varchar(512),
    provider varchar(64),
    external_id varchar(64),
    config text not null,
    status integer not null check (status >= 0),
    date_added timestamptz not null,
    integration_id integer check (integration_id >= 0),
    languages text[] not null,
    unique (organization_id, provider, external_id)
);
create index on sentry_repository (organization_id);
create index on sentry_repository (status);
create index on sentry_repository (integration_id);

-- sentry.authprovider (control silo)
create table sentry_authprovider (
    id bigserial primary key,
    organization_id bigint not null unique,
    provider varchar(128) not null,
    config jsonb not null,
    date_added timestamptz not null,
    sync_time integer check (sync_time >= 0),
    last_sync timestamptz,
    default_role integer not null check (default_role >= 0),
    default_global_access boolean not null,
    flags bigint not null
);

-- sentry.authidentity (control silo)
create table sentry_authidentity (
    id bigserial primary key,
    user_id bigint not null references auth_user (id) deferrable initially deferred,
    auth_provider_id bigint not null
        references sentry_authprovider (id) deferrable initially deferred,
    ident varchar(128) not null,
    data jsonb not null,
    last_verified timestamptz not null,
    last_synced timestamptz not null,
    date_added timestamptz not null,
    unique (auth_provider_id, ident),
    unique (auth_provider_id, user_id)
);
create index on sentry_authidentity (user_id);
create index on sentry_authidentity (auth_provider_id);
create index auth_identity_last_synced_idx on sentry_authidentity (last_synced);

-- ---------------------------------------------------------------------------------------
-- Searches and dashboards (region silo)
-- ---------------------------------------------------------------------------------------

-- sentry.savedsearch (sort is sentry's text CharField: max_length=16 is checked in Python
-- only, the column is text)
create table sentry_savedsearch (
    id bigserial primary key,
    organization_id bigint
        references sentry_organization (id) deferrable initially deferred,
    type smallint not null check (type >= 0),
    name varchar(128) not null,
    query text not null,
    sort text,
    date_added timestamptz not null,
    is_global boolean,
    owner_id bigint,
    visibility varchar(16) not null
);
create index on sentry_savedsearch (organization_id);
create index on sentry_savedsearch (is_global);
create index on sentry_savedsearch (owner_id);
create unique index sentry_savedsearch_pinning_constraint
    on sentry_savedsearch (organization_id, owner_id, type)
    where visibility = 'owner_pinned';
create unique index sentry_savedsearch_organization_id_313a24e907cdef99
    on sentry_savedsearch (is_global, name)
    where is_global;

-- sentry.recentsearch
create table sentry_recentsearch (
    id bigserial primary key,
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred,
    user_id bigint not null,
    type smallint not null check (type >= 0),
    query text not null,
    query_hash varchar(32) not null,
    last_seen timestamptz not null,
    date_added timestamptz not null,
    unique (user_id, organization_id, type, query_hash)
);
create index on sentry_recentsearch (organization_id);

-- sentry.dashboard
create table sentry_dashboard (
    id bigserial primary key,
    title varchar(255) not null,
    created_by_id bigint,
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred,
    date_added timestamptz not null,
    visits bigint,
    last_visited timestamptz,
    filters text,
    prebuilt_id integer default null check (prebuilt_id >= 0),
    constraint sentry_dashboard_prebuilt_null_created_by
        check (prebuilt_id is null or created_by_id is null)
);
create index on sentry_dashboard (created_by_id);
create index on sentry_dashboard (organization_id);
create unique index sentry_dashboard_organization_title_uniq
    on sentry_dashboard (organization_id, title)
    where prebuilt_id is null;
create unique index sentry_dashboard_organization_prebuilt_id_uniq
    on sentry_dashboard (organization_id, prebuilt_id)
    where prebuilt_id is not null;

-- ---------------------------------------------------------------------------------------
-- Metric alerts and incidents (region silo)
-- ---------------------------------------------------------------------------------------

-- sentry.snubaquery
create table sentry_snubaquery (
    id bigserial primary key,
    type smallint not null,
    dataset text not null,
    query text not null,
    group_by varchar(200)[],
    aggregate text not null,
    time_window integer not null,
    resolution integer not null,
    extrapolation_mode integer not null default 0,
    query_snapshot jsonb,
    date_added timestamptz not null,
    environment_id bigint
);
-- environment is a FlexibleForeignKey with db_constraint=False
create index on sentry_snubaquery (environment_id);

-- sentry.snubaqueryeventtype
create table sentry_snubaqueryeventtype (
    id bigserial primary key,
    type smallint not null,
    snuba_query_id bigint not null
        references sentry_snubaquery (id) deferrable initially deferred,
    unique (snuba_query_id, type)
);
create index on sentry_snubaqueryeventtype (snuba_query_id);

-- sentry.querysubscription (project is a FlexibleForeignKey with db_constraint=False)
create table sentry_querysubscription (
    id bigserial primary key,
    type text not null,
    status smallint not null,
    subscription_id text unique,
    date_added timestamptz not null,
    date_updated timestamptz,
    query_extra text,
    project_id bigint not null,
    snuba_query_id bigint not null
        references sentry_snubaquery (id) deferrable initially deferred
);
create index on sentry_querysubscription (status);
create index on sentry_querysubscription (project_id);
create index on sentry_querysubscription (snuba_query_id);

-- sentry.alertrule
--   status: AlertRuleStatus PENDING 0, SNAPSHOT 4, DISABLED 5, NOT_ENOUGH_DATA 6
--   monitor_type: AlertRuleMonitorTypeInt CONTINUOUS 0, ACTIVATED 1
--   detection_type: 'static', 'percent', 'dynamic'
create table sentry_alertrule (
    id bigserial primary key,
    user_id bigint,
    name text not null,
    status smallint not null default 0,
    threshold_type smallint,
    resolve_threshold double precision,
    threshold_period integer not null,
    comparison_delta integer,
    date_modified timestamptz not null,
    date_added timestamptz not null,
    monitor_type integer not null default 0,
    description varchar(1000),
    detection_type varchar(32) not null default 'static',
    sensitivity varchar,
    seasonality varchar,
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred,
    snuba_query_id bigint not null unique
        references sentry_snubaquery (id) deferrable initially deferred,
    team_id bigint references sentry_team (id) deferrable initially deferred
);
create index on sentry_alertrule (user_id);
create index on sentry_alertrule (organization_id);
create index on sentry_alertrule (team_id);

-- sentry.alertruleprojects (alert_rule has db_index=False)
create table sentry_alertruleprojects (
    id bigserial primary key,
    date_added timestamptz not null,
    alert_rule_id bigint not null
        references sentry_alertrule (id) deferrable initially deferred,
    project_id bigint not null references sentry_project (id) deferrable initially deferred,
    unique (alert_rule_id, project_id)
);
create index on sentry_alertruleprojects (project_id);

-- sentry.alertruleexcludedprojects: removed from Sentry by 0794/0795 (2024-11); as the model
-- last had it (src/sentry/incidents/models/alert_rule.py, 2024). alert_rule has
-- db_index=False; project is a FlexibleForeignKey with db_constraint=False.
create table sentry_alertruleexcludedprojects (
    id bigserial primary key,
    alert_rule_id bigint not null
        references sentry_alertrule (id) deferrable initially deferred,
    project_id bigint not null,
    date_added timestamptz not null,
    unique (alert_rule_id, project_id)
);
create index on sentry_alertruleexcludedprojects (project_id);

-- sentry.alertruleactivity (type: AlertRuleActivityType)
create table sentry_alertruleactivity (
    id bigserial primary key,
    user_id bigint,
    type integer not null,
    date_added timestamptz not null,
    alert_rule_id bigint not null
        references sentry_alertrule (id) deferrable initially deferred,
    previous_alert_rule_id bigint
        references sentry_alertrule (id) deferrable initially deferred
);
create index on sentry_alertruleactivity (user_id);
create index on sentry_alertruleactivity (alert_rule_id);
create index on sentry_alertruleactivity (previous_alert_rule_id);

-- sentry.alertruleactivationcondition: removed from Sentry by 0813/0814 (2025-01); as the
-- model last had it (src/sentry/incidents/models/alert_rule_activations.py, 2024).
create table sentry_alertruleactivationcondition (
    id bigserial primary key,
    alert_rule_id bigint not null
        references sentry_alertrule (id) deferrable initially deferred,
    label text not null,
    condition_type smallint,
    date_added timestamptz not null,
    unique (alert_rule_id, label)
);
create index on sentry_alertruleactivationcondition (alert_rule_id);

-- sentry.alertruletrigger
create table sentry_alertruletrigger (
    id bigserial primary key,
    label text not null,
    threshold_type smallint,
    alert_threshold double precision not null,
    resolve_threshold double precision,
    date_added timestamptz not null,
    alert_rule_id bigint not null
        references sentry_alertrule (id) deferrable initially deferred,
    unique (alert_rule_id, label)
);
create index on sentry_alertruletrigger (alert_rule_id);

-- sentry.alertruletriggeraction (status: ObjectStatus; sentry_app_config is sentry's legacy
-- text JSONField)
create table sentry_alertruletriggeraction (
    id bigserial primary key,
    integration_id bigint,
    sentry_app_id bigint,
    type smallint not null,
    target_type smallint not null,
    target_identifier text,
    target_display text,
    date_added timestamptz not null,
    sentry_app_config text,
    status integer not null default 0 check (status >= 0),
    alert_rule_trigger_id bigint not null
        references sentry_alertruletrigger (id) deferrable initially deferred
);
create index on sentry_alertruletriggeraction (integration_id);
create index on sentry_alertruletriggeraction (sentry_app_id);
create index on sentry_alertruletriggeraction (alert_rule_trigger_id);

-- sentry.alertruletriggerexclusion: removed from Sentry by 0796/0797 (2024-11); as the model
-- last had it (src/sentry/incidents/models/alert_rule.py, 2024).
create table sentry_alertruletriggerexclusion (
    id bigserial primary key,
    alert_rule_trigger_id bigint not null
        references sentry_alertruletrigger (id) deferrable initially deferred,
    query_subscription_id bigint not null
        references sentry_querysubscription (id) deferrable initially deferred,
    date_added timestamptz not null,
    unique (alert_rule_trigger_id, query_subscription_id)
);
create index on sentry_alertruletriggerexclusion (alert_rule_trigger_id);
create index on sentry_alertruletriggerexclusion (query_subscription_id);

-- sentry.incident
--   status: IncidentStatus OPEN 1, CLOSED 2, WARNING 10, CRITICAL 20
--   status_method: IncidentStatusMethod MANUAL 1, RULE_UPDATED 2, RULE_TRIGGERED 3
--   type: IncidentType ALERT_TRIGGERED 2
create table sentry_incident (
    id bigserial primary key,
    identifier integer not null,
    detection_uuid uuid,
    status smallint not null check (status >= 0),
    status_method smallint not null check (status_method >= 0),
    type smallint not null check (type >= 0),
    title text not null,
    date_started timestamptz not null,
    date_detected timestamptz not null,
    date_added timestamptz not null,
    date_closed timestamptz,
    alert_rule_id bigint not null
        references sentry_alertrule (id) deferrable initially deferred,
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred,
    subscription_id bigint
        references sentry_querysubscription (id) deferrable initially deferred,
    unique (organization_id, identifier)
);
create index on sentry_incident (detection_uuid);
create index on sentry_incident (alert_rule_id);
create index on sentry_incident (organization_id);
create index on sentry_incident (subscription_id);
create index sentry_inci_alert_r_24a457_idx on sentry_incident (alert_rule_id, type, status);

-- sentry.incidentactivity (type: IncidentActivityType CREATED 1, STATUS_CHANGE 2, DETECTED 4)
create table sentry_incidentactivity (
    id bigserial primary key,
    user_id bigint,
    type integer not null,
    value text,
    previous_value text,
    comment text,
    date_added timestamptz not null,
    notification_uuid uuid,
    incident_id bigint not null references sentry_incident (id) deferrable initially deferred
);
create index on sentry_incidentactivity (user_id);
create index on sentry_incidentactivity (incident_id);

-- sentry.incidentsubscription: removed from Sentry by 0800/0801 (late 2024); as the model last
-- had it (src/sentry/incidents/models/incident.py, 2024). incident has db_index=False.
create table sentry_incidentsubscription (
    id bigserial primary key,
    incident_id bigint not null references sentry_incident (id) deferrable initially deferred,
    user_id bigint not null,
    date_added timestamptz not null,
    unique (incident_id, user_id)
);
create index on sentry_incidentsubscription (user_id);

-- sentry.incidenttrigger: removed from Sentry by 1093/1094; as migration 0904 (the last squash
-- that had it) defines it. incident has db_index=False. status: TriggerStatus ACTIVE 0,
-- RESOLVED 1.
create table sentry_incidenttrigger (
    id bigserial primary key,
    status smallint not null,
    date_modified timestamptz not null,
    date_added timestamptz not null,
    alert_rule_trigger_id bigint not null
        references sentry_alertruletrigger (id) deferrable initially deferred,
    incident_id bigint not null references sentry_incident (id) deferrable initially deferred,
    unique (incident_id, alert_rule_trigger_id)
);
create index on sentry_incidenttrigger (alert_rule_trigger_id);
create index sentry_inci_alert_r_33da01_idx
    on sentry_incidenttrigger (alert_rule_trigger_id, incident_id);

-- sentry.timeseriessnapshot: removed from Sentry by 0883/0884 (2025-05); as the model last
-- had it (src/sentry/incidents/models/incident.py, 2024). `values` is sentry's legacy
-- ArrayField(of=ArrayField(FloatField)), which is always nullable.
create table sentry_timeseriessnapshot (
    id bigserial primary key,
    start timestamptz not null,
    "end" timestamptz not null,
    values float8[][],
    period integer not null,
    date_added timestamptz not null
);

-- sentry.incidentsnapshot: removed with timeseriessnapshot (0883/0884). incident is a
-- OneToOneCascadeDeletes and event_stats_snapshot a FlexibleForeignKey, both with
-- db_constraint=False.
create table sentry_incidentsnapshot (
    id bigserial primary key,
    incident_id bigint not null unique,
    event_stats_snapshot_id bigint not null,
    unique_users integer not null,
    total_events integer not null,
    date_added timestamptz not null
);
create index on sentry_incidentsnapshot (event_stats_snapshot_id);

-- sentry.pendingincidentsnapshot: removed with timeseriessnapshot (0883/0884). incident is a
-- OneToOneCascadeDeletes with db_constraint=False.
create table sentry_pendingincidentsnapshot (
    id bigserial primary key,
    incident_id bigint not null unique,
    target_run_date timestamptz not null,
    date_added timestamptz not null
);
create index on sentry_pendingincidentsnapshot (target_run_date);

-- ---------------------------------------------------------------------------------------
-- Issue alert extras, notification actions (region silo)
-- ---------------------------------------------------------------------------------------

-- sentry.ruleactivity (type: RuleActivityType)
create table sentry_ruleactivity (
    id bigserial primary key,
    user_id bigint,
    type integer not null,
    date_added timestamptz not null,
    rule_id bigint not null references sentry_rule (id) deferrable initially deferred
);
create index on sentry_ruleactivity (user_id);
create index on sentry_ruleactivity (rule_id);

-- sentry.rulesnooze
create table sentry_rulesnooze (
    id bigserial primary key,
    user_id bigint,
    owner_id bigint,
    until timestamptz,
    date_added timestamptz not null,
    alert_rule_id bigint references sentry_alertrule (id) deferrable initially deferred,
    rule_id bigint references sentry_rule (id) deferrable initially deferred,
    unique (user_id, alert_rule_id),
    unique (user_id, rule_id),
    constraint rule_or_alert_rule check (
        (alert_rule_id is null and rule_id is not null)
        or (alert_rule_id is not null and rule_id is null)
    )
);
create index on sentry_rulesnooze (user_id);
create index on sentry_rulesnooze (owner_id);
create index on sentry_rulesnooze (until);
create index on sentry_rulesnooze (alert_rule_id);
create index on sentry_rulesnooze (rule_id);
create unique index unique_rule_user on sentry_rulesnooze (rule_id) where user_id is null;
create unique index unique_alert_rule_user
    on sentry_rulesnooze (alert_rule_id)
    where user_id is null;

-- sentry.neglectedrule: removed from Sentry by 1081/1082; as migration 0904 (the last squash
-- that had it) defines it. The model sets no db_table; Django's name is the same.
create table sentry_neglectedrule (
    id bigserial primary key,
    disable_date timestamptz not null,
    opted_out boolean not null,
    sent_initial_email_date timestamptz,
    sent_final_email_date timestamptz,
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred,
    rule_id bigint not null references sentry_rule (id) deferrable initially deferred
);
create index on sentry_neglectedrule (organization_id);
create index on sentry_neglectedrule (rule_id);

-- sentry.notificationaction (moved to the "notifications" app by 0928, table kept)
--   type: ActionService; target_type: ActionTarget; trigger_type: ActionTrigger
create table sentry_notificationaction (
    id bigserial primary key,
    integration_id bigint,
    sentry_app_id bigint,
    type smallint not null,
    target_type smallint not null,
    target_identifier text,
    target_display text,
    trigger_type smallint not null,
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred
);
create index on sentry_notificationaction (integration_id);
create index on sentry_notificationaction (sentry_app_id);
create index on sentry_notificationaction (organization_id);

-- sentry.notificationactionproject (no unique constraint)
create table sentry_notificationactionproject (
    id bigserial primary key,
    action_id bigint not null
        references sentry_notificationaction (id) deferrable initially deferred,
    project_id bigint not null references sentry_project (id) deferrable initially deferred
);
create index on sentry_notificationactionproject (action_id);
create index on sentry_notificationactionproject (project_id);

-- ---------------------------------------------------------------------------------------
-- Dashboards and issue views (region silo)
-- ---------------------------------------------------------------------------------------

-- sentry.dashboardtombstone: removed from Sentry by 1074/1076; as migration 0904 (the last
-- squash that had it) defines it. slug is a SentrySlugField with db_index=False.
create table sentry_dashboardtombstone (
    id bigserial primary key,
    slug varchar(255) not null,
    date_added timestamptz not null,
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred,
    unique (organization_id, slug)
);
create index on sentry_dashboardtombstone (organization_id);

-- sentry.dashboardwidget (thresholds and detail are sentry's legacy text JSONField)
--   display_type: DashboardWidgetDisplayTypes; widget_type: DashboardWidgetTypes
create table sentry_dashboardwidget (
    id bigserial primary key,
    "order" integer check ("order" >= 0),
    title varchar(255) not null,
    description text,
    thresholds text,
    interval varchar(10),
    display_type integer not null check (display_type >= 0),
    date_added timestamptz not null,
    widget_type integer check (widget_type >= 0),
    "limit" integer,
    detail text,
    discover_widget_split integer check (discover_widget_split >= 0),
    dataset_source integer not null default 0 check (dataset_source >= 0),
    widget_snapshot jsonb,
    changed_reason jsonb,
    dashboard_id bigint not null references sentry_dashboard (id) deferrable initially deferred
);
create index on sentry_dashboardwidget (dashboard_id);

-- sentry.dashboardwidgetquery
create table sentry_dashboardwidgetquery (
    id bigserial primary key,
    name varchar(255) not null,
    fields text[] not null,
    conditions text not null,
    aggregates text[],
    columns text[],
    field_aliases text[],
    orderby text not null,
    "order" integer not null check ("order" >= 0),
    date_added timestamptz not null,
    date_modified timestamptz not null default now(),
    is_hidden boolean not null default false,
    selected_aggregate integer,
    widget_id bigint not null
        references sentry_dashboardwidget (id) deferrable initially deferred,
    unique (widget_id, "order")
);
create index on sentry_dashboardwidgetquery (widget_id);

-- sentry.dashboardwidgetqueryondemand
create table sentry_dashboardwidgetqueryondemand (
    id bigserial primary key,
    spec_hashes text[] not null,
    spec_version integer,
    extraction_state varchar(30) not null,
    date_modified timestamptz not null,
    date_added timestamptz not null default now(),
    dashboard_widget_query_id bigint not null
        references sentry_dashboardwidgetquery (id) deferrable initially deferred
);
create index on sentry_dashboardwidgetqueryondemand (dashboard_widget_query_id);

-- sentry.groupsearchview (issue views; visibility 'owner' or 'organization')
create table sentry_groupsearchview (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    name text not null,
    user_id bigint not null,
    visibility varchar(16) not null default 'organization',
    query text not null,
    query_sort varchar(16) not null,
    is_all_projects boolean not null default false,
    environments text[] not null,
    time_filters jsonb not null default '{"period": "14d"}',
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred
);
create index on sentry_groupsearchview (user_id);
create index on sentry_groupsearchview (organization_id);

-- ---------------------------------------------------------------------------------------
-- Sentry apps and service hooks (control silo, service hooks region)
-- ---------------------------------------------------------------------------------------

-- sentry.sentryapp (status: SentryAppStatus; scopes is a BitField)
create table sentry_sentryapp (
    id bigserial primary key,
    scopes bigint not null,
    scope_list text[] not null,
    date_deleted timestamptz,
    owner_id bigint not null,
    name text not null,
    slug varchar(64) not null unique,
    author text,
    status integer not null check (status >= 0),
    uuid varchar(64) not null unique,
    redirect_url varchar(200),
    webhook_url varchar(512),
    is_alertable boolean not null,
    is_disabled boolean not null default false,
    verify_install boolean not null,
    events text[] not null,
    overview text,
    schema jsonb not null,
    date_added timestamptz not null,
    date_updated timestamptz not null,
    date_published timestamptz,
    creator_label text,
    popularity smallint check (popularity >= 0),
    metadata jsonb not null,
    application_id bigint unique
        references sentry_apiapplication (id) deferrable initially deferred,
    creator_user_id bigint,
    proxy_user_id bigint unique references auth_user (id) deferrable initially deferred
);
create index on sentry_sentryapp (owner_id);
create index on sentry_sentryapp (status);
-- creator_user is a FlexibleForeignKey with db_constraint=False
create index on sentry_sentryapp (creator_user_id);

-- sentry.sentryappcomponent
create table sentry_sentryappcomponent (
    id bigserial primary key,
    uuid uuid not null unique,
    type varchar(64) not null,
    schema jsonb not null,
    sentry_app_id bigint not null
        references sentry_sentryapp (id) deferrable initially deferred
);
create index on sentry_sentryappcomponent (sentry_app_id);

-- sentry.sentryappinstallation (status: SentryAppInstallationStatus PENDING 0, INSTALLED 1)
create table sentry_sentryappinstallation (
    id bigserial primary key,
    date_deleted timestamptz,
    organization_id bigint not null,
    uuid varchar(64) not null,
    status integer not null check (status >= 0),
    date_added timestamptz not null,
    date_updated timestamptz not null,
    api_grant_id bigint unique references sentry_apigrant (id) deferrable initially deferred,
    api_token_id bigint unique references sentry_apitoken (id) deferrable initially deferred,
    sentry_app_id bigint not null
        references sentry_sentryapp (id) deferrable initially deferred
);
create index on sentry_sentryappinstallation (organization_id);
create index on sentry_sentryappinstallation (status);
create index on sentry_sentryappinstallation (sentry_app_id);

-- sentry.servicehook (region silo; application_id and installation_id are hybrid-cloud ids,
-- project_id and organization_id implicit ids)
create table sentry_servicehook (
    id bigserial primary key,
    guid varchar(32) unique,
    application_id bigint,
    actor_id bigint not null,
    installation_id bigint,
    project_id bigint,
    organization_id bigint,
    url varchar(512) not null,
    secret text not null,
    events text[] not null,
    status integer not null check (status >= 0),
    version integer not null check (version >= 0),
    date_added timestamptz not null
);
create index on sentry_servicehook (application_id);
create index on sentry_servicehook (actor_id);
create index on sentry_servicehook (installation_id);
create index on sentry_servicehook (project_id);
create index on sentry_servicehook (organization_id);
create index on sentry_servicehook (status);

-- ---------------------------------------------------------------------------------------
-- Crons, project templates, sampling and other project settings (region silo)
-- ---------------------------------------------------------------------------------------

-- sentry.monitor (in the "monitors" app since 0864, table kept; organization_id and
-- project_id are implicit ids, owner_team_id a plain bigint)
--   status: ObjectStatus (ACTIVE 0, DISABLED 1, PENDING_DELETION 2, ...)
create table sentry_monitor (
    id bigserial primary key,
    date_added timestamptz not null,
    organization_id bigint not null,
    project_id bigint not null,
    status integer not null check (status >= 0),
    guid uuid not null unique,
    slug varchar(50) not null,
    name varchar(128) not null,
    is_upserting boolean not null default false,
    owner_user_id bigint,
    owner_team_id bigint,
    config jsonb not null,
    unique (project_id, slug),
    constraint monitor_owner_team_or_user_check check (
        (owner_team_id is not null and owner_user_id is null)
        or (owner_team_id is null and owner_user_id is not null)
        or (owner_team_id is null and owner_user_id is null)
    )
);
create index on sentry_monitor (organization_id);
create index on sentry_monitor (project_id);
create index on sentry_monitor (slug);
create index on sentry_monitor (owner_user_id);
create index on sentry_monitor (owner_team_id);
create index sentry_moni_organiz_a62466_idx on sentry_monitor (organization_id, slug);

-- sentry.projecttemplate: removed from Sentry by 1040/1044/1046; as migration 0904 defines it.
create table sentry_projecttemplate (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    name varchar(200) not null,
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred,
    constraint unique_projecttemplate_name_per_org unique (name, organization_id)
);
create index on sentry_projecttemplate (organization_id);

-- sentry.projecttemplateoption: removed with projecttemplate; value as migration 0957 left it
-- (jsonb, nullable since 0934).
create table sentry_projecttemplateoption (
    id bigserial primary key,
    key varchar(64) not null,
    value jsonb,
    project_template_id bigint not null
        references sentry_projecttemplate (id) deferrable initially deferred,
    unique (project_template_id, key)
);
create index on sentry_projecttemplateoption (project_template_id);

-- sentry.customdynamicsamplingrule: removed from Sentry by 1063/1065; as migration 0904
-- defines it.
create table sentry_customdynamicsamplingrule (
    id bigserial primary key,
    date_added timestamptz not null,
    is_active boolean not null,
    is_org_level boolean not null,
    rule_id integer not null,
    condition text not null,
    sample_rate double precision not null,
    start_date timestamptz not null,
    end_date timestamptz not null,
    num_samples integer not null,
    condition_hash varchar(40) not null,
    query text,
    created_by_id bigint,
    notification_sent boolean,
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred
);
create index on sentry_customdynamicsamplingrule (created_by_id);
create index on sentry_customdynamicsamplingrule (organization_id);
create index org_idx on sentry_customdynamicsamplingrule (organization_id) where is_active;
create index end_date_idx on sentry_customdynamicsamplingrule (end_date) where is_active;
create index condition_hash_idx
    on sentry_customdynamicsamplingrule (condition_hash)
    where is_active;

-- sentry.customdynamicsamplingruleproject: removed with customdynamicsamplingrule.
create table sentry_customdynamicsamplingruleproject (
    id bigserial primary key,
    custom_dynamic_sampling_rule_id bigint not null
        references sentry_customdynamicsamplingrule (id) deferrable initially deferred,
    project_id bigint not null references sentry_project (id) deferrable initially deferred,
    unique (custom_dynamic_sampling_rule_id, project_id)
);
create index on sentry_customdynamicsamplingruleproject (custom_dynamic_sampling_rule_id);
create index on sentry_customdynamicsamplingruleproject (project_id);

-- sentry.spanattributeextractionruleconfig: removed from Sentry by 0758/0759 (2024-09); as
-- migration 0732 created it. project is a FlexibleForeignKey with db_constraint=False; tags
-- and aggregates are sentry's legacy ArrayField (always nullable).
create table sentry_spanattributeextractionruleconfig (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    created_by_id bigint,
    span_attribute varchar(1000) not null,
    unit varchar(100) not null,
    tags text[],
    aggregates text[],
    project_id bigint not null,
    unique (project_id, span_attribute)
);
create index on sentry_spanattributeextractionruleconfig (created_by_id);
create index on sentry_spanattributeextractionruleconfig (project_id);

-- sentry.spanattributeextractionrulecondition: removed with the config (0758/0759); as 0732
-- created it (0755 dropped the config foreign key's constraint shortly before the removal).
create table sentry_spanattributeextractionrulecondition (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    created_by_id bigint,
    value varchar(1000),
    config_id bigint not null
        references sentry_spanattributeextractionruleconfig (id) deferrable initially deferred
);
create index on sentry_spanattributeextractionrulecondition (created_by_id);
create index on sentry_spanattributeextractionrulecondition (config_id);

-- sentry.projectintegration: removed from Sentry by 0885/0891 (2025-05); as the model last had
-- it (2024: integration_id a hybrid-cloud id). config is sentry's legacy text JSONField.
create table sentry_projectintegration (
    id bigserial primary key,
    project_id bigint not null references sentry_project (id) deferrable initially deferred,
    integration_id bigint not null,
    config text not null,
    unique (project_id, integration_id)
);
create index on sentry_projectintegration (project_id);
create index on sentry_projectintegration (integration_id);

-- sentry.datasecrecywaiver: removed from Sentry by 0950/0951 (2025-07); as migration 0909 left
-- it (zendesk_tickets a Django ArrayField; 0948 then dropped the organization foreign key's
-- constraint as the first removal step).
create table sentry_datasecrecywaiver (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    access_start timestamptz not null,
    access_end timestamptz not null,
    zendesk_tickets text[] not null,
    organization_id bigint not null unique
        references sentry_organization (id) deferrable initially deferred
);

-- ---------------------------------------------------------------------------------------
-- Import bookkeeping and relocation
-- ---------------------------------------------------------------------------------------

-- sentry.regionimportchunk (region silo)
create table sentry_regionimportchunk (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    import_uuid uuid not null,
    model varchar(64) not null,
    min_ordinal bigint not null,
    max_ordinal bigint not null,
    min_source_pk bigint not null,
    max_source_pk bigint not null,
    min_inserted_pk bigint,
    max_inserted_pk bigint,
    inserted_map jsonb not null,
    existing_map jsonb not null,
    overwrite_map jsonb not null,
    inserted_identifiers jsonb not null,
    unique (import_uuid, model, min_ordinal)
);
create index on sentry_regionimportchunk (import_uuid);
create index on sentry_regionimportchunk (model);

-- sentry.controlimportchunk (control silo)
create table sentry_controlimportchunk (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    import_uuid uuid not null,
    model varchar(64) not null,
    min_ordinal bigint not null,
    max_ordinal bigint not null,
    min_source_pk bigint not null,
    max_source_pk bigint not null,
    min_inserted_pk bigint,
    max_inserted_pk bigint,
    inserted_map jsonb not null,
    existing_map jsonb not null,
    overwrite_map jsonb not null,
    inserted_identifiers jsonb not null,
    unique (import_uuid, model, min_ordinal)
);
create index on sentry_controlimportchunk (import_uuid);
create index on sentry_controlimportchunk (model);

-- sentry.controlimportchunkreplica (region silo copy of the control chunks)
create table sentry_controlimportchunkreplica (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    import_uuid uuid not null,
    model varchar(64) not null,
    min_ordinal bigint not null,
    max_ordinal bigint not null,
    min_source_pk bigint not null,
    max_source_pk bigint not null,
    min_inserted_pk bigint,
    max_inserted_pk bigint,
    inserted_map jsonb not null,
    existing_map jsonb not null,
    overwrite_map jsonb not null,
    inserted_identifiers jsonb not null,
    unique (import_uuid, model, min_ordinal)
);
create index on sentry_controlimportchunkreplica (import_uuid);
create index on sentry_controlimportchunkreplica (model);

-- ---------------------------------------------------------------------------------------
-- Relocation (region silo, all Excluded from exports). The importing step of Sentry's
-- relocation task reads the RAW_USER_DATA RelocationFile of a Relocation, then its File,
-- whose contents are the FileBlobs listed, in offset order, by FileBlobIndex.
-- Source: the squashed migration and src/sentry/relocation/models/relocation.py,
-- relocationtransfer.py, src/sentry/models/files/file.py, fileblob.py, fileblobindex.py.
-- ---------------------------------------------------------------------------------------

-- sentry.fileblob (size and offset are WrappingU32IntegerField: a u32 stored in an integer)
create table sentry_fileblob (
    id bigserial primary key,
    path text,
    size integer,
    checksum varchar(40) not null unique,
    timestamp timestamptz not null
);
create index on sentry_fileblob (timestamp);

-- sentry.file (headers is a LegacyTextJSONField; blob is the legacy single-blob link,
-- related_name "legacy_blob")
create table sentry_file (
    id bigserial primary key,
    name text not null,
    type varchar(64) not null,
    timestamp timestamptz not null,
    headers text not null,
    size integer,
    checksum varchar(40),
    path text,
    blob_id bigint references sentry_fileblob (id) deferrable initially deferred
);
create index on sentry_file (timestamp);
create index on sentry_file (checksum);
create index on sentry_file (blob_id);

-- sentry.fileblobindex (blob is on_delete=PROTECT)
create table sentry_fileblobindex (
    id bigserial primary key,
    "offset" integer not null,
    blob_id bigint not null references sentry_fileblob (id) deferrable initially deferred,
    file_id bigint not null references sentry_file (id) deferrable initially deferred,
    unique (file_id, blob_id, "offset")
);
create index on sentry_fileblobindex (blob_id);
create index on sentry_fileblobindex (file_id);

-- sentry.relocation (uuid is also the import_uuid of the import and the storage prefix
-- runs/<uuid>/; creator_id and owner_id are user ids without a foreign key)
create table sentry_relocation (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    creator_id bigint not null,
    owner_id bigint not null,
    uuid uuid not null unique,
    -- Relocation.Step: UNKNOWN 0, UPLOADING 1, PREPROCESSING 2, VALIDATING 3, IMPORTING 4,
    -- POSTPROCESSING 5, NOTIFYING 6, COMPLETED 7
    step smallint not null,
    provenance smallint not null default 0, -- Relocation.Provenance: SELF_HOSTED 0, SAAS_TO_SAAS 1
    status smallint not null, -- Relocation.Status: IN_PROGRESS 0, FAILURE 1, SUCCESS 2, PAUSE 3
    scheduled_pause_at_step smallint, -- a Step other than COMPLETED
    scheduled_cancel_at_step smallint, -- a Step other than COMPLETED
    want_org_slugs jsonb not null, -- slugs as in the export file
    want_usernames jsonb,
    latest_notified smallint, -- Relocation.EmailKind: STARTED 0, FAILED 1, SUCCEEDED 2
    latest_unclaimed_emails_sent_at timestamptz,
    latest_task varchar(64) not null, -- an OrderedTask name, e.g. 'IMPORTING'
    latest_task_attempts smallint not null,
    failure_reason varchar(256),
    constraint scheduled_pause_at_step_greater_than_current_step
        check (scheduled_pause_at_step > step or scheduled_pause_at_step is null),
    constraint scheduled_cancel_at_step_greater_than_current_step
        check (scheduled_cancel_at_step > step or scheduled_cancel_at_step is null)
);

-- sentry.relocationfile
create table sentry_relocationfile (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    -- RelocationFile.Kind: UNKNOWN 0, RAW_USER_DATA 1, NORMALIZED_USER_DATA 2,
    -- BASELINE_CONFIG_VALIDATION_DATA 3, COLLIDING_USERS_VALIDATION_DATA 4 (deprecated)
    kind smallint not null,
    bucket_path varchar, -- runs/<uuid>/<kind file name> in the relocation bucket
    file_id bigint not null references sentry_file (id) deferrable initially deferred,
    relocation_id bigint not null
        references sentry_relocation (id) deferrable initially deferred,
    unique (relocation_id, file_id),
    unique (relocation_id, kind)
);
create index on sentry_relocationfile (file_id);
create index on sentry_relocationfile (relocation_id);

-- sentry.relocationvalidation
create table sentry_relocationvalidation (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    -- ValidationStatus: IN_PROGRESS 0, TIMEOUT 1, FAILURE 2, INVALID 3, VALID 4
    status smallint not null,
    attempts smallint not null,
    relocation_id bigint not null
        references sentry_relocation (id) deferrable initially deferred
);
create index on sentry_relocationvalidation (relocation_id);

-- sentry.relocationvalidationattempt
create table sentry_relocationvalidationattempt (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    status smallint not null, -- ValidationStatus, as above
    build_id uuid not null unique, -- the CloudBuild id of this validation run
    relocation_id bigint not null
        references sentry_relocation (id) deferrable initially deferred,
    relocation_validation_id bigint not null
        references sentry_relocationvalidation (id) deferrable initially deferred
);
create index on sentry_relocationvalidationattempt (relocation_id);
create index on sentry_relocationvalidationattempt (relocation_validation_id);

-- sentry.controlrelocationtransfer (control silo) and sentry.regionrelocationtransfer (region
-- silo): the SaaS-to-SaaS export/import hand-off. The fields requesting_cell/exporting_cell
-- keep their columns requesting_region/exporting_region (1068).
create table sentry_controlrelocationtransfer (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz not null,
    relocation_uuid uuid not null,
    org_slug varchar not null,
    requesting_region varchar not null,
    exporting_region varchar not null,
    state varchar not null,
    scheduled_for timestamptz,
    public_key bytea
);

create table sentry_regionrelocationtransfer (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz not null,
    relocation_uuid uuid not null,
    org_slug varchar not null,
    requesting_region varchar not null,
    exporting_region varchar not null,
    state varchar not null,
    scheduled_for timestamptz
);

-- Every exportable model of model_dependencies/detailed.json (relocation scope not
-- "Excluded") has its table here, under the catalogue's table name. Tables of models that
-- current Sentry has removed are given as the last Sentry version that had them (each says
-- which). Excluded models that have a table here: sentry.controlimportchunk,
-- sentry.controlimportchunkreplica, sentry.regionimportchunk, sentry.lostpasswordhash,
-- sentry.organizationslugreservation, sentry.relocation, sentry.relocationfile,
-- sentry.relocationvalidation, sentry.relocationvalidationattempt, sentry.file,
-- sentry.fileblob, sentry.fileblobindex, and the two relocation transfer tables (which
-- detailed.json, being older, does not list).
