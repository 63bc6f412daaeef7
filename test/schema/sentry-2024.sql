-- test/schema/sentry-2024.sql
--
-- A second Sentry-compatible target schema for the relocate extension's tests: the same set
-- of tables as test/schema/sentry.sql (every exportable model of
-- test/fixtures/sentry/model_dependencies/detailed.json, plus the import-chunk, slug
-- reservation, lost-password, file and relocation tables), but as a self-hosted Sentry 24.8.0
-- (August 2024) has them, the release that produced most 2024 exports.
--
-- Release and migration head: 24.8.0's "sentry" migrations end at 0747..0750. detailed.json
-- describes the same point (it has DataSecrecyWaiver, created by 0747, and no
-- GroupHashMetadata, created by 0748 on 2024-08-13); no table in this file changes between
-- 0747 and 0754. The schema is "migrations 0001..0747 applied", and was derived backwards
-- from Sentry's own sources (getsentry/sentry):
--   * src/sentry/migrations/0001_squashed_0904_onboarding_task_project_id_idx.py @ 9c2a783c
--     (Django 5.2.1, 2025-05-21): the model state at 0904, for every table;
--   * the individual migrations 0748..0904 that changed these tables, undone (0757, 0765,
--     0770, 0792, 0794, 0812, 0819, 0821, 0822, 0839, 0840, 0855, 0865, 0867, 0869, 0872,
--     0874, 0880, 0886, 0892, 0893, 0895, 0896, 0899, 0902, 0903 were read; the others by
--     their names: 0767, 0806/0807, 0826, 0830/0831, 0834, 0836..0846, 0856/0859, 0882);
--   * for the tables 0904 no longer has, the migration that created them (0725, 0732) or the
--     model as it stood in 2024;
--   * the changes after 0904 (0905..1118, see sentry.sql) are simply not applied.
-- test/schema/README.md lists every difference from sentry.sql and the migration that made it.
--
-- What distinguishes it from current Sentry, for an importer:
--   * option, controloption, useroption, organizationoption, projectoption and
--     projecttemplateoption `value` are `text NOT NULL` (PickledObjectField holding JSON
--     text); authenticator.config is text; integration.metadata, organizationintegration.config,
--     authprovider.config, authidentity.data and projectownership.schema are text (JSON);
--   * the legacy sentry ArrayField (always nullable text[]) is still used by
--     userrole.permissions, every scope_list, repository.languages, sentryapp.events, ...;
--   * auth_user.email, sentry_useremail.email and sentry_organizationmember.user_email are
--     varchar(75); auth_user has no email_unique and no is_suspended; auth_user.flags and
--     sentry_project.flags are nullable; sentry_project.slug is varchar(50) and nullable;
--   * sentry_email exists (current Sentry dropped it in 1101/1104).
--
-- Conventions (Django on PostgreSQL), as in sentry.sql:
--   * NOT NULL exactly as in Sentry. A DEFAULT only where the database has one (db_default,
--     or a default the migrations left in the database); plain Django defaults live in
--     Python, so the importer supplies them.
--   * Positive*IntegerField columns carry CHECK (col >= 0), except the few whose CHECK the
--     database lacked until 0874 added it (said at each column).
--   * FlexibleForeignKey / ForeignKey / OneToOneField columns are <field>_id with a real
--     foreign key, DEFERRABLE INITIALLY DEFERRED as Django creates it (db_constraint=False
--     fields get none). HybridCloudForeignKey and implicit id columns are plain bigint
--     without a constraint. Foreign key, hybrid-cloud and db_index columns are indexed, except
--     where Sentry says db_index=False.
--   * Reserved words used as column names ("end", "order", "limit", "offset") are quoted.
--   * Ids are `bigserial` (`serial` for auth_authenticator and
--     sentry_organizationmember_teams, which use BoundedAutoField).
--   * Tables are created in the current search_path schema; names are never qualified.
--     Run as `SET search_path = sentry, public;` then `\i test/schema/sentry-2024.sql`.

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
    email varchar(75) not null,
    is_staff boolean not null,
    is_active boolean not null,
    is_unclaimed boolean not null default false,
    is_superuser boolean not null,
    is_managed boolean not null,
    is_sentry_app boolean,
    is_password_expired boolean not null,
    last_password_change timestamptz,
    flags bigint,
    session_nonce varchar(12),
    date_joined timestamptz not null,
    last_active timestamptz,
    avatar_type smallint not null default 0, -- no CHECK until 0874
    avatar_url varchar(120) default null
);

