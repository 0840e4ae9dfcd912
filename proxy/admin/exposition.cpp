#include "proxy/admin/exposition.h"

#include <prometheus/metric_family.h>

#include "proxy/admin/exposition_writer.h"

namespace pgroute::proxy {

std::string render_metrics(const prometheus::Collectable& source) {
    return exposition_writer().Serialize(source.Collect());
}

}  // namespace pgroute::proxy
