// Sentry's fixed lists of values, compiled into the core (sentry_lists.cpp says where each one
// comes from):
//   time zones  AVAILABLE_TIMEZONES, the names a UserOption "timezone" may hold (598: Python's
//               zoneinfo.available_timezones() without "Factory", on Debian 12 with tzdata 2025b;
//               scripts/gen-time-zones regenerates them)
//   languages   sentry.constants.LANGUAGES, the codes a UserOption "language" may hold (38)
//   petnames    the word lists of petname 2.6, which labels a ProjectKey that has none
// Lookups are exact and case-sensitive, as Sentry's ChoiceFields compare.
//
// PostgreSQL-free.
#pragma once

#include <cstddef>
#include <string_view>

namespace relocate {

// A read-only list of words (static storage).
struct Words {
	const std::string_view *data = nullptr;
	std::size_t size = 0;

	const std::string_view *begin() const { return data; }
	const std::string_view *end() const { return data + size; }
	std::string_view operator[](std::size_t i) const { return data[i]; }
};

bool is_sentry_time_zone(std::string_view name);
std::size_t sentry_time_zone_count();
bool is_sentry_language(std::string_view code);
Words sentry_languages();
Words petname_adjectives();
Words petname_names();

} // namespace relocate