-- sentry.email (CIEmailField(max_length=75); citext has no length)
create table sentry_email (
    id bigserial primary key,
    email citext not null unique,
    date_added timestamptz not null
);

-- sentry.useremail
create table sentry_useremail (
    id bigserial primary key,
    user_id bigint not null references auth_user (id) deferrable initially deferred,
    email varchar(75) not null,
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
    value text not null,
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
    permissions text[]
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
    config text not null,
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
    value text not null
);

-- sentry.controloption (control silo)
create table sentry_controloption (
    id bigserial primary key,
    key varchar(128) not null unique,
    last_updated timestamptz not null,
    last_updated_by varchar(16) not null default 'unknown',
    value text not null
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
    value text not null,
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
    org_role varchar(32), -- left in the table by 0667 (state only), dropped by 0872
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
    user_email varchar(75),
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
    is_active boolean not null,
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
    slug varchar(50),
    name varchar(200) not null,
    forced_color varchar(6),
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred,
    public boolean not null,
    date_added timestamptz not null,
    status integer not null check (status >= 0),
    first_event timestamptz,
    flags bigint,
    platform varchar(64),
    template_id bigint, -- foreign key added after sentry_projecttemplate, as Django does
    unique (organization_id, slug)
);
create index on sentry_project (organization_id);
create index on sentry_project (slug);
create index on sentry_project (status);
create index on sentry_project (template_id);

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
    value text not null,
    unique (project_id, key)
);
create index on sentry_projectoptions (project_id);

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
    schema text,
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
    redirect_slug varchar(50) not null,
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
    source integer not null default 0, -- no CHECK until 0874
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
    client_secret text not null,
    owner_id bigint references auth_user (id) deferrable initially deferred,
    name varchar(64) not null,
    status integer not null check (status >= 0),
    allowed_origins text,
    redirect_uris text not null,
    homepage_url varchar(200),
    privacy_url varchar(200),
    terms_url varchar(200),
    date_added timestamptz not null
);
create index on sentry_apiapplication (owner_id);
create index on sentry_apiapplication (status);

-- sentry.apitoken
create table sentry_apitoken (
    id bigserial primary key,
    application_id bigint
        references sentry_apiapplication (id) deferrable initially deferred,
    user_id bigint not null references auth_user (id) deferrable initially deferred,
    name varchar(255),
    scopes bigint not null,
    scope_list text[],
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

-- sentry.apiauthorization
create table sentry_apiauthorization (
    id bigserial primary key,
    application_id bigint
        references sentry_apiapplication (id) deferrable initially deferred,
    user_id bigint not null references auth_user (id) deferrable initially deferred,
    scopes bigint not null,
    scope_list text[],
    date_added timestamptz not null,
    unique (user_id, application_id)
);
create index on sentry_apiauthorization (application_id);
create index on sentry_apiauthorization (user_id);

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
    scope_list text[]
);
create index on sentry_apigrant (user_id);
create index on sentry_apigrant (application_id);
create index on sentry_apigrant (code);
create index on sentry_apigrant (expires_at);

-- sentry.apikey
create table sentry_apikey (
    id bigserial primary key,
    organization_id bigint not null,
    label varchar(64) not null,
    key varchar(32) not null unique,
    scopes bigint not null,
    scope_list text[],
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
    scope_list text[],
    -- integer until 0880 made it bigint
    created_by_id integer references auth_user (id) deferrable initially deferred,
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
    external_id varchar(64) not null,
    name varchar(200) not null,
    metadata text not null,
    status integer check (status >= 0),
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
    config text not null,
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
    name varchar(200) not null,
    url varchar(200),
    provider varchar(64),
    external_id varchar(64),
    config text not null,
    status integer not null check (status >= 0),
    date_added timestamptz not null,
    integration_id integer check (integration_id >= 0),
    languages text[],
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
    config text not null,
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
    data text not null,
    last_verified timestamptz not null,
    last_synced timestamptz not null,
    date_added timestamptz not null,
    unique (auth_provider_id, ident),
    unique (auth_provider_id, user_id)
);
create index on sentry_authidentity (user_id);
create index on sentry_authidentity (auth_provider_id);

-- ---------------------------------------------------------------------------------------
-- Searches and dashboards (region silo)
-- ---------------------------------------------------------------------------------------

