/// @file register.hpp
/// @brief MANTA_REMOTE and MANTA_ACTOR: register functions and classes by name, the same table on
/// every rank, so that a call can name its target anywhere in the job.
#pragma once
#include "detail/public_header.hpp"

#include "actor.hpp"
#include "detail/call_body.hpp"
#include "detail/core_access.hpp"

#include <span>
#include <typeinfo>

namespace manta::detail {

struct FunctionRegistrar {
  template <class R, class... P>
  FunctionRegistrar(const char* name, R (*function)(P...)) {
    RemoteCallFactory factory = nullptr;
    if constexpr (remotable_function_v<R, P...>) factory = &call_from_bytes<R, P...>;
    register_function(name, reinterpret_cast<AnyFunction>(function), factory);
  }
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
/// @code
/// int square(int x) { return x * x; }
/// MANTA_REMOTE(square);
/// @endcode
#define MANTA_REMOTE(function)                                                          \
  [[maybe_unused]] static const ::manta::detail::FunctionRegistrar MANTA_DETAIL_CONCAT( \
      manta_remote_, __COUNTER__) {                                                     \
#function, &function                                                                \
  }

/// @brief Registers an actor class and the methods callable remotely, by name.
/// @code
/// class Counter { public: void increment(); int read() const; ... };
/// MANTA_ACTOR(Counter, increment, read);
/// @endcode
#define MANTA_ACTOR(Class, ...)                                                       \
  [[maybe_unused]] static const auto MANTA_DETAIL_CONCAT(manta_actor_, __COUNTER__) = \
      ::manta::detail::ActorRegistrar<Class>(#Class)                                  \
          MANTA_DETAIL_FOR_EACH(MANTA_DETAIL_METHOD, Class, __VA_ARGS__)
