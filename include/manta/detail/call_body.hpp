/// @file detail/call_body.hpp
/// @brief Typed CallBody implementations: a task's function, an actor's constructor or method,
/// with its arguments kept typed (nothing is serialized for a call that stays on its rank).
#pragma once
#include "public_header.hpp"

#include "../get.hpp"
#include "../object_ref.hpp"
#include "core_access.hpp"
#include "serializable.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace manta::detail {

/// Parameter marker for calls whose parameter types are unknown (constructors): refs are resolved.
struct AnyParameter {};

template <class T>
struct is_span_of_const : std::false_type {};
template <class E>
struct is_span_of_const<std::span<const E>> : std::true_type {};

/// True when a parameter of type P reads an object of type T in place: std::span<const E> of a
/// std::vector<E>.
template <class P, class T>
struct is_view_of : std::false_type {};
template <class E, class A>
struct is_view_of<std::span<const E>, std::vector<E, A>> : std::true_type {};

/// True when an argument stored as S is an ObjectRef that the call receives as its value.
template <class P, class S>
inline constexpr bool resolves_v = is_object_ref_v<S> && !is_object_ref_v<P>;

/// The owning type behind a parameter type: a view parameter keeps its data alive as a
/// vector or string, so an argument passed as a temporary does not dangle until the call runs.
template <class P>
struct owning {
  using type = std::remove_cvref_t<P>;
};
template <class E>
struct owning<std::span<const E>> {
  using type = std::vector<std::remove_cv_t<E>>;
};
template <>
struct owning<std::string_view> {
  using type = std::string;
};
template <class P>
using owning_t = typename owning<std::remove_cvref_t<P>>::type;

/// How an argument submitted as A is kept until the call runs: refs stay refs (resolved later),
/// anything else is converted now to the (owning) type of its parameter.
template <class P, class A>
using stored_argument_t = std::conditional_t<is_object_ref_v<A> || std::is_same_v<P, AnyParameter>,
                                             std::decay_t<A>, owning_t<P>>;

/// The type an argument stored as S travels as to another rank: its parameter's owning type, or
/// for a constructor (parameters unknown) the value itself, an ObjectRef<T> becoming a T.
template <class P, class S>
struct wire_type {
  using type = owning_t<P>;
};
template <class S>
struct wire_type<AnyParameter, S> {
  using type = S;
};
template <class T>
struct wire_type<AnyParameter, ObjectRef<T>> {
  using type = T;
};
template <class P, class S>
using wire_t = typename wire_type<P, S>::type;

template <class P, class A>
constexpr void check_argument() {
  if constexpr (is_object_ref_v<A> && !is_object_ref_v<P> && !std::is_same_v<P, AnyParameter>) {
    using T = typename std::remove_cvref_t<A>::value_type;
    // An rvalue reference parameter receives a copy of the (immutable) object: see resolve.
    using Target = std::conditional_t<std::is_rvalue_reference_v<P>, std::remove_cvref_t<P>, P>;
    static_assert(
        is_view_of<std::remove_cvref_t<P>, T>::value || std::is_convertible_v<const T&, Target>,
        "manta: an ObjectRef<T> argument is passed where the parameter cannot take a T");
  } else if constexpr (!std::is_same_v<P, AnyParameter>) {
    static_assert(std::is_constructible_v<owning_t<P>, A>,
                  "manta: an argument does not convert to the function's parameter type");
  }
}

/// The value a call sees for one stored argument.
///
/// An rvalue reference parameter (`std::vector<int>&& v`) receives a temporary copy of the
/// argument, as a by-value parameter would receive its copy: the stored argument is not moved
/// from, since the same call runs again when it is retried (max_retries, max_task_retries), and
/// an ObjectRef's object is immutable and may be shared by other calls.
template <class P, class S>
decltype(auto) resolve(S& stored) {
  using Param = std::remove_cvref_t<P>;
  if constexpr (resolves_v<P, S>) {
    if constexpr (is_span_of_const<Param>::value) {
      return get_view(stored);  // an array object read in place
    } else if constexpr (std::is_rvalue_reference_v<P>) {
      return Param(value_of(stored, std::nullopt));
    } else {
      return value_of(stored, std::nullopt);  // const T&, ready before the call runs
    }
  } else if constexpr (std::is_rvalue_reference_v<P>) {
    return Param(std::as_const(stored));
  } else {
    return (stored);
  }
}