-- sentry.savedsearch (sort is sentry's text CharField: max_length=16 is checked in Python
-- only, the column is text)
create table sentry_savedsearch (
    id bigserial primary key,
    organization_id bigint
        references sentry_organization (id) deferrable initially deferred,
    type smallint check (type >= 0),
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
    created_by_id bigint not null,
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred,
    date_added timestamptz not null,
    visits bigint,
    last_visited timestamptz,
    filters text,
    unique (organization_id, title)
);
create index on sentry_dashboard (created_by_id);
create index on sentry_dashboard (organization_id);

-- ---------------------------------------------------------------------------------------
-- Metric alerts and incidents (region silo)
-- ---------------------------------------------------------------------------------------

-- sentry.snubaquery
create table sentry_snubaquery (
    id bigserial primary key,
    type smallint not null,
    dataset text not null,
    query text not null,
    aggregate text not null,
    time_window integer not null,
    resolution integer not null,
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
    snuba_query_id bigint references sentry_snubaquery (id) deferrable initially deferred
);
create index on sentry_querysubscription (status);
create index on sentry_querysubscription (project_id);
create index on sentry_querysubscription (snuba_query_id);

-- sentry.alertrule
--   status: AlertRuleStatus PENDING 0, SNAPSHOT 4, DISABLED 5, NOT_ENOUGH_DATA 6
--   monitor_type: AlertRuleMonitorTypeInt CONTINUOUS 0, ACTIVATED 1
--   detection_type: 'static', 'percent', 'dynamic' (0741; varchar(32) in the database, the
--   model state caught up in 0902)
--   excluded_projects (through sentry_alertruleexcludedprojects) has no column
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
    include_all_projects boolean not null, -- removed by 0794/0795
    organization_id bigint references sentry_organization (id) deferrable initially deferred,
    snuba_query_id bigint unique references sentry_snubaquery (id) deferrable initially deferred,
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

-- sentry.alertruleexcludedprojects (src/sentry/incidents/models/alert_rule.py, 2024; removed
-- later by 0794/0795). alert_rule has db_index=False; project is a FlexibleForeignKey with
-- db_constraint=False.
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

-- sentry.alertruleactivationcondition (src/sentry/incidents/models/alert_rule_activations.py,
-- 2024; removed later by 0813/0814).
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
    status integer not null default 0, -- no CHECK until 0874
    alert_rule_trigger_id bigint not null
        references sentry_alertruletrigger (id) deferrable initially deferred
);
create index on sentry_alertruletriggeraction (integration_id);
create index on sentry_alertruletriggeraction (sentry_app_id);
create index on sentry_alertruletriggeraction (alert_rule_trigger_id);

-- sentry.alertruletriggerexclusion (src/sentry/incidents/models/alert_rule.py, 2024; removed
-- later by 0796/0797).
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

-- sentry.alertruleactivations (Excluded from exports; here as the target of
-- sentry_incident.activation_id; the model as it stood in 2024, removed later by 0813/0814)
create table sentry_alertruleactivations (
    id bigserial primary key,
    alert_rule_id bigint not null
        references sentry_alertrule (id) deferrable initially deferred,
    date_added timestamptz not null,
    finished_at timestamptz,
    metric_value double precision,
    query_subscription_id bigint
        references sentry_querysubscription (id) deferrable initially deferred,
    condition_type smallint not null,
    activator varchar(250) not null
);
create index on sentry_alertruleactivations (alert_rule_id);
create index on sentry_alertruleactivations (query_subscription_id);
create index on sentry_alertruleactivations (alert_rule_id, date_added);

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
    activation_id bigint -- 0707; removed by 0812/0872
        references sentry_alertruleactivations (id) deferrable initially deferred,
    unique (organization_id, identifier)
);
create index on sentry_incident (detection_uuid);
create index on sentry_incident (alert_rule_id);
create index on sentry_incident (organization_id);
create index on sentry_incident (subscription_id);
create index on sentry_incident (activation_id);
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

-- sentry.incidentsubscription (src/sentry/incidents/models/incident.py, 2024; removed later by
-- 0800/0801). incident has db_index=False.
create table sentry_incidentsubscription (
    id bigserial primary key,
    incident_id bigint not null references sentry_incident (id) deferrable initially deferred,
    user_id bigint not null,
    date_added timestamptz not null,
    unique (incident_id, user_id)
);
create index on sentry_incidentsubscription (user_id);

