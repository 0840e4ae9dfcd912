// The cheap look that keeps PostgreSQL's parser off the hot path: whether any word of a statement
// text, strings and comments included, is one that a statement changing its session must contain
// (a leading SET, TEMP, LISTEN, pg_advisory_lock...). Most texts have none and are done with here,
// at the cost of one pass over their bytes.
#pragma once

#include <string_view>

namespace pgroute::proxy {

// False only when no statement in `sql` can leave anything in the session.
[[nodiscard]] bool may_change_session(std::string_view sql);

// Whether a text that pgroute does not parse (a DO block's PL/pgSQL body) names session state:
// temporary objects, set_config(), a session advisory lock, SET or RESET anywhere (an UPDATE's
// SET too), LISTEN, PREPARE, LOAD, DISCARD.
[[nodiscard]] bool names_session_state(std::string_view text);

}  // namespace pgroute::proxy
