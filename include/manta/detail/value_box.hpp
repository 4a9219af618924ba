/// @file detail/value_box.hpp
/// @brief The type-erased value an object holds: typed in memory, or serialized in the store.
#pragma once
#include "public_header.hpp"

#include "serialization.hpp"
#include "store_block.hpp"

#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <utility>

namespace manta::detail {

/// Demangled name of a type, for error messages.
std::string type_name(const std::type_info& type);

/// The value of a call that returns void.
struct Unit {
  template <class Archive>
  void serialize(Archive&, unsigned) {}
};

/// @brief A value of some type, held by an object or an actor. Immutable once sealed in an object,
/// except that an actor's own instance is mutated by its methods.
class ValueBox {
 public:
  virtual ~ValueBox() = default;
  /// The type held.
  virtual const std::type_info& type() const noexcept = 0;
  /// Pointer to the held value (a stored object is deserialized on first use). Thread-safe.
  virtual const void* value() const = 0;
  virtual void* mutable_value() { return const_cast<void*>(value()); }
  /// The payload of a raw arithmetic array, without copying; empty for other types.
  virtual std::span<const std::byte> raw_bytes() const noexcept { return {}; }
  /// True when the bytes live in the shared-memory object store.
  virtual bool in_store() const noexcept { return false; }
  /// The value as serialized in this rank's own store, where another rank can read it by its
  /// location; empty when it is not there.
  virtual std::span<const std::byte> store_bytes() const noexcept { return {}; }
  /// Bytes the value takes serialized, to send it to another rank.
  /// @throws std::logic_error for a box whose type cannot be serialized
  virtual std::size_t serialized_size() const { throw std::logic_error(unserializable()); }
  /// Writes exactly serialized_size() bytes.
  virtual void serialize_into(std::span<std::byte>) const {
    throw std::logic_error(unserializable());
  }

 private:
  std::string unserializable() const {
    return "manta: a value of type " + type_name(type()) + " cannot be serialized";
  }
};

/// @brief A value kept as its C++ type in the owner's memory: the fast path, nothing serialized.
template <class T>
class TypedBox : public ValueBox {
 public:
  template <class... Args>
  explicit TypedBox(std::in_place_t, Args&&... args) : value_(std::forward<Args>(args)...) {}

  const std::type_info& type() const noexcept override { return typeid(T); }
  const void* value() const override { return &value_; }
  std::span<const std::byte> raw_bytes() const noexcept override {
    if constexpr (is_raw_array_v<T>) {
      return std::as_bytes(std::span(value_.data(), value_.size()));
    } else {
      return {};
    }
  }

 protected:
  T value_;
};

/// @brief A typed value that can also be serialized: results of calls that may run remotely.
template <class T>
class SerializableBox final : public TypedBox<T> {
 public:
  using TypedBox<T>::TypedBox;

  std::size_t serialized_size() const override { return detail::serialized_size(this->value_); }
  void serialize_into(std::span<std::byte> bytes) const override {
    detail::serialize_into(this->value_, bytes);
  }
};

/// @brief A value serialized into the shared-memory store (or a spill file), written once. Raw
/// arrays are read in place through raw_bytes(); value() deserializes once, on first use.
template <class T>
class StoredBox final : public ValueBox {
 public:
  explicit StoredBox(StoreBlock block) : block_(std::move(block)) {}

  const std::type_info& type() const noexcept override { return typeid(T); }
  const void* value() const override {
    std::call_once(materialized_, [this] { cache_.emplace(deserialize<T>(block_.bytes())); });
    return &*cache_;
  }
  std::span<const std::byte> raw_bytes() const noexcept override {
    if constexpr (is_raw_array_v<T>) {
      return block_.bytes();
    } else {
      return {};
    }
  }
  bool in_store() const noexcept override { return block_.in_store(); }
  std::span<const std::byte> store_bytes() const noexcept override {
    if (!block_.in_own_store()) return {};
    return block_.bytes();
  }
  std::size_t serialized_size() const override { return block_.bytes().size(); }
  void serialize_into(std::span<std::byte> bytes) const override {
    std::memcpy(bytes.data(), block_.bytes().data(), bytes.size());
  }

 private:
  StoreBlock block_;
  mutable std::once_flag materialized_;
  mutable std::optional<T> cache_;
};

/// Boxes `value` as its own type: what a task's result becomes.
template <class T>
std::unique_ptr<ValueBox> make_box(T&& value) {
  return std::make_unique<TypedBox<std::decay_t<T>>>(std::in_place, std::forward<T>(value));
}

/// Serializes `value` into a fresh store block, sized first so it is written exactly once.
template <class T>
std::unique_ptr<ValueBox> make_stored_box(const T& value, std::size_t size) {
  auto block = StoreBlock::allocate(size);
  serialize_into(value, block.bytes());
  block.written();
  return std::make_unique<StoredBox<T>>(std::move(block));
}

}  // namespace manta::detail