/// Runs `invoke` and boxes what it returns (a void call yields Unit) in a Box<T>.
template <template <class> class Box, class Invoke>
std::unique_ptr<ValueBox> run_boxed(Invoke&& invoke) {
  using R = std::invoke_result_t<Invoke>;
  if constexpr (std::is_void_v<R>) {
    invoke();
    return std::make_unique<Box<Unit>>(std::in_place);
  } else {
    return std::make_unique<Box<std::remove_cvref_t<R>>>(std::in_place, invoke());
  }
}

/// Result type of a call returning R, as an ObjectRef parameter.
template <class R>
using result_t = std::conditional_t<std::is_void_v<R>, void, std::remove_cvref_t<R>>;

/// True when a free function R(P...) can run on another rank: every parameter takes a
/// serializable value (not an ObjectRef or ActorHandle) and the result is serializable.
template <class R, class... P>
inline constexpr bool remotable_function_v = (is_serializable_v<owning_t<P>> && ...) &&
                                             (std::is_void_v<R> || is_serializable_v<R>);

/// Tag of the constructor that takes the stored arguments as a tuple (a call from another rank).
struct FromTuple {};

/// How an argument travels to another rank: its value in the message, or only its location.
inline constexpr std::uint8_t argument_inline = 0;
inline constexpr std::uint8_t argument_by_location = 1;

/// What a callable is: its result, its parameters as a tuple, and the class it belongs to
/// (void for a free function or a constructor). `method` is true for the member functions an
/// actor can register: const or not, noexcept or not (noexcept is part of the pointer's type),
/// without volatile or ref qualifiers.
template <class F>
struct callable_traits {
  using result = void;
  using params = std::tuple<>;
  using owner = void;
  static constexpr bool method = false;
};
template <class R, class... P>
struct callable_traits<R (*)(P...)> {
  using result = R;
  using params = std::tuple<P...>;
  using owner = void;
  static constexpr bool method = false;
};
template <class R, class... P>
struct callable_traits<R (*)(P...) noexcept> : callable_traits<R (*)(P...)> {};
template <class R, class C, class... P>
struct callable_traits<R (C::*)(P...)> {
  using result = R;
  using params = std::tuple<P...>;
  using owner = C;
  static constexpr bool method = true;
};
template <class R, class C, class... P>
struct callable_traits<R (C::*)(P...) const> : callable_traits<R (C::*)(P...)> {};
template <class R, class C, class... P>
struct callable_traits<R (C::*)(P...) noexcept> : callable_traits<R (C::*)(P...)> {};
template <class R, class C, class... P>
struct callable_traits<R (C::*)(P...) const noexcept> : callable_traits<R (C::*)(P...)> {};

/// Checks at compile time that M is a method an actor of class T can register and call.
template <class T, class M>
constexpr void check_actor_method() {
  static_assert(callable_traits<M>::method,
                "manta: an actor method must be a plain member function (const and noexcept are "
                "fine; volatile and & or && qualified methods are not supported)");
  if constexpr (callable_traits<M>::method) {
    static_assert(std::is_base_of_v<typename callable_traits<M>::owner, T>,
                  "manta: the method does not belong to this actor's class");
  }
}

/// @brief A call of `Callable` (a function, member function, or AnyParameter constructor) whose
/// parameters are P..., with its arguments stored as S...
template <class Callable, class Params, class Stored>
class TypedCall;

template <class Callable, class... P, class... S>
class TypedCall<Callable, std::tuple<P...>, std::tuple<S...>> final : public CallBody {
 public:
  template <class... A>
  explicit TypedCall(Callable callable, A&&... args)
      : callable_(callable), args_(S(std::forward<A>(args))...) {
    collect(std::index_sequence_for<S...>{});
  }
  TypedCall(FromTuple, Callable callable, std::tuple<S...> args)
      : callable_(callable), args_(std::move(args)) {
    collect(std::index_sequence_for<S...>{});
  }

  std::unique_ptr<ValueBox> run(ValueBox* self) override {
    return invoke(self, std::index_sequence_for<S...>{});
  }
  std::span<core::Object* const> dependencies() const noexcept override { return deps_; }