-- sentry.incidenttrigger (removed later by 1093/1094). incident has db_index=False.
-- status: TriggerStatus ACTIVE 0, RESOLVED 1.
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

-- sentry.timeseriessnapshot (src/sentry/incidents/models/incident.py, 2024; removed later by
-- 0883/0884). `values` is sentry's legacy
-- ArrayField(of=ArrayField(FloatField)), which is always nullable.
create table sentry_timeseriessnapshot (
    id bigserial primary key,
    start timestamptz not null,
    "end" timestamptz not null,
    values float8[][],
    period integer not null,
    date_added timestamptz not null
);

-- sentry.incidentsnapshot (removed later, with timeseriessnapshot). incident is a
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

-- sentry.pendingincidentsnapshot (removed later, with timeseriessnapshot). incident is a
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
    date_added timestamp not null, -- without time zone until 0893 (a database drift)
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

-- sentry.neglectedrule (removed later by 1081/1082). The model sets no db_table; Django's name
-- is the same.
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

-- sentry.notificationaction (in the "sentry" app until 0928)
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

-- sentry.dashboardtombstone (removed later by 1074/1076). slug is a SentrySlugField with
-- db_index=False.
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
    "order" integer not null check ("order" >= 0),
    title varchar(255) not null,
    description varchar(255),
    thresholds text,
    interval varchar(10),
    display_type integer not null check (display_type >= 0),
    date_added timestamptz not null,
    widget_type integer check (widget_type >= 0),
    "limit" integer,
    detail text,
    discover_widget_split integer check (discover_widget_split >= 0),
    dataset_source integer not null default 0, -- 0744; no CHECK until 0874
    dashboard_id bigint not null references sentry_dashboard (id) deferrable initially deferred,
    unique (dashboard_id, "order")
);
create index on sentry_dashboardwidget (dashboard_id);

-- sentry.dashboardwidgetquery
create table sentry_dashboardwidgetquery (
    id bigserial primary key,
    name varchar(255) not null,
    fields text[],
    conditions text not null,
    aggregates text[],
    columns text[],
    field_aliases text[],
    orderby text not null,
    "order" integer not null check ("order" >= 0),
    date_added timestamptz not null,
    date_modified timestamptz not null default now(),
    is_hidden boolean not null default false,
    widget_id bigint not null
        references sentry_dashboardwidget (id) deferrable initially deferred,
    unique (widget_id, "order")
);
create index on sentry_dashboardwidgetquery (widget_id);

-- sentry.dashboardwidgetqueryondemand
create table sentry_dashboardwidgetqueryondemand (
    id bigserial primary key,
    spec_hashes text[],
    spec_version integer,
    extraction_state varchar(30) not null,
    date_modified timestamptz not null,
    date_added timestamptz not null default now(),
    dashboard_widget_query_id bigint not null
        references sentry_dashboardwidgetquery (id) deferrable initially deferred
);
create index on sentry_dashboardwidgetqueryondemand (dashboard_widget_query_id);

