// An import's progress as the operator sees it while it runs: the phase, the model, the entries
// read and rows written so far. The importer provides it; a target that shows progress (the
// server's progress view, NOTICEs) asks for it when it checks for interrupts, at its own pace.
//
// PostgreSQL-free.
#pragma once

#include <cstdint>

#include "core/timeline.hpp"

namespace relocate {

struct ImportProgress {
	Phase phase = Phase::Setup;
	const char *model = nullptr;   // the model of the entries being imported; nullptr before the first
	std::int64_t model_index = -1; // its catalogue index (sort_order); -1 before the first
	std::int64_t entries = 0;      // export entries read by the import pass
	std::int64_t written = 0;      // rows written: inserted + existing + overwritten
	std::int64_t skipped = 0;      // entries skipped on purpose
	std::int64_t reused = 0;       // entries an earlier run with the import_uuid wrote
};

class ProgressSource {
public:
	virtual ~ProgressSource() = default;
	virtual ImportProgress progress() const = 0;
};

} // namespace relocate
