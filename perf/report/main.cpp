// Merges the JSON lists the benchmark programs wrote into one list and one Markdown table:
// each figure once (the median when several processes measured it), with its baseline's value
// and the ratio between them.
//
//   manta_perf_report --json OUT.json --markdown OUT.md [--title TEXT] [--reference FILE] IN...
//
// The ratio is always Manta's performance as a fraction of its baseline's, so that > 1 means
// Manta ahead: value / baseline_value for rates (units ending in "/s", higher is better),
// baseline_value / value for times and sizes (lower is better). `better` says which.
// --reference adds a column of published figures: {"title": ..., "figures": {name: value}}.
#include "../common/results.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace {

using json = nlohmann::ordered_json;

/// One figure, gathered from every file that measured it.
struct Figure {
  std::string name;
  std::string unit;
  std::string baseline;                 ///< empty for a baseline itself
  std::vector<double> values;           ///< one per process that measured it
  std::vector<double> baseline_values;  ///< given inline by the program, if it did
};

bool higher_is_better(const std::string& unit) {
  return unit.size() > 2 && unit.compare(unit.size() - 2, 2, "/s") == 0;
}

json read_json(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot read " + path);
  return json::parse(file);
}

/// Figures of every file, in the order they first appear.
std::vector<Figure> gather(const std::vector<std::string>& paths) {
  std::vector<Figure> figures;
  std::map<std::string, std::size_t> index;
  for (const auto& path : paths) {
    for (const auto& entry : read_json(path)) {
      const auto name = entry.at("name").get<std::string>();
      const auto unit = entry.at("unit").get<std::string>();
      auto [at, added] = index.try_emplace(name, figures.size());
      if (added) figures.push_back({name, unit, {}, {}, {}});
      Figure& figure = figures[at->second];
      if (figure.unit != unit) {
        throw std::runtime_error(name + " is in " + figure.unit + " in one file and in " + unit +
                                 " in " + path);
      }
      figure.values.push_back(entry.at("value").get<double>());
      if (entry.contains("baseline") && entry["baseline"].is_string()) {
        figure.baseline = entry["baseline"].get<std::string>();
      }
      if (entry.contains("baseline_value") && entry["baseline_value"].is_number()) {
        figure.baseline_values.push_back(entry["baseline_value"].get<double>());
      }
    }
  }
  return figures;
}

/// The merged list: name, value, unit, better, baseline, baseline_value, ratio. Manta's figures
/// come first, in the order measured, then the baselines.
json merge(std::vector<Figure> figures) {
  std::stable_partition(figures.begin(), figures.end(),
                        [](const Figure& figure) { return !figure.baseline.empty(); });
  std::map<std::string, const Figure*> by_name;
  for (const auto& figure : figures) by_name[figure.name] = &figure;
  json merged = json::array();
  for (const auto& figure : figures) {
    const double value = bench::median(figure.values);
    const bool higher = higher_is_better(figure.unit);
    json entry = {{"name", figure.name}, {"value", value},
                  {"unit", figure.unit}, {"better", higher ? "higher" : "lower"},
                  {"baseline", nullptr}, {"baseline_value", nullptr},
                  {"ratio", nullptr}};
    if (!figure.baseline.empty()) {
      double baseline_value = 0;
      if (!figure.baseline_values.empty()) {
        baseline_value = bench::median(figure.baseline_values);
      } else {
        const auto found = by_name.find(figure.baseline);
        if (found == by_name.end()) {
          throw std::runtime_error(figure.name + ": its baseline " + figure.baseline +
                                   " was not measured");
        }
        if (higher_is_better(found->second->unit) != higher) {
          throw std::runtime_error(figure.name + " (" + figure.unit + ") and its baseline " +
                                   figure.baseline + " (" + found->second->unit +
                                   ") are not better the same way");
        }
        baseline_value = bench::median(found->second->values);
      }
      entry["baseline"] = figure.baseline;
      entry["baseline_value"] = baseline_value;
      entry["ratio"] = higher ? value / baseline_value : baseline_value / value;
    }
    merged.push_back(entry);
  }
  return merged;
}

/// Readable figures: integers with thousands separators from 1,000 up, else 3 significant digits.
std::string format_number(double value) {
  if (std::fabs(value) >= 1000) {
    std::string digits = std::to_string(std::llround(value));
    for (int at = static_cast<int>(digits.size()) - 3; at > (digits[0] == '-' ? 1 : 0); at -= 3) {
      digits.insert(static_cast<std::size_t>(at), ",");
    }
    return digits;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

std::string markdown(const json& merged, const std::string& title, const json& reference) {
  std::ostringstream out;
  out << "# Manta benchmark results\n\n";
  if (!title.empty()) out << title << "\n\n";
  out << "ratio = Manta's performance as a fraction of its baseline's (> 1: Manta ahead): "
         "value / baseline for rates, baseline / value for times and sizes.\n\n";
  const bool with_reference = !reference.is_null();
  out << "| benchmark | value | unit | better | baseline | baseline value | ratio |";
  if (with_reference) out << " " << reference.at("title").get<std::string>() << " |";
  out << "\n|---|---:|---|---|---|---:|---:|" << (with_reference ? "---:|" : "") << "\n";
  for (const auto& entry : merged) {
    const auto name = entry["name"].get<std::string>();
    out << "| " << name << " | " << format_number(entry["value"].get<double>()) << " | "
        << entry["unit"].get<std::string>() << " | " << entry["better"].get<std::string>() << " | ";
    if (entry["baseline"].is_null()) {
      out << "(baseline) | | |";
    } else {
      out << entry["baseline"].get<std::string>() << " | "
          << format_number(entry["baseline_value"].get<double>()) << " | "
          << format_number(entry["ratio"].get<double>()) << " |";
    }
    if (with_reference) {
      const auto& figures = reference.at("figures");
      out << " " << (figures.contains(name) ? format_number(figures[name].get<double>()) : "")
          << " |";
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Merges perf/ benchmark results into one JSON list and one Markdown table");
  std::vector<std::string> inputs;
  std::string json_path, markdown_path, title, reference_path;
  app.add_option("inputs", inputs, "JSON files written by the benchmark programs")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--json", json_path, "merged JSON list to write")->required();
  app.add_option("--markdown", markdown_path, "Markdown table to write")->required();
  app.add_option("--title", title, "line printed above the table (date, machine, run)");
  app.add_option("--reference", reference_path, "published figures to show beside")
      ->check(CLI::ExistingFile);
  CLI11_PARSE(app, argc, argv);
  try {
    const json merged = merge(gather(inputs));
    const json reference = reference_path.empty() ? json() : read_json(reference_path);
    std::ofstream(json_path) << merged.dump(2) << "\n";
    std::ofstream(markdown_path) << markdown(merged, title, reference);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "manta_perf_report: %s\n", error.what());
    return 1;
  }
  return 0;
}