-- sentry.groupsearchview (issue views, as 0725 created them; user_id and organization_id NOT
-- NULL as detailed.json and the 0904 state have them)
create table sentry_groupsearchview (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    name text not null,
    user_id bigint not null,
    query text not null,
    query_sort varchar(16) not null,
    position smallint not null check (position >= 0),
    organization_id bigint not null
        references sentry_organization (id) deferrable initially deferred,
    constraint sentry_issueviews_unique_view_position_per_org_user
        unique (user_id, organization_id, position)
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
    scope_list text[],
    date_deleted timestamptz,
    owner_id bigint not null,
    name text not null,
    slug varchar(64) not null unique,
    author text,
    status integer not null check (status >= 0),
    uuid varchar(64) not null, -- unique since 0826
    redirect_url varchar(200),
    webhook_url varchar(512),
    is_alertable boolean not null,
    verify_install boolean not null,
    events text[],
    overview text,
    schema text not null,
    date_added timestamptz not null,
    date_updated timestamptz not null,
    date_published timestamptz,
    creator_label text,
    popularity smallint check (popularity >= 0),
    metadata json not null default '{}'::json, -- 0590 added it as json; text since 0892
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
    schema text not null,
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
    events text[],
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

-- sentry.monitor (crons, still in the "sentry" app; organization_id and project_id are
-- implicit ids, owner_team_id a plain bigint). config is sentry's legacy text JSONField.
--   status: ObjectStatus (ACTIVE 0, DISABLED 1, PENDING_DELETION 2, ...)
--   type: MonitorType; removed by 0856/0859
create table sentry_monitor (
    id bigserial primary key,
    guid uuid not null unique,
    slug varchar(50) not null,
    organization_id bigint not null,
    project_id bigint not null,
    name varchar(128) not null,
    status integer not null check (status >= 0),
    type integer not null check (type >= 0),
    config text not null,
    date_added timestamptz not null,
    is_muted boolean not null,
    owner_user_id bigint,
    owner_team_id bigint,
    attachment_id bigint, -- removed by 0806/0807
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

-- sentry.projecttemplate (0723; removed later by 1040/1044/1046)
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
alter table sentry_project add foreign key (template_id)
    references sentry_projecttemplate (id) deferrable initially deferred;

-- sentry.projecttemplateoption (value a PickledObjectField holding JSON text)
create table sentry_projecttemplateoption (
    id bigserial primary key,
    key varchar(64) not null,
    value text not null,
    project_template_id bigint not null
        references sentry_projecttemplate (id) deferrable initially deferred,
    unique (project_template_id, key)
);
create index on sentry_projecttemplateoption (project_template_id);

-- sentry.customdynamicsamplingrule (removed later by 1063/1065)
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

-- sentry.customdynamicsamplingruleproject
create table sentry_customdynamicsamplingruleproject (
    id bigserial primary key,
    custom_dynamic_sampling_rule_id bigint not null
        references sentry_customdynamicsamplingrule (id) deferrable initially deferred,
    project_id bigint not null references sentry_project (id) deferrable initially deferred,
    unique (custom_dynamic_sampling_rule_id, project_id)
);
create index on sentry_customdynamicsamplingruleproject (custom_dynamic_sampling_rule_id);
create index on sentry_customdynamicsamplingruleproject (project_id);

-- sentry.spanattributeextractionruleconfig (0732, 2024-07; removed later by 0758/0759).
-- project is a FlexibleForeignKey with db_constraint=False; tags and aggregates are sentry's
-- legacy ArrayField (always nullable).
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

-- sentry.spanattributeextractionrulecondition (0732; its foreign key lost its constraint in
-- 0755, after 24.8).
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

-- sentry.projectintegration (deprecated; removed later by 0885/0891). integration_id is a
-- hybrid-cloud id; config is sentry's legacy text JSONField.
create table sentry_projectintegration (
    id bigserial primary key,
    project_id bigint not null references sentry_project (id) deferrable initially deferred,
    integration_id bigint not null,
    config text not null,
    unique (project_id, integration_id)
);
create index on sentry_projectintegration (project_id);
create index on sentry_projectintegration (integration_id);

-- sentry.datasecrecywaiver (0747; removed later by 0950/0951). zendesk_tickets is sentry's
-- legacy ArrayField.
create table sentry_datasecrecywaiver (
    id bigserial primary key,
    date_updated timestamptz not null,
    date_added timestamptz,
    access_start timestamptz not null,
    access_end timestamptz not null,
    zendesk_tickets text[],
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
-- Source: the 0904 squashed migration and src/sentry/relocation/models/relocation.py,
-- src/sentry/models/files/file.py, fileblob.py, fileblobindex.py.
-- ---------------------------------------------------------------------------------------

-- sentry.fileblob (size and offset are BoundedPositiveIntegerField; WrappingU32IntegerField,
-- without the CHECK, since 0865)
create table sentry_fileblob (
    id bigserial primary key,
    path text,
    size integer check (size >= 0),
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
    size integer check (size >= 0),
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
    "offset" integer not null check ("offset" >= 0),
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
    -- Relocation.Provenance: SELF_HOSTED 0, SAAS_TO_SAAS 1
    provenance integer not null default 0, -- 0733; smallint since 0895
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


-- Every exportable model of model_dependencies/detailed.json (relocation scope not
-- "Excluded") has its table here, under the catalogue's table name, as Sentry 24.8.0 had it.
-- Excluded models that have a table here: sentry.controlimportchunk,
-- sentry.controlimportchunkreplica, sentry.regionimportchunk, sentry.lostpasswordhash,
-- sentry.organizationslugreservation, sentry.alertruleactivations, sentry.relocation,
-- sentry.relocationfile, sentry.relocationvalidation, sentry.relocationvalidationattempt,
-- sentry.file, sentry.fileblob, sentry.fileblobindex. The relocation transfer tables of
-- sentry.sql did not exist yet (0833).