  bool remotable() const noexcept override { return remote; }
  void write_arguments(std::vector<std::byte>& out,
                       std::vector<std::span<const std::byte>>* located) const override {
    if constexpr (remote) {
      VectorBuffer buffer(out);
      boost::archive::binary_oarchive archive(buffer, archive_flags);
      write_all(archive, located, std::index_sequence_for<S...>{});
    } else {
      CallBody::write_arguments(out, located);
    }
  }
  std::unique_ptr<ValueBox> read_result(StoreBlock bytes) const override {
    if constexpr (remote) {
      return std::make_unique<StoredBox<Result>>(std::move(bytes));
    } else {
      return CallBody::read_result(std::move(bytes));
    }
  }

 private:
  using Result = stored_t<typename callable_traits<Callable>::result>;
  /// Functions and methods whose arguments and result are serializable values can run on another
  /// rank; so can a constructor whose arguments are.
  static constexpr bool remote =
      std::is_class_v<Callable>
          ? (is_serializable_v<wire_t<P, S>> && ...)
          : remotable_function_v<typename callable_traits<Callable>::result, P...>;

  /// Results of calls that may run remotely can be serialized to be sent back.
  template <class T>
  using ResultBox = std::conditional_t<remote, SerializableBox<T>, TypedBox<T>>;

  template <std::size_t... I>
  void write_all([[maybe_unused]] boost::archive::binary_oarchive& archive,
                 [[maybe_unused]] std::vector<std::span<const std::byte>>* located,
                 std::index_sequence<I...>) const {
    (write_argument<P>(archive, located, std::get<I>(args_)), ...);
  }

  /// One argument as the receiving rank reads it: a tag, then a value of type
  /// wire_t<Param, Stored>, or nothing when its bytes go by location (see read_arguments).
  template <class Param, class Stored>
  static void write_argument(boost::archive::binary_oarchive& archive,
                             std::vector<std::span<const std::byte>>* located,
                             const Stored& stored) {
    if constexpr (resolves_v<Param, Stored>) {
      using T = typename Stored::value_type;
      const ValueBox& box = object_value(stored.impl_object(), typeid(T), std::nullopt);
      if constexpr (std::is_same_v<T, wire_t<Param, Stored>>) {
        const auto bytes = box.store_bytes();
        if (located != nullptr && !bytes.empty() && bytes.size() >= inline_object_limit()) {
          archive << argument_by_location;
          located->push_back(bytes);
          return;
        }
      }
      archive << argument_inline;
      const T& value = *static_cast<const T*>(box.value());
      if constexpr (std::is_same_v<T, wire_t<Param, Stored>>) {
        archive << value;
      } else {
        const wire_t<Param, Stored> converted(value);
        archive << converted;
      }
    } else {
      archive << argument_inline;
      archive << stored;
    }
  }

  template <class Param, class Arg>
  static void add_dependency(Arg& arg, core::Object**& out) {
    if constexpr (resolves_v<Param, Arg>) *out++ = arg.impl_object();
  }
  template <std::size_t... I>
  void collect(std::index_sequence<I...>) {
    [[maybe_unused]] core::Object** out = deps_.data();
    (add_dependency<P>(std::get<I>(args_), out), ...);
  }

  template <std::size_t... I>
  std::unique_ptr<ValueBox> invoke(ValueBox* self, std::index_sequence<I...>) {
    if constexpr (std::is_member_function_pointer_v<Callable>) {
      auto* instance =
          static_cast<typename callable_traits<Callable>::owner*>(self->mutable_value());
      return run_boxed<ResultBox>([&]() -> decltype(auto) {
        return std::invoke(callable_, *instance, resolve<P>(std::get<I>(args_))...);
      });
    } else if constexpr (std::is_class_v<Callable>) {
      return callable_(resolve<P>(std::get<I>(args_))...);  // a constructor: boxes itself
    } else {
      return run_boxed<ResultBox>(
          [&]() -> decltype(auto) { return callable_(resolve<P>(std::get<I>(args_))...); });
    }
  }

  Callable callable_;
  std::tuple<S...> args_;
  std::array<core::Object*, (std::size_t{resolves_v<P, S>} + ... + 0)> deps_{};
};

/// Callable of a constructor call: builds C in place in the box that becomes the actor instance.
template <class C>
struct Construct {
  template <class... A>
  std::unique_ptr<ValueBox> operator()(const A&... args) const {
    return std::make_unique<TypedBox<C>>(std::in_place, args...);
  }
};

