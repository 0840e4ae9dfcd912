// A configuration generation made from a loaded config, at start-up, for `pgroute --check` and
// at every reload: its TLS contexts and, in proxy mode, its auth_file's verifiers.
#pragma once

#include <memory>

#include "proxy/config/config.h"
#include "proxy/session/generation.h"

namespace pgroute::proxy {

// Throws std::runtime_error with one line naming the file that does not load. `running`, at a
// reload, hands its mock key on: an unknown user's SCRAM salt stays what it was for as long as
// the process runs, as a real user's does (auth/mock_verifier.h).
[[nodiscard]] std::shared_ptr<const generation> make_generation(std::shared_ptr<const config> cfg,
                                                                const generation* running);

}  // namespace pgroute::proxy
