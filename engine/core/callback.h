#pragma once

// Callback: the continuation type of the event core.
//
// A fixed-size, heap-free callable for `void()`. It accepts any callable object that is
// trivially copyable and at most kCapacity bytes: in practice a lambda capturing a few pointers
// and integers (`[this, call] { onArrived(call); }`). Those two limits make scheduling an event
// a 40-byte copy with no allocation, which is what keeps the event loop fast; the compiler
// rejects a capture that is too large or owns resources (capture an index or a pointer to
// state owned elsewhere instead).

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace meshsim::engine {

class Callback
{
public:
    static constexpr std::size_t kCapacity = 32;

    // Empty. Its storage stays uninitialised: records that embed a callback are reset often.
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-member-init, modernize-use-equals-default)
    Callback() noexcept {}

    template <typename F>
    requires(!std::is_same_v<std::decay_t<F>, Callback> && std::is_invocable_r_v<void, F&>)
        Callback(F f) // NOLINT(google-explicit-constructor): lambdas convert implicitly by design
    {
        static_assert(sizeof(F) <= kCapacity, "Callback capture too large: capture less state");
        static_assert(alignof(F) <= alignof(std::max_align_t), "Callback capture over-aligned");
        static_assert(std::is_trivially_copyable_v<F> && std::is_trivially_destructible_v<F>,
                      "Callback captures must be trivially copyable (pointers, ids, numbers)");
        ::new (static_cast<void*>(m_storage)) F(std::move(f));
        m_invoke = [](void* storage) { (*std::launder(static_cast<F*>(storage)))(); };
    }

    explicit operator bool() const { return m_invoke != nullptr; }

    void operator()() { m_invoke(m_storage); }

private:
    alignas(std::max_align_t) unsigned char m_storage[kCapacity];
    void (*m_invoke)(void*) = nullptr;
};

static_assert(std::is_trivially_copyable_v<Callback>);

} // namespace meshsim::engine