template <class>
using any_parameter_t = AnyParameter;

/// Builds the call of `callable`, whose parameters are Params = std::tuple<P...>, with `args`,
/// checking at compile time that the arguments fit the parameters.
template <class Params>
struct CallFactory;

template <class... P>
struct CallFactory<std::tuple<P...>> {
  template <class Callable, class... A>
  static std::unique_ptr<CallBody> make(Callable callable, A&&... args) {
    static_assert(sizeof...(P) == sizeof...(A), "manta: wrong number of arguments for the call");
    (check_argument<P, A>(), ...);
    return std::make_unique<
        TypedCall<Callable, std::tuple<P...>, std::tuple<stored_argument_t<P, A>...>>>(
        callable, std::forward<A>(args)...);
  }
};

/// Reads one argument written by TypedCall::write_argument: inline, or from the next block of
/// `located`.
template <class W>
void read_argument(InputArchive& archive, std::span<StoreBlock>& located, W& argument) {
  std::uint8_t how = argument_inline;
  archive >> how;
  if (how == argument_inline) {
    archive >> argument;
    return;
  }
  if (located.empty()) throw std::runtime_error("manta: an argument sent by location is missing");
  argument = deserialize<W>(located.front().bytes());
  located = located.subspan(1);
}

/// Reads the arguments CallBody::write_arguments wrote, as values of types W...
template <class... W>
std::tuple<W...> read_arguments(std::span<const std::byte> bytes, std::span<StoreBlock> located) {
  std::tuple<W...> arguments;
  InputArchive archive(bytes, archive_flags);
  std::apply([&](auto&... argument) { (read_argument(archive, located, argument), ...); },
             arguments);
  return arguments;
}

/// A call of `callable` (parameters P...) with arguments sent by another rank.
template <class Callable, class... P>
std::unique_ptr<CallBody> read_call(Callable callable, std::span<const std::byte> bytes,
                                    std::span<StoreBlock> located) {
  return std::make_unique<TypedCall<Callable, std::tuple<P...>, std::tuple<owning_t<P>...>>>(
      FromTuple{}, callable, read_arguments<owning_t<P>...>(bytes, located));
}

/// The RemoteCallFactory of a registered function R(P...).
template <class R, class... P>
std::unique_ptr<CallBody> call_from_bytes(AnyFunction address, std::span<const std::byte> bytes,
                                          std::span<StoreBlock> located) {
  return read_call<R (*)(P...), P...>(reinterpret_cast<R (*)(P...)>(address), bytes, located);
}

template <class M, class... P>
std::unique_ptr<CallBody> read_method_call(M method, std::span<const std::byte> bytes,
                                           std::tuple<P...>*) {
  return read_call<M, P...>(method, bytes, {});
}

/// The RemoteMethodFactory of a registered method M (its pointer travels as bytes).
template <class M>
std::unique_ptr<CallBody> method_from_bytes(std::span<const std::byte> member_pointer,
                                            std::span<const std::byte> bytes) {
  M method{};
  std::memcpy(static_cast<void*>(&method), member_pointer.data(), sizeof method);
  return read_method_call(method, bytes,
                          static_cast<typename callable_traits<M>::params*>(nullptr));
}

/// The RemoteConstructorFactory of C's constructor taking W...
template <class C, class... W>
std::unique_ptr<CallBody> construct_from_bytes(std::span<const std::byte> bytes) {
  return std::make_unique<
      TypedCall<Construct<C>, std::tuple<any_parameter_t<W>...>, std::tuple<W...>>>(
      FromTuple{}, Construct<C>{}, read_arguments<W...>(bytes, {}));
}

/// Registers, before main, the factory of C's constructor for arguments stored as S... (the
/// first call site instantiates it); `key` is null when they cannot be serialized.
template <class C, class... S>
struct ConstructorRegistration {
  static const char* make_key() {
    if constexpr ((is_serializable_v<wire_t<AnyParameter, S>> && ...)) {
      return register_actor_constructor(
          typeid(TypedCall<Construct<C>, std::tuple<any_parameter_t<S>...>,
                           std::tuple<wire_t<AnyParameter, S>...>>)
              .name(),
          &construct_from_bytes<C, wire_t<AnyParameter, S>...>);
    } else {
      return nullptr;
    }
  }
  static inline const char* const key = make_key();
};

}  // namespace manta::detail
