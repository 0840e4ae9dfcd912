// Reads one YAML mapping with typed getters that record every problem under its full key path
// (`endpoints.write.listen`) and report keys nobody asked for, so typos are errors, not silence.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgroute::proxy {

struct config_problem {
    std::string key;
    std::string message;
};

// The text of a mapping's key, or nullopt, with a problem recorded under `path`, for a key that is
// a list or a mapping: YAML allows those, pgroute.yaml has none, and yaml-cpp throws on them.
[[nodiscard]] std::optional<std::string> key_name(const YAML::Node& key, const std::string& path,
                                                  std::vector<config_problem>& problems);

class yaml_reader {
  public:
    yaml_reader(const YAML::Node& node, std::string path, std::vector<config_problem>& problems);
    yaml_reader(const yaml_reader&) = delete;
    yaml_reader& operator=(const yaml_reader&) = delete;
    ~yaml_reader();  // reports keys that were never read

    [[nodiscard]] bool valid() const { return valid_; }
    [[nodiscard]] bool has(const std::string& key);
    [[nodiscard]] YAML::Node child(const std::string& key);
    [[nodiscard]] std::string path_of(const std::string& key) const;
    void problem(const std::string& key, std::string message);

    void read(const std::string& key, std::string& out);
    void read(const std::string& key, bool& out);
    void read(const std::string& key, unsigned& out, unsigned min, unsigned max);
    void read_size(const std::string& key, std::uint64_t& out);
    void read_duration(const std::string& key, std::chrono::milliseconds& out);

    // Reads one of the given spellings into its value.
    template <typename Enum>
    void read_choice(const std::string& key, Enum& out,
                     std::initializer_list<std::pair<std::string_view, Enum>> choices) {
        std::string text;
        if (!has(key)) return;
        read(key, text);
        std::string allowed;
        for (const auto& [name, value] : choices) {
            if (name == text) {
                out = value;
                return;
            }
            allowed += allowed.empty() ? "" : ", ";
            allowed += name;
        }
        problem(key, "'" + text + "' is not one of: " + allowed);
    }

  private:
    YAML::Node node_;
    std::string path_;
    std::vector<config_problem>& problems_;
    std::set<std::string> seen_;
    bool valid_;
};

}  // namespace pgroute::proxy
