// Tests of the generated model catalogue against facts from Sentry's model_dependencies (detailed.json,
// sorted.json at 55d5792c), docs/sentry/import-spec.md §10 and docs/sentry/schema-facts.md.
#include "core/catalogue.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

namespace relocate {
namespace {

const ModelDef &model(std::string_view name) {
	const ModelDef *m = find_model(name);
	if (m == nullptr)
		throw std::runtime_error("model missing from catalogue: " + std::string(name));
	return *m;
}

std::set<std::string> uniques_of(const ModelDef &m) {
	std::set<std::string> out;
	for (std::size_t i = 0; i < m.unique_count; ++i)
		out.insert(m.uniques[i]);
	return out;
}

TEST(Catalogue, HasEveryModelInSortedOrder) {
	ASSERT_EQ(catalogue_size(), 232u);
	const ModelDef *models = catalogue_models();
	std::size_t exportable = 0;
	std::set<std::string> names, tables;
	for (std::size_t i = 0; i < catalogue_size(); ++i) {
		const ModelDef &m = models[i];
		EXPECT_EQ(m.sort_order, static_cast<int>(i)) << m.name;
		EXPECT_EQ(model_index(&m), i) << m.name;
		EXPECT_EQ(find_model(m.name), &m) << m.name;
		EXPECT_TRUE(names.insert(m.name).second) << "duplicate model " << m.name;
		EXPECT_TRUE(tables.insert(m.table).second) << "duplicate table " << m.table;
		EXPECT_NE(m.scopes, 0) << m.name;
		EXPECT_NE(m.silos, 0) << m.name;
		if (m.exportable())
			++exportable;
	}
	EXPECT_EQ(exportable, 85u);
	// sorted.json starts with the hybridcloud cache versions.
	EXPECT_STREQ(models[0].name, "hybridcloud.controlcacheversion");
}

TEST(Catalogue, ScopeCountsMatchSpec) {
	// docs/sentry/import-spec.md §2.1: 4 User, 7 Config, 2 Config|Global, 54 Organization, 2 Organization|Global,
	// 16 Global; the other 147 Excluded.
	int user = 0, config = 0, config_global = 0, org = 0, org_global = 0, global = 0, excluded = 0;
	for (std::size_t i = 0; i < catalogue_size(); ++i) {
		switch (catalogue_models()[i].scopes) {
		case kScopeUser:
			++user;
			break;
		case kScopeConfig:
			++config;
			break;
		case kScopeConfig | kScopeGlobal:
			++config_global;
			break;
		case kScopeOrganization:
			++org;
			break;
		case kScopeOrganization | kScopeGlobal:
			++org_global;
			break;
		case kScopeGlobal:
			++global;
			break;
		case kScopeExcluded:
			++excluded;
			break;
		default:
			ADD_FAILURE() << "unexpected scope set for " << catalogue_models()[i].name;
		}
	}
	EXPECT_EQ(user, 4);
	EXPECT_EQ(config, 7);
	EXPECT_EQ(config_global, 2);
	EXPECT_EQ(org, 54);
	EXPECT_EQ(org_global, 2);
	EXPECT_EQ(global, 16);
	EXPECT_EQ(excluded, 147);
}

TEST(Catalogue, User) {
	const ModelDef &u = model("sentry.user");
	EXPECT_STREQ(u.table, "auth_user");
	EXPECT_EQ(u.scopes, kScopeUser);
	EXPECT_EQ(u.silos, kSiloControl);
	EXPECT_EQ(u.sort_order, 42);
	EXPECT_TRUE(u.exportable());
	EXPECT_FALSE(u.dangling);
	EXPECT_EQ(u.foreign_key_count, 0u);
	EXPECT_EQ(uniques_of(u), (std::set<std::string>{"username"}));
}

TEST(Catalogue, OrganizationMember) {
	const ModelDef &om = model("sentry.organizationmember");
	EXPECT_STREQ(om.table, "sentry_organizationmember");
	EXPECT_EQ(om.scopes, kScopeOrganization);
	EXPECT_EQ(om.silos, kSiloRegion);
	EXPECT_EQ(om.sort_order, 57);
	ASSERT_EQ(om.foreign_key_count, 3u);

	const ForeignKeyDef *inviter = find_foreign_key(om, "inviter_id");
	ASSERT_NE(inviter, nullptr);
	EXPECT_STREQ(inviter->target, "sentry.user");
	EXPECT_EQ(inviter->kind, FkKind::HybridCloud);
	EXPECT_TRUE(inviter->nullable);

	const ForeignKeyDef *org = find_foreign_key(om, "organization");
	ASSERT_NE(org, nullptr);
	EXPECT_STREQ(org->target, "sentry.organization");
	EXPECT_EQ(org->kind, FkKind::Flexible);
	EXPECT_FALSE(org->nullable);

	const ForeignKeyDef *user = find_foreign_key(om, "user_id");
	ASSERT_NE(user, nullptr);
	EXPECT_STREQ(user->target, "sentry.user");
	EXPECT_EQ(user->kind, FkKind::HybridCloud);
	EXPECT_TRUE(user->nullable);

	EXPECT_EQ(find_foreign_key(om, "organization_id"), nullptr);
	EXPECT_EQ(find_foreign_key(om, "user"), nullptr);
	EXPECT_EQ(find_foreign_key(om, "email"), nullptr);

	EXPECT_EQ(uniques_of(om), (std::set<std::string>{"email,organization", "organization,user_id", "token"}));
}

TEST(Catalogue, SetScopedModels) {
	const ModelDef &token = model("sentry.apitoken");
	EXPECT_EQ(token.scopes, kScopeConfig | kScopeGlobal);
	EXPECT_EQ(token.silos, kSiloControl);
	EXPECT_TRUE(token.exportable());
	EXPECT_EQ(model("sentry.apiauthorization").scopes, kScopeConfig | kScopeGlobal);
	EXPECT_EQ(model("sentry.notificationaction").scopes, kScopeOrganization | kScopeGlobal);
	EXPECT_EQ(model("sentry.notificationactionproject").scopes, kScopeOrganization | kScopeGlobal);
	EXPECT_TRUE(model("sentry.notificationaction").exportable());
}

TEST(Catalogue, TablesAndExclusions) {
	EXPECT_STREQ(model("sentry.organizationoption").table, "sentry_organizationoptions");
	EXPECT_STREQ(model("sentry.projectoption").table, "sentry_projectoptions");
	EXPECT_STREQ(model("sentry.organizationmemberteam").table, "sentry_organizationmember_teams");
	EXPECT_STREQ(model("sentry.userroleuser").table, "sentry_userrole_users");
	EXPECT_STREQ(model("sentry.counter").table, "sentry_projectcounter");
	EXPECT_STREQ(model("sentry.authenticator").table, "auth_authenticator");

	const ModelDef &chunk = model("sentry.controlimportchunk");
	EXPECT_EQ(chunk.scopes, kScopeExcluded);
	EXPECT_FALSE(chunk.exportable());
	EXPECT_FALSE(model("sentry.organizationslugreservation").exportable());
	EXPECT_FALSE(model("sentry.relocation").exportable());
}

TEST(Catalogue, RelocationDependenciesAndDangling) {
	const ModelDef &email = model("sentry.email");
	EXPECT_TRUE(email.dangling);
	EXPECT_EQ(email.scopes, kScopeUser);
	ASSERT_EQ(email.relocation_dependency_count, 1u);
	EXPECT_STREQ(email.relocation_dependencies[0], "sentry.user");

	const ModelDef &useremail = model("sentry.useremail");
	EXPECT_FALSE(useremail.dangling);
	ASSERT_EQ(useremail.relocation_dependency_count, 1u);
	EXPECT_STREQ(useremail.relocation_dependencies[0], "sentry.email");

	EXPECT_TRUE(model("sentry.snubaquery").dangling);
	EXPECT_EQ(model("sentry.snubaquery").relocation_dependency_count, 2u);
}

TEST(Catalogue, DependenciesComeFirst) {
	const ModelDef *models = catalogue_models();
	for (std::size_t i = 0; i < catalogue_size(); ++i) {
		const ModelDef &m = models[i];
		for (std::size_t k = 0; k < m.foreign_key_count; ++k) {
			const ForeignKeyDef &fk = m.foreign_keys[k];
			const ModelDef *target = find_model(fk.target);
			ASSERT_NE(target, nullptr) << m.name << "." << fk.field << " -> " << fk.target;
			if (target != &m) {
				EXPECT_LT(target->sort_order, m.sort_order) << m.name << "." << fk.field << " -> " << fk.target;
			}
		}
		for (std::size_t k = 0; k < m.relocation_dependency_count; ++k) {
			const ModelDef *dep = find_model(m.relocation_dependencies[k]);
			ASSERT_NE(dep, nullptr) << m.name << " depends on " << m.relocation_dependencies[k];
			if (dep != &m) {
				EXPECT_LT(dep->sort_order, m.sort_order) << m.name << " depends on " << dep->name;
			}
		}
	}
}

TEST(Catalogue, FieldNamesMatchFkKinds) {
	// Relation fields are exported without _id; HybridCloud and Implicit fields are *_id already.
	for (std::size_t i = 0; i < catalogue_size(); ++i) {
		const ModelDef &m = catalogue_models()[i];
		for (std::size_t k = 0; k < m.foreign_key_count; ++k) {
			std::string_view f = m.foreign_keys[k].field;
			bool ends_id = f.size() > 3 && f.substr(f.size() - 3) == "_id";
			bool id_kind = m.foreign_keys[k].kind == FkKind::HybridCloud || m.foreign_keys[k].kind == FkKind::Implicit;
			EXPECT_EQ(ends_id, id_kind) << m.name << "." << f;
		}
	}
}

TEST(Catalogue, FindModelIsExact) {
	EXPECT_EQ(find_model(""), nullptr);
	EXPECT_EQ(find_model("SENTRY.USER"), nullptr);
	EXPECT_EQ(find_model("Sentry.User"), nullptr);
	EXPECT_EQ(find_model("sentry.User"), nullptr);
	EXPECT_EQ(find_model("sentry.user "), nullptr);
	EXPECT_EQ(find_model("sentry.use"), nullptr);
	EXPECT_EQ(find_model("sentry.users"), nullptr);
	EXPECT_EQ(find_model("sentry."), nullptr);
	EXPECT_EQ(find_model("user"), nullptr);
	EXPECT_EQ(find_model("sites.site"), nullptr);   // non-Sentry model in an old fixture
	EXPECT_EQ(find_model("sentry.actor"), nullptr); // removed model
	EXPECT_EQ(find_model("aaa.first"), nullptr);
	EXPECT_EQ(find_model("zzz.last"), nullptr);
	std::string name = "sentry.userxx";
	EXPECT_EQ(find_model(std::string_view(name).substr(0, 11)), &model("sentry.user")); // not NUL-terminated
}

TEST(Catalogue, ColumnForField) {
	EXPECT_EQ(column_for_field(model("sentry.user"), "name"), "first_name");
	EXPECT_EQ(column_for_field(model("sentry.user"), "username"), "username");
	EXPECT_EQ(column_for_field(model("sentry.organization"), "name"), "name");
	EXPECT_EQ(column_for_field(model("sentry.organizationmember"), "organization"), "organization_id");
	EXPECT_EQ(column_for_field(model("sentry.organizationmember"), "user_id"), "user_id");
	EXPECT_EQ(column_for_field(model("sentry.organizationmember"), "inviter_id"), "inviter_id");
	EXPECT_EQ(column_for_field(model("sentry.organizationmember"), "email"), "email");
	EXPECT_EQ(column_for_field(model("sentry.projectkey"), "public_key"), "public_key");
	EXPECT_EQ(column_for_field(model("sentry.projectkey"), "project"), "project_id");
	EXPECT_EQ(column_for_field(model("sentry.apiapplication"), "owner"), "owner_id");
	EXPECT_EQ(column_for_field(model("sentry.orgauthtoken"), "created_by"), "created_by_id");
	EXPECT_EQ(column_for_field(model("sentry.environment"), "organization_id"), "organization_id"); // Implicit
	EXPECT_EQ(column_for_field(model("sentry.rule"), "owner_team"), "owner_team_id");
	EXPECT_EQ(column_for_field(model("sentry.sentryapp"), "proxy_user"), "proxy_user_id");    // DjangoOneToOne
	EXPECT_EQ(column_for_field(model("sentry.incidentsnapshot"), "incident"), "incident_id"); // OneToOne
	EXPECT_EQ(column_for_field(model("social_auth.usersocialauth"), "user"), "user_id");      // Django
}

TEST(Catalogue, FkKindsFromDetailedJson) {
	EXPECT_EQ(find_foreign_key(model("sentry.sentryapp"), "application")->kind, FkKind::DjangoOneToOne);
	EXPECT_EQ(find_foreign_key(model("sentry.incidentsnapshot"), "incident")->kind, FkKind::OneToOne);
	EXPECT_EQ(find_foreign_key(model("social_auth.usersocialauth"), "user")->kind, FkKind::Django);
	EXPECT_EQ(find_foreign_key(model("sentry.environment"), "organization_id")->kind, FkKind::Implicit);
	EXPECT_EQ(find_foreign_key(model("sentry.useremail"), "user")->kind, FkKind::Flexible);

	EXPECT_STREQ(fk_kind_name(FkKind::Flexible), "FlexibleForeignKey");
	EXPECT_STREQ(fk_kind_name(FkKind::Django), "DefaultForeignKey");
	EXPECT_STREQ(fk_kind_name(FkKind::OneToOne), "OneToOneCascadeDeletes");
	EXPECT_STREQ(fk_kind_name(FkKind::DjangoOneToOne), "DefaultOneToOneField");
	EXPECT_STREQ(fk_kind_name(FkKind::HybridCloud), "HybridCloudForeignKey");
	EXPECT_STREQ(fk_kind_name(FkKind::Implicit), "ImplicitForeignKey");
}

TEST(Catalogue, ScopeNames) {
	EXPECT_STREQ(scope_name(kScopeExcluded), "Excluded");
	EXPECT_STREQ(scope_name(kScopeUser), "User");
	EXPECT_STREQ(scope_name(kScopeOrganization), "Organization");
	EXPECT_STREQ(scope_name(kScopeConfig), "Config");
	EXPECT_STREQ(scope_name(kScopeGlobal), "Global");
}

void expect_json_default(const char *model_name, const char *field, const char *json) {
	const FieldDefault *d = find_default(model(model_name), field);
	ASSERT_NE(d, nullptr) << model_name << "." << field;
	EXPECT_EQ(d->kind, DefaultKind::Json) << model_name << "." << field;
	ASSERT_NE(d->value, nullptr) << model_name << "." << field;
	EXPECT_STREQ(d->value, json) << model_name << "." << field;
}

void expect_default_kind(const char *model_name, const char *field, DefaultKind kind, int length = 0) {
	const FieldDefault *d = find_default(model(model_name), field);
	ASSERT_NE(d, nullptr) << model_name << "." << field;
	EXPECT_EQ(d->kind, kind) << model_name << "." << field;
	EXPECT_EQ(d->value, nullptr) << model_name << "." << field;
	EXPECT_EQ(d->length, length) << model_name << "." << field;
}

TEST(Catalogue, Defaults) {
	expect_json_default("sentry.project", "flags", "10");
	expect_json_default("sentry.project", "public", "false");
	expect_json_default("sentry.organization", "flags", "1");
	expect_json_default("sentry.organization", "default_role", "\"member\"");
	expect_json_default("sentry.user", "flags", "0");
	expect_json_default("sentry.user", "name", "\"\"");
	expect_json_default("sentry.user", "email", "\"\"");
	expect_json_default("sentry.user", "is_active", "true");
	expect_json_default("sentry.user", "is_staff", "false");
	expect_json_default("sentry.organizationmember", "type", "50");
	expect_json_default("sentry.organizationmember", "has_global_access", "true");
	expect_json_default("sentry.projectkey", "data", "{}");
	expect_json_default("sentry.projectkey", "roles", "1");
	expect_json_default("sentry.integration", "metadata", "{}");
	expect_json_default("sentry.userrole", "permissions", "[]");
	expect_json_default("sentry.apiapplication", "scopes", "[]");
	expect_json_default("sentry.orgauthtoken", "scope_list", "[]");
	expect_json_default("sentry.relayusage", "version", "\"0.0.1\"");
	expect_default_kind("sentry.user", "date_joined", DefaultKind::Now);
	expect_default_kind("sentry.option", "last_updated", DefaultKind::Now);
	expect_default_kind("sentry.controloption", "last_updated", DefaultKind::Now);
	expect_default_kind("sentry.useremail", "validation_hash", DefaultKind::RandomAlnum, 32);
	expect_default_kind("sentry.apiapplication", "client_id", DefaultKind::RandomHex, 64);

	// Columns with a real DB DEFAULT, required fields and foreign keys have none.
	EXPECT_EQ(find_default(model("sentry.user"), "is_unclaimed"), nullptr);
	EXPECT_EQ(find_default(model("sentry.user"), "avatar_type"), nullptr);
	EXPECT_EQ(find_default(model("sentry.user"), "username"), nullptr);
	EXPECT_EQ(find_default(model("sentry.projectkey"), "use_case"), nullptr);
	EXPECT_EQ(find_default(model("sentry.organizationmember"), "organization"), nullptr);
	EXPECT_EQ(find_default(model("sentry.projectteam"), "project"), nullptr);
}

TEST(Catalogue, DefaultsAreWellFormed) {
	for (std::size_t i = 0; i < catalogue_size(); ++i) {
		const ModelDef &m = catalogue_models()[i];
		if (m.default_count > 0) {
			EXPECT_TRUE(m.exportable()) << m.name;
		}
		for (std::size_t k = 0; k < m.default_count; ++k) {
			const FieldDefault &d = m.defaults[k];
			EXPECT_EQ(find_default(m, d.field), &d) << m.name << "." << d.field << " listed twice";
			EXPECT_EQ(find_foreign_key(m, d.field), nullptr) << m.name << "." << d.field;
			EXPECT_EQ(find_removed_field(m, d.field), nullptr) << m.name << "." << d.field;
			EXPECT_EQ(d.kind == DefaultKind::Json, d.value != nullptr) << m.name << "." << d.field;
			bool random = d.kind == DefaultKind::RandomHex || d.kind == DefaultKind::RandomAlnum;
			EXPECT_EQ(random, d.length > 0) << m.name << "." << d.field;
		}
	}
}

TEST(Catalogue, RemovedFields) {
	const char *removed[][2] = {
	    {"sentry.team", "actor"},      {"sentry.team", "org_role"},      {"sentry.rule", "owner"},
	    {"sentry.alertrule", "owner"}, {"sentry.grouphistory", "actor"}, {"sentry.project", "template"},
	};
	for (const auto &r : removed) {
		const RemovedField *f = find_removed_field(model(r[0]), r[1]);
		ASSERT_NE(f, nullptr) << r[0] << "." << r[1];
		EXPECT_STREQ(f->field, r[1]);
		ASSERT_NE(f->why, nullptr);
		EXPECT_GT(std::strlen(f->why), 10u) << r[0] << "." << r[1];
		EXPECT_EQ(std::strchr(f->why, '\n'), nullptr) << r[0] << "." << r[1];
	}
	EXPECT_EQ(find_removed_field(model("sentry.team"), "slug"), nullptr);
	EXPECT_EQ(find_removed_field(model("sentry.team"), "organization"), nullptr);
	EXPECT_EQ(find_removed_field(model("sentry.rule"), "owner_team"), nullptr);
	EXPECT_EQ(find_removed_field(model("sentry.user"), "actor"), nullptr);
	EXPECT_EQ(model("sentry.team").removed_field_count, 2u);
}

} // namespace
} // namespace relocate
