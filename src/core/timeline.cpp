#include "core/timeline.hpp"

namespace relocate {

const char *phase_name(Phase p) {
	switch (p) {
	case Phase::Setup:
		return "setup";
	case Phase::Parse:
		return "parse";
	case Phase::Rows:
		return "rows";
	case Phase::Normalize:
		return "normalize";
	case Phase::Collisions:
		return "collisions";
	case Phase::Hashing:
		return "hashing";
	case Phase::Writes:
		return "writes";
	case Phase::PkMap:
		return "pk map";
	case Phase::Derived:
		return "derived rows";
	case Phase::ForeignKeys:
		return "foreign keys";
	case Phase::Chunks:
		return "chunks";
	case Phase::Count:
		break;
	}
	return "?";
}

} // namespace relocate
