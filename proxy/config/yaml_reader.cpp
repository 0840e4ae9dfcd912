#include "proxy/config/yaml_reader.h"

#include <set>

#include "proxy/config/quantity.h"

namespace pgroute::proxy {

std::optional<std::string> key_name(const YAML::Node& key, const std::string& path,
                                    std::vector<config_problem>& problems) {
    if (key.IsSequence() || key.IsMap()) {
        problems.push_back({path, "has a key that is a list or a mapping"});
        return std::nullopt;
    }
    return key.as<std::string>();
}

yaml_reader::yaml_reader(const YAML::Node& node, std::string path,
                         std::vector<config_problem>& problems)
    : node_(node), path_(std::move(path)), problems_(problems) {
    valid_ = node_.IsMap() || node_.IsNull();
    if (!valid_) problems_.push_back({path_, "must be a mapping"});
}

yaml_reader::~yaml_reader() {
    try {
        if (!node_.IsMap()) return;
        std::set<std::string> listed;
        for (const auto& entry : node_) {
            const auto key = key_name(entry.first, path_, problems_);
            if (!key) continue;
            // YAML reads the first of two equal keys: the second would be ignored in silence.
            if (!listed.insert(*key).second) {
                problems_.push_back({path_of(*key), "is given twice"});
            } else if (!seen_.contains(*key)) {
                problems_.push_back({path_of(*key), "unknown key"});
            }
        }
    } catch (...) {
        // Only an allocation can fail here, and a destructor must not throw: the unknown keys
        // then go unreported, and the next allocation ends the load.
    }
}

std::string yaml_reader::path_of(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
}

void yaml_reader::problem(const std::string& key, std::string message) {
    problems_.push_back({path_of(key), std::move(message)});
}

bool yaml_reader::has(const std::string& key) {
    seen_.insert(key);
    return node_.IsMap() && node_[key] && !node_[key].IsNull();
}

YAML::Node yaml_reader::child(const std::string& key) {
    seen_.insert(key);
    return node_.IsMap() ? node_[key] : YAML::Node{};
}

void yaml_reader::read(const std::string& key, std::string& out) {
    if (!has(key)) return;
    const auto value = node_[key];
    if (!value.IsScalar()) return problem(key, "must be a scalar");
    out = value.Scalar();
}

void yaml_reader::read(const std::string& key, bool& out) {
    if (!has(key)) return;
    if (!YAML::convert<bool>::decode(node_[key], out)) problem(key, "must be true or false");
}

void yaml_reader::read(const std::string& key, unsigned& out, unsigned min, unsigned max) {
    std::string text;
    read(key, text);
    if (text.empty()) return;
    const auto parsed = parse_size(text);
    if (!parsed || text.find_first_not_of("0123456789") != std::string::npos || *parsed < min ||
        *parsed > max) {
        return problem(key, "must be an integer from " + std::to_string(min) + " to " +
                                std::to_string(max) + ", got '" + text + "'");
    }
    out = static_cast<unsigned>(*parsed);
}

void yaml_reader::read_size(const std::string& key, std::uint64_t& out) {
    std::string text;
    read(key, text);
    if (text.empty()) return;
    const auto parsed = parse_size(text);
    if (!parsed) return problem(key, parsed.error());
    out = *parsed;
}

void yaml_reader::read_duration(const std::string& key, std::chrono::milliseconds& out) {
    std::string text;
    read(key, text);
    if (text.empty()) return;
    const auto parsed = parse_duration(text);
    if (!parsed) return problem(key, parsed.error());
    out = *parsed;
}

}  // namespace pgroute::proxy
