/// @file register.hpp
/// @brief MANTA_REMOTE and MANTA_ACTOR: register functions and classes by name, the same table on
/// every rank, so that a call can name its target anywhere in the job.
#pragma once
#include "detail/public_header.hpp"

#include "actor.hpp"
#include "detail/call_body.hpp"
#include "detail/core_access.hpp"

#include <span>
#include <type_traits>
#include <typeinfo>

namespace manta::detail {

/// Never made: MANTA_REMOTE(f) of an overloaded f matches no constructor of FunctionRegistrar,
/// and the compiler's list of candidates then shows this name, which says what to write.
struct an_overloaded_function_is_registered_with_its_signature_as_in_MANTA_REMOTE_f_int_int {
  an_overloaded_function_is_registered_with_its_signature_as_in_MANTA_REMOTE_f_int_int() = delete;
};

struct FunctionRegistrar {
  template <class R, class... P>
  FunctionRegistrar(const char* name, R (*function)(P...)) {
    RemoteCallFactory factory = nullptr;
    if constexpr (remotable_function_v<R, P...>) factory = &call_from_bytes<R, P...>;
    register_function(name, reinterpret_cast<AnyFunction>(function), factory);
  }
  // Declared only (a deleted one would not be listed), and never chosen: nothing converts to it.
  FunctionRegistrar(
      const char* name,
      an_overloaded_function_is_registered_with_its_signature_as_in_MANTA_REMOTE_f_int_int);
};

/// The signature of MANTA_REMOTE(f, signature): the function type of the overload of f to register.
template <class F>
struct overload_signature {
  static_assert(std::is_function_v<F>,
                "manta: MANTA_REMOTE(f, signature) names one overload of f by its function type, "
                "as in MANTA_REMOTE(f, int(int)) or MANTA_REMOTE(f, void(const std::string&))");
  using pointer = std::add_pointer_t<F>;
};

template <class R, class Params>
inline constexpr bool remotable_method_v = false;
template <class R, class... P>
inline constexpr bool remotable_method_v<R, std::tuple<P...>> = remotable_function_v<R, P...>;

template <class C>
struct ActorRegistrar {
  explicit ActorRegistrar(const char* name) {
    register_actor_class(name, typeid(C));
    if constexpr (is_serializable_v<C>) {
      register_actor_state(typeid(C), &save_instance, &load_instance);
    }
  }
  static void save_instance(const ValueBox& instance, boost::archive::binary_oarchive& archive) {
    archive << *static_cast<const C*>(instance.value());
  }
  static void load_instance(ValueBox& instance, InputArchive& archive) {
    archive >> *static_cast<C*>(instance.mutable_value());
  }

  template <class M>
  ActorRegistrar method(const char* name, M member) const {
    check_actor_method<C, M>();
    using Traits = callable_traits<M>;
    RemoteMethodFactory factory = nullptr;
    if constexpr (remotable_method_v<typename Traits::result, typename Traits::params>) {
      factory = &method_from_bytes<M>;
    }
    register_actor_method(typeid(C), name, member_pointer_bytes(member), factory);
    return *this;
  }
};

}  // namespace manta::detail

#define MANTA_DETAIL_CONCAT_IMPL(a, b) a##b
#define MANTA_DETAIL_CONCAT(a, b) MANTA_DETAIL_CONCAT_IMPL(a, b)

// Applies MACRO(Class, x) to each x of a list (up to 256), without Boost.Preprocessor.
#define MANTA_DETAIL_PARENS ()
#define MANTA_DETAIL_EXPAND(...) \
  MANTA_DETAIL_EXPAND4(          \
      MANTA_DETAIL_EXPAND4(MANTA_DETAIL_EXPAND4(MANTA_DETAIL_EXPAND4(__VA_ARGS__))))
#define MANTA_DETAIL_EXPAND4(...) \
  MANTA_DETAIL_EXPAND3(           \
      MANTA_DETAIL_EXPAND3(MANTA_DETAIL_EXPAND3(MANTA_DETAIL_EXPAND3(__VA_ARGS__))))
#define MANTA_DETAIL_EXPAND3(...) \
  MANTA_DETAIL_EXPAND2(           \
      MANTA_DETAIL_EXPAND2(MANTA_DETAIL_EXPAND2(MANTA_DETAIL_EXPAND2(__VA_ARGS__))))
#define MANTA_DETAIL_EXPAND2(...) \
  MANTA_DETAIL_EXPAND1(           \
      MANTA_DETAIL_EXPAND1(MANTA_DETAIL_EXPAND1(MANTA_DETAIL_EXPAND1(__VA_ARGS__))))
#define MANTA_DETAIL_EXPAND1(...) __VA_ARGS__
#define MANTA_DETAIL_FOR_EACH(MACRO, Class, ...) \
  __VA_OPT__(MANTA_DETAIL_EXPAND(MANTA_DETAIL_FOR_EACH_STEP(MACRO, Class, __VA_ARGS__)))
#define MANTA_DETAIL_FOR_EACH_STEP(MACRO, Class, first, ...) \
  MACRO(Class, first)                                        \
  __VA_OPT__(MANTA_DETAIL_FOR_EACH_AGAIN MANTA_DETAIL_PARENS(MACRO, Class, __VA_ARGS__))
#define MANTA_DETAIL_FOR_EACH_AGAIN() MANTA_DETAIL_FOR_EACH_STEP
#define MANTA_DETAIL_METHOD(Class, name) .method(#name, &Class::name)

/// @brief Registers a free function under its own name, so `manta::task(f)` can run it remotely.
/// Place at namespace scope, once per function in the program; a duplicate name is an error when
/// the runtime starts.
///
/// An overloaded function is registered one overload at a time, each named by its function type
/// (`MANTA_REMOTE(f)` of an overloaded `f` does not compile); each is registered under the name
/// "f as <signature>" and submitted with `manta::task<signature>(f)`.
/// @code
/// int square(int x) { return x * x; }
/// MANTA_REMOTE(square);
///
/// double scale(double x) { return 2 * x; }
/// std::string scale(const std::string& s) { return s + s; }
/// MANTA_REMOTE(scale, double(double));                      // named "scale as double(double)"
/// MANTA_REMOTE(scale, std::string(const std::string&));
/// ... manta::task<double(double)>(scale).remote(1.5) ...
/// @endcode
#define MANTA_REMOTE(function, ...)                                                     \
  [[maybe_unused]] static const ::manta::detail::FunctionRegistrar MANTA_DETAIL_CONCAT( \
      manta_remote_, __COUNTER__) {                                                     \
#function __VA_OPT__(" as " #__VA_ARGS__),                                          \
        __VA_OPT__(MANTA_DETAIL_OVERLOAD_CAST(__VA_ARGS__))(&function)                  \
  }
#define MANTA_DETAIL_OVERLOAD_CAST(...) \
  static_cast<typename ::manta::detail::overload_signature<__VA_ARGS__>::pointer>

/// @brief Registers an actor class and the methods callable remotely, by name.
/// @code
/// class Counter { public: void increment(); int read() const; ... };
/// MANTA_ACTOR(Counter, increment, read);
/// @endcode
#define MANTA_ACTOR(Class, ...)                                                       \
  [[maybe_unused]] static const auto MANTA_DETAIL_CONCAT(manta_actor_, __COUNTER__) = \
      ::manta::detail::ActorRegistrar<Class>(#Class)                                  \
          MANTA_DETAIL_FOR_EACH(MANTA_DETAIL_METHOD, Class, __VA_ARGS__)
