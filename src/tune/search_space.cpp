// Search-space domains: their checks, their draws, and the sweep's configs.
#include <manta/tune.hpp>

#include <cmath>

namespace manta::tune {
namespace {

/// A double uniform in [0, 1) from one draw of the engine: the top 53 bits, the same on every
/// standard library (std::uniform_real_distribution's algorithm is not specified).
double unit_draw(std::mt19937_64& engine) { return double(engine() >> 11) * 0x1.0p-53; }

void require(bool condition, const std::string& problem) {
  if (!condition) throw InvalidOptionError(problem);
}

std::string number(double value) { return to_string(Value{value}); }

std::string list(const std::vector<Value>& values) {
  std::string text = "{";
  for (const auto& value : values) text += (text.size() > 1 ? ", " : "") + to_string(value);
  return text + "}";
}

void require_bounds(const char* domain, double low, double high) {
  require(std::isfinite(low) && std::isfinite(high) && low < high,
          std::string(domain) + "(" + number(low) + ", " + number(high) +
              "): needs finite bounds with low < high");
}

}  // namespace

Domain grid(std::vector<Value> values) {
  require(!values.empty(), "grid(): needs at least one value");
  Domain domain(Domain::Kind::grid);
  domain.values_ = std::move(values);
  return domain;
}

Domain choice(std::vector<Value> values) {
  require(!values.empty(), "choice(): needs at least one value");
  Domain domain(Domain::Kind::choice);
  domain.values_ = std::move(values);
  return domain;
}

Domain uniform(double low, double high) {
  require_bounds("uniform", low, high);
  Domain domain(Domain::Kind::uniform);
  domain.low_ = low;
  domain.high_ = high;
  return domain;
}

Domain loguniform(double low, double high) {
  require_bounds("loguniform", low, high);
  require(low > 0, "loguniform(" + number(low) + ", " + number(high) +
                       "): needs low > 0 (it draws the logarithm)");
  Domain domain(Domain::Kind::loguniform);
  domain.low_ = low;
  domain.high_ = high;
  return domain;
}

Domain randint(std::int64_t low, std::int64_t high) {
  require(low < high, "randint(" + std::to_string(low) + ", " + std::to_string(high) +
                          "): needs low < high (high is excluded)");
  Domain domain(Domain::Kind::randint);
  domain.low_ = double(low);
  domain.high_ = double(high);
  return domain;
}

Domain quniform(double low, double high, double q) {
  require_bounds("quniform", low, high);
  require(std::isfinite(q) && q > 0, "quniform(" + number(low) + ", " + number(high) + ", " +
                                         number(q) + "): needs a step q > 0");
  Domain domain(Domain::Kind::quniform);
  domain.low_ = low;
  domain.high_ = high;
  domain.q_ = q;
  return domain;
}

Value Domain::sample(std::mt19937_64& engine) const {
  const double u = unit_draw(engine);
  switch (kind_) {
    case Kind::grid:
    case Kind::choice:
      return values_[std::size_t(u * double(values_.size()))];
    case Kind::uniform:
      return low_ + u * (high_ - low_);
    case Kind::loguniform:
      return std::exp(std::log(low_) + u * (std::log(high_) - std::log(low_)));
    case Kind::randint:
      return std::int64_t(low_) + std::int64_t(std::floor(u * (high_ - low_)));
    case Kind::quniform:
      return std::round((low_ + u * (high_ - low_)) / q_) * q_;
  }
  return Value{};
}

std::string Domain::describe() const {
  switch (kind_) {
    case Kind::grid:
      return "grid(" + list(values_) + ")";
    case Kind::choice:
      return "choice(" + list(values_) + ")";
    case Kind::uniform:
      return "uniform(" + number(low_) + ", " + number(high_) + ")";
    case Kind::loguniform:
      return "loguniform(" + number(low_) + ", " + number(high_) + ")";
    case Kind::randint:
      return "randint(" + std::to_string(std::int64_t(low_)) + ", " +
             std::to_string(std::int64_t(high_)) + ")";
    case Kind::quniform:
      return "quniform(" + number(low_) + ", " + number(high_) + ", " + number(q_) + ")";
  }
  return {};
}

std::vector<Config> generate_configs(const SearchSpace& space, std::int64_t num_samples,
                                     std::uint64_t seed) {
  require(num_samples >= 1, "num_samples is " + std::to_string(num_samples) + ": needs >= 1");
  std::vector<const std::pair<const std::string, Domain>*> grids;
  std::size_t points = 1;
  for (const auto& parameter : space) {
    if (parameter.second.kind() != Domain::Kind::grid) continue;
    grids.push_back(&parameter);
    points *= parameter.second.values().size();
  }
  std::mt19937_64 engine(seed);
  std::vector<Config> configs;
  configs.reserve(points * std::size_t(num_samples));
  for (std::int64_t sample = 0; sample < num_samples; ++sample) {
    for (std::size_t point = 0; point < points; ++point) {
      Config config;
      // The point's index in mixed radix: the last grid's digit varies fastest.
      std::size_t rest = point;
      for (auto g = grids.rbegin(); g != grids.rend(); ++g) {
        const auto& values = (*g)->second.values();
        config.set((*g)->first, values[rest % values.size()]);
        rest /= values.size();
      }
      for (const auto& [name, domain] : space) {
        if (domain.kind() != Domain::Kind::grid) config.set(name, domain.sample(engine));
      }
      configs.push_back(std::move(config));
    }
  }
  return configs;
}

}  // namespace manta::tune
