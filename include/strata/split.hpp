// strata::split — one dataset over two databases during a live migration
// (docs/decisions/0013-split-stores.md): total id classification and minting, branded
// stores and one boot decision, owner-routed writes, read-through reads, merged lists,
// and a cached control-plane resolver.
#pragma once

#include "strata/split/ids.hpp"
#include "strata/split/keyset.hpp"
#include "strata/split/resolver.hpp"
#include "strata/split/topology.hpp"
